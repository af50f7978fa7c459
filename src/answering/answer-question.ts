import type { HybridSearch, RankedClause } from '../retrieval/hybrid-search.ts';
import type { AnalyzedQuery } from '../retrieval/query.ts';
import type { Language, Replies } from '../prompts.ts';
import { maxMessageLength, routeMessage, type Route, type RouteScores } from './router.ts';
import { chooseCited, composeExtractiveAnswer } from './extractive-answer.ts';
import type { AskResult, Citation, RetrievedClause } from './types.ts';
import { isMostlyEnglish } from '../retrieval/normalize.ts';
import type { AnswerGenerator, ConversationSummary, FallbackReason } from '../generation/types.ts';
import { answerFeatures, type AnswerabilityModel, type AnswerFeatures } from './answerability.ts';
import { candidateSentences, leadSentence } from './lead-sentence.ts';
import { questionTypeOf } from './question-type.ts';
import { countAsked, countFit, statesCount } from './asked-count.ts';
import { provinceOfRegion, provincesIn } from '../retrieval/regions.ts';
import { answerTypeIsStrict, holdsAnswerType, type AnswerType } from '../retrieval/answer-types.ts';
import { addresseesIn, clausesStating, documentAskedAbout, documentQuestionOf } from './document-question.ts';
import { dateText } from './caveats.ts';

/** Below this share of the question's weight found in the best clause, the bot abstains. */
export const defaultMinConfidence = 0.22;

/** An answer with how it was reached, for the conversation core and the eval. */
export interface AnsweredQuestion extends AskResult {
  route: Route;
  /** Share of the question's term weight that the best clause holds (0–1); null when not searched. */
  confidence: number | null;
  language: Language;
  /** The ranked clauses behind `retrieved`, with their documents. */
  ranked: RankedClause[];
  /** A clarifying question's choices: the clauses the student picks from by number. */
  choices?: ClarifyChoice[];
  /** How sure the answerer was that its lead answers the question, and what it did about it. */
  assessment?: { probability: number | null; decision: 'answer' | 'clarify' | 'abstain'; features: AnswerFeatures };
  /** How an `answer` was written, when a generator is configured: generated, or extractive and why. */
  generation?: { mode: 'generated'; regenerated: boolean; promptVersion: number } | { mode: 'extractive'; reason: FallbackReason };
}

/** One clause offered in a clarifying question. */
export interface ClarifyChoice {
  clauseId: string;
  doc: string;
  title: string;
  locator: string;
  preview: string;
}

/** Who asks and what came before, for grounded generation; the extractive answer needs neither. */
export interface AnswerOptions {
  /** Tells students apart for the per-student rate limit of generation (`telegram:123`). */
  studentKey?: string;
  /** The previous question and answer, for generation to resolve a follow-up against. */
  summary?: ConversationSummary;
  /**
   * The document a follow-up asks about ("具体怎么申请" after an answer from it): its clauses that
   * hold enough of the question rank first.
   */
  document?: string;
}

/**
 * The policy-question pipeline: route → retrieve → check confidence → extractive, cited answer
 * → with a `generator`, a generated answer in its place when one passes the grounding guard.
 *
 * @example
 * const answerer = new PolicyAnswerer(search, replies);
 * const result = await answerer.answer('实习单位能扣我身份证吗？');
 */
export class PolicyAnswerer {
  constructor(
    readonly search: HybridSearch,
    readonly replies: Replies,
    readonly minConfidence = defaultMinConfidence,
    /** Grounded generation (LLM_*); without it answers are extractive. */
    readonly generator?: AnswerGenerator,
    /**
     * Selective answering: the model that judges whether the lead sentence answers the question.
     * Without it every answer that passes the confidence floor is given.
     */
    readonly answerability: AnswerabilityModel | null = null,
  ) {}

  #provincesCovered: Set<string | null> | undefined;

  /** The provinces the knowledge base has documents for, read once (the snapshot does not change under it). */
  get #provinces(): Set<string | null> {
    return (this.#provincesCovered ??= new Set([...this.search.snapshot.documents.values()].map((document) => provinceOfRegion(document.region))));
  }

  async answer(question: string, options: AnswerOptions = {}): Promise<AnsweredQuestion> {
    const started = performance.now();
    const route = routeMessage(question);
    const language: Language = isMostlyEnglish(question) ? 'en' : 'zh';
    const finish = (
      outcome: AskResult['outcome'],
      answer: string,
      extra: Partial<Pick<AnsweredQuestion, 'citations' | 'ranked' | 'confidence' | 'generation' | 'choices' | 'assessment' | 'route'>> = {},
    ): AnsweredQuestion => {
      const ranked = extra.ranked ?? [];
      const care = (route.kind === 'policy' || route.kind === 'abstain') && route.care === true;
      return {
        outcome,
        answer: care ? `${answer}\n\n${this.replies.render(language, 'care_note')}` : answer,
        citations: extra.citations ?? [],
        retrieved: ranked.slice(0, 5).map(toRetrieved),
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
        route: extra.route ?? route,
        confidence: extra.confidence ?? null,
        language,
        ranked,
        ...(extra.generation ? { generation: extra.generation } : {}),
        ...(extra.choices ? { clarify: true as const, choices: extra.choices } : {}),
        ...(extra.assessment ? { assessment: extra.assessment } : {}),
      };
    };

    if (route.kind === 'invalid') {
      const name = route.reason === 'too-long' ? 'too_long' : route.reason === 'empty' ? 'empty' : 'no_words';
      return finish('abstain', this.replies.render(language, name, { length: [...question].length, limit: maxMessageLength }));
    }
    if (route.kind === 'abstain' && route.reason === 'injection') {
      return finish('abstain', this.replies.render(language, 'abstain_injection'));
    }
    const { query, results: found } = await this.search.search(question, 10);
    const results = options.document ? documentFirst(found, options.document, this.minConfidence) : found;
    if (route.kind === 'escalate') {
      return finish('escalate', this.replies.render(language, `escalate_${route.reason}`), { ranked: results });
    }
    // Out of scope is a prior, not a verdict: a topic a published document covers is answered.
    const outOfScope = route.kind === 'abstain';
    const unsure = (): string =>
      outOfScope
        ? this.replies.render(language, route.reason === 'chit-chat' ? 'abstain_chit_chat' : 'abstain_out_of_scope', { covered: this.#covered(language) })
        : this.replies.render(language, 'abstain_low_confidence');
    const confidence = results[0]?.coverage ?? 0;
    // A question about the document itself (who issued it, from when it applies) is answered from
    // the clauses that say so — its cover 通知 or signature, its closing article — not from a rule.
    // With one document published, "这政策啥时候生效" needs no topic words to say which it means.
    if (results.length > 0 && (confidence >= this.minConfidence || this.search.snapshot.documents.size === 1)) {
      const aboutDocument = this.#aboutDocument(question, query, results, language);
      if (aboutDocument) return finish('answer', aboutDocument.answer, { citations: aboutDocument.citations, ranked: results, confidence });
    }
    if (results.length === 0 || confidence < this.minConfidence) {
      return finish('abstain', unsure(), { ranked: results, confidence });
    }
    // A question about one region (河南, Tibet) that only another region's rules answer is not
    // answered by them: those rules do not bind the student, and a national rule would rank first.
    // A province the knowledge base has no rules for ("上海应届生落户…") is not answered from
    // another province's rules; a national rule may still answer it.
    const elsewhere = [...provincesIn(query.searchText)].filter((province) => !this.#provinces.has(province));
    // The knowledge base, not the router, decided this one is out of its scope: reported as such,
    // so that the conversation does not count it as a question the bot failed to answer.
    if (elsewhere.length > 0 && results[0]!.document.region !== '全国') {
      const scope: Route = { kind: 'abstain', reason: 'out-of-scope', ...(route.kind === 'policy' || route.kind === 'abstain' ? pick(route) : {}) };
      return finish('abstain', this.replies.render(language, 'abstain_other_region', { region: elsewhere.join('、'), covered: this.#covered(language) }), { ranked: results, confidence, route: scope });
    }
    const named = this.search.regionsIn(query.searchText);
    const region = results[0]!.document.region;
    if (named.size > 0 && region !== '全国' && !named.has(region)) {
      return finish('abstain', unsure(), { ranked: results, confidence });
    }
    // the question's words are read folded to simplified (哪幾 asks for a list as 哪几 does)
    const wording = query.text;
    const chosen = chooseCited(this.#aboutFirst(wording, query, results));
    let cited = chosen.cited;
    const focus = [...chosen.focus];
    if (asksForAList(wording) && focus[0] && focus[0].clause.parts > 1 && focus[0].clause.parts <= 4) {
      const whole = this.search.partsOf(focus[0]);
      cited = [...whole, ...cited.filter((clause) => !whole.some((part) => part.clause.id === clause.clause.id))];
    }
    const parts = [...subQuestions(wording).map((text) => ({ text, subject: '' })), ...respectiveParts(wording)];
    const asked: { question: string; query: AnalyzedQuery; clauseId: string }[] = [];
    for (const { text: part, subject } of parts) {
      // a part only adds a clause its words clearly hold: the lexical lists decide, no vector search
      const { query: partQuery, results: partResults } = await this.search.search(part, 3, { dense: false });
      const best = partResults[0];
      const asksSomething = partQuery.concepts.filter((concept) => concept.terms.some((term) => [...term].length >= 2)).length >= 2;
      // A part about one of several things asked "分别" stands when its clause names that thing.
      const namesSubject = subject !== '' && best !== undefined && best.clause.text.includes(subject);
      const floor = namesSubject ? this.minConfidence : Math.max(this.minConfidence, 0.5);
      if (!best || !asksSomething || best.coverage < floor) continue;
      asked.push({ question: part, query: partQuery, clauseId: best.clause.id });
      if (!cited.some((clause) => clause.clause.id === best.clause.id)) cited.push(best);
      if (!focus.some((clause) => clause.clause.id === best.clause.id)) focus.push(best);
    }
    const composed = composeExtractiveAnswer({
      question: wording,
      query,
      cited,
      focus: focus.slice(0, 3),
      language,
      replies: this.replies,
      tokenizer: this.search.tokenizer,
      index: this.search.lexicalIndex,
      lexicon: this.search.lexicon,
      partsOf: (ranked) => this.search.partsOf(ranked),
      asked,
      verdictFits: (leadText) => this.#aboutWhatWasAsked(query, leadText),
    });
    // Selective answering: give the answer only when its lead sentence is judged to answer the
    // question; else ask back with the best candidates, or say so and show the closest clauses.
    // the features the answerability model was trained on read the question's type from its words
    const type = questionTypeOf(wording);
    const features = answerFeatures({
      query,
      type,
      results,
      best: focus[0] ?? results[0]!,
      lead: composed.leads[0] ?? null,
      search: this.search,
      offTopic: route.scores ? route.scores.out_of_scope + route.scores.chitchat : outOfScope ? 1 : 0,
      candidateFloor: this.minConfidence,
    });
    const probability = this.answerability ? this.answerability.probability(features) : null;
    let decision: 'answer' | 'clarify' | 'abstain' = !this.answerability || probability === null ? (outOfScope ? 'abstain' : 'answer') : this.answerability.decide(probability);
    // a message the classifier is sure is off topic must clear a higher bar (halfway to certainty)
    if (this.answerability && probability !== null && decision === 'answer' && features.offTopic >= 0.9) {
      const bar = this.answerability.json.answerAt + (1 - this.answerability.json.answerAt) / 2;
      if (probability < bar) decision = 'abstain';
    }
    if (!composed.leads[0] && decision === 'answer') decision = 'clarify';
    // an amount, a date or the day a rule takes effect is stated or not: a lead without one does not answer
    const leadText = composed.leads[0]?.text ?? '';
    if (decision === 'answer' && answerTypeIsStrict(query.answerType) && !holdsAnswerType(query.answerType, leadText)) decision = 'clarify';
    // …and one the lead states while no other of the best clauses does is the answer
    if (decision === 'clarify' && answerTypeIsStrict(query.answerType) && holdsAnswerType(query.answerType, leadText) && onlyFirstStates(query.answerType, results.slice(0, 3))) decision = 'answer';
    // a count ("几次", "多少课时") is answered by a number that counts what was asked, not one that counts something else
    // (a lead with no number at all may say there is no fixed one: it stands unless another of the best clauses states a count)
    const counted = countFit(query.text, composed.leads.flatMap((lead) => (lead ? [lead.text] : [])));
    if (decision === 'answer' && (counted === 'counts-something-else' || (counted === 'no-count' && this.#anotherStatesCount(query.text, results, focus)))) decision = 'clarify';
    // a definition ("本办法所称…是指…") answers what a word means, not whether or how much
    if (decision === 'answer' && definitionLead.test(leadText) && !asksForAMeaning.test(wording)) decision = 'clarify';
    if (outOfScope && decision !== 'answer') decision = 'abstain';
    const assessment = { probability, decision, features };
    if (decision !== 'answer') {
      const choices = this.#choices(query, results, type);
      if (decision === 'clarify' && choices.length >= 2) {
        const lines = [
          this.replies.render(language, 'clarify_intro'),
          ...choices.map((choice, index) => this.replies.render(language, 'clarify_choice', { number: index + 1, ...choice })),
          this.replies.render(language, 'clarify_outro'),
        ];
        return finish('abstain', lines.join('\n'), { ranked: results, confidence, choices, assessment });
      }
      const closest = outOfScope ? [] : choices.slice(0, 2).map((choice) => this.replies.render(language, 'closest_line', { ...choice }));
      const text = closest.length > 0 ? [unsure(), '', this.replies.render(language, 'closest_heading'), ...closest].join('\n') : unsure();
      return finish('abstain', text, { ranked: results, confidence, assessment });
    }
    if (!this.generator) return finish('answer', composed.answer, { citations: composed.citations, ranked: results, confidence, assessment });

    // Grounded generation: the extractive answer stays the fallback for every failure.
    const generated = await this.generator
      .generate({ question, language, cited: composed.cited, ranked: results, confidence, ...options })
      .catch(() => ({ kind: 'fallback', reason: 'internal-error' }) as const);
    if (generated.kind === 'generated') {
      return finish('answer', generated.answer, {
        citations: generated.citations,
        ranked: results,
        confidence,
        generation: { mode: 'generated', regenerated: generated.regenerated, promptVersion: generated.promptVersion },
      });
    }
    return finish('answer', composed.answer, {
      citations: composed.citations,
      ranked: results,
      confidence,
      assessment,
      generation: { mode: 'extractive', reason: generated.reason },
    });
  }

  /** The answer to a question about a document itself, when the question names one document and it states what is asked. */
  #aboutDocument(question: string, query: AnalyzedQuery, results: readonly RankedClause[], language: Language): { answer: string; citations: Citation[] } | null {
    const asks = documentQuestionOf(question);
    const docId = asks ? documentAskedAbout(results, this.search.snapshot.documents.size) : null;
    const document = docId ? this.search.snapshot.documents.get(docId) : undefined;
    if (!asks || !document) return null;
    // found by a search, the document says who issued it in its cover 通知 or signature, or not at all here
    const stating = clausesStating(asks, document, this.search.snapshot.clauses)
      .filter((clause) => asks !== 'issuer' || /^(?:印发通知|落款|序言)/u.test(clause.locator))
      .flatMap((clause) => this.search.rankedClause(clause.id) ?? []);
    if (stating.length === 0) return null;
    const composed = composeExtractiveAnswer({
      question,
      query,
      cited: stating,
      // the issuer is read from the whole notice and its signature, not one sentence of it
      focus: asks === 'effective' ? stating.slice(0, 1) : [],
      ...(asks === 'issuer'
        ? { leadLine: this.replies.render(language, 'document_issuer', { title: document.title, issuer: document.issuer, date: dateText(document, language, this.replies) }) }
        : asks === 'addressee'
          ? { leadLine: this.replies.render(language, 'document_addressee', { title: document.title, addressees: addresseesIn(stating[0]!.clause.text) ?? '' }) }
          : {}),
      language,
      replies: this.replies,
      tokenizer: this.search.tokenizer,
      index: this.search.lexicalIndex,
      lexicon: this.search.lexicon,
    });
    return { answer: composed.answer, citations: composed.citations };
  }

  /**
   * Whether a sentence is about what the question asks, so that a prohibition in it answers a
   * yes/no question with 不可以: it must hold the question's most specific concept — "不得将违法失信
   * 单位作为实习单位" shares 实习单位 with "实习单位能不能让我加班" but says nothing about 加班.
   */
  #aboutWhatWasAsked(query: AnalyzedQuery, sentence: string): boolean {
    return this.search.holdsMostSpecific(query, sentence);
  }

  /**
   * Answers a question from one clause the student chose (a clarifying question's choice): the
   * extractive answer with that clause leading, as if retrieval had ranked it first.
   */
  async answerFrom(question: string, clauseId: string): Promise<AnsweredQuestion | null> {
    const started = performance.now();
    const language: Language = isMostlyEnglish(question) ? 'en' : 'zh';
    const { query, results } = await this.search.search(question, 10);
    const chosen = results.find((ranked) => ranked.clause.id === clauseId) ?? this.search.rankedClause(clauseId);
    if (!chosen) return null;
    const composed = composeExtractiveAnswer({
      question,
      query,
      cited: [chosen],
      focus: [chosen],
      language,
      replies: this.replies,
      tokenizer: this.search.tokenizer,
      index: this.search.lexicalIndex,
      lexicon: this.search.lexicon,
      partsOf: (ranked) => this.search.partsOf(ranked),
      verdictFits: (leadText) => this.#aboutWhatWasAsked(query, leadText),
    });
    return {
      outcome: 'answer',
      answer: composed.answer,
      citations: composed.citations,
      retrieved: [chosen, ...results.filter((ranked) => ranked.clause.id !== clauseId)].slice(0, 5).map(toRetrieved),
      latency_ms: Math.round((performance.now() - started) * 100) / 100,
      route: { kind: 'policy' },
      confidence: chosen.coverage,
      language,
      ranked: results,
    };
  }

  /**
   * For a question what something is, does or covers ("创新创业教育包括啥内容", "学业辅导是干嘛的"):
   * the ranked clauses with one among the best few whose heading names that thing ("开展创新创业教育。")
   * first, when the best one's heading does not — a clause about a thing answers what it is; one
   * that names it in a list of others ("通过学业辅导、职业指导教育…") does not.
   */
  #aboutFirst(question: string, query: AnalyzedQuery, results: readonly RankedClause[]): RankedClause[] {
    const [best] = results;
    if (!best || !asksWhatItIs.test(question)) return [...results];
    const subjects = subjectsOf(query.searchText, query.ownTerms);
    if (subjects.length === 0) return [...results];
    // the heading is the thing's name, give or take a verb ("开展…") or a companion ("…与咨询服务"),
    // not a longer phrase that mentions it ("加强专兼职工作人员队伍建设")
    const headed = (ranked: RankedClause): boolean => {
      const heading = clauseHeading(ranked.clause.text)?.replace(/[\p{P}\s]/gu, '');
      return heading !== undefined && subjects.some((subject) => heading.includes(subject) && [...heading].length - [...subject].length <= headingBesideName);
    };
    if (headed(best)) return [...results];
    const about = results.slice(1, maxWeighed).find((ranked) => ranked.coverage >= this.minConfidence && headed(ranked));
    return about ? [about, ...results.filter((ranked) => ranked !== about)] : [...results];
  }

  /** Whether one of the best clauses the answer does not lead with states a count of what a count question asks. */
  #anotherStatesCount(question: string, results: readonly RankedClause[], focus: readonly RankedClause[]): boolean {
    const asked = countAsked(question);
    if (asked === null) return false;
    return results
      .slice(0, countRivals)
      .filter((ranked) => ranked.coverage >= this.minConfidence && !focus.some((led) => led.clause.id === ranked.clause.id))
      .some((ranked) => candidateSentences(ranked.clause.text).some((sentence) => statesCount(sentence, asked)));
  }

  /**
   * The best distinct clauses to offer (one per clause, not several parts of one), at most 3: those
   * that clear the confidence floor. In a knowledge base of one document, where every clause shares
   * its topic and the floor often leaves a single one, the next clauses that hold some of the
   * question fill the list to two or three, so that the student picks instead of being told nothing was found.
   */
  #choices(query: AnalyzedQuery, results: readonly RankedClause[], type: ReturnType<typeof questionTypeOf>): ClarifyChoice[] {
    const clearing = results.filter((ranked) => ranked.coverage >= this.minConfidence);
    const filling = this.search.snapshot.documents.size === 1 ? results.filter((ranked) => ranked.coverage > 0 && ranked.coverage < this.minConfidence) : [];
    const choices: ClarifyChoice[] = [];
    for (const ranked of [...clearing, ...filling]) {
      if (choices.length >= 3) break;
      // a filling clause is offered beside one that clears the floor, never alone
      if (ranked.coverage < this.minConfidence && choices.length === 0) break;
      const base = wholeClauseLocator(ranked.clause.locator);
      if (choices.some((choice) => choice.doc === ranked.document.id && wholeClauseLocator(choice.locator) === base)) continue;
      const lead = leadSentence(ranked.clause.text, query, type, this.search.tokenizer, this.search.lexicalIndex)?.text ?? candidateSentences(ranked.clause.text)[0] ?? '';
      const flat = lead.replace(/\s+/gu, ' ');
      choices.push({
        clauseId: ranked.clause.id,
        doc: ranked.document.id,
        title: ranked.document.title,
        locator: ranked.clause.locator,
        preview: [...flat].length > 48 ? `${[...flat].slice(0, 46).join('')}…` : flat,
      });
    }
    return choices;
  }

  /** The documents the knowledge base answers from, for the out-of-scope reply. */
  #covered(language: Language): string {
    const titles = [...this.search.snapshot.documents.values()]
      .filter((document) => document.versionInfo?.state !== 'superseded')
      .map((document) => `《${document.title}》${document.region && document.region !== '全国' ? `（${document.region}）` : ''}`);
    const shown = titles.slice(0, 8).join(language === 'zh' ? '、' : ', ');
    return titles.length > 8 ? `${shown}${language === 'zh' ? ` 等 ${titles.length} 份` : ` and ${titles.length - 8} more`}` : shown;
  }
}

/** A question what something is, does or covers, or what it is good for. */
const asksWhatItIs = /干嘛|干啥|搞啥|做啥|干什么|做什么|是什么|什么是|啥内容|什么内容|哪些内容|包括|包含|有啥用|有什么用|什么作用|帮我啥|帮我们啥|能帮|具体是|指什么|\bwhat (?:is|are|does|do)\b/iu;

/** How many characters a heading that names a thing may hold beside its name. */
const headingBesideName = 6;

/** Of the best clauses, this many are looked through for one that states the count a lead lacks. */
const countRivals = 3;

/** At most this many of the best clauses are looked through for one about the thing asked. */
const maxWeighed = 5;

/** A clause's heading: its first sentence when that is short and the clause goes on ("开展学业辅导。"); else null. */
function clauseHeading(clauseText: string): string | null {
  const [first, second] = candidateSentences(clauseText, { headings: false });
  return first !== undefined && second !== undefined && [...first].length <= 20 ? first : null;
}

/**
 * What a question names: its words and pairs of adjacent words of three characters or more
 * ("创新创业教育包括啥内容" → 创新创业, 创新创业教育).
 *
 * @example subjectsOf('职业测评能帮我啥', ['职业', '测评', '帮', '啥']) // ['职业测评']
 */
export function subjectsOf(text: string, words: readonly string[]): string[] {
  const han = words.filter((word) => /^\p{Script=Han}+$/u.test(word));
  const joined = han.slice(1).map((word, index) => `${han[index]}${word}`).filter((pair) => text.includes(pair));
  return [...new Set([...han, ...joined].filter((word) => [...word].length >= 3))];
}

/** The care note and the classifier's scores of a route, to carry over to another. */
function pick(route: Extract<Route, { kind: 'policy' | 'abstain' }>): { care?: boolean; scores?: RouteScores } {
  return { ...(route.care ? { care: true } : {}), ...(route.scores ? { scores: route.scores } : {}) };
}

/** A lead sentence that defines a term. */
const definitionLead = /^(?:本(?:办法|规定|条例|细则|意见|标准|通知)|前款|本条)?所称.{1,40}?(?:是指|指的是)|^[^，。；]{0,24}(?:是指|指的是)/u;
/** A question about what a term means or covers, which a definition answers. */
const asksForAMeaning = /是什么|什么是|指什么|指的是|啥意思|什么意思|是指|算不算|算是|属不属于|属于|包括|包含|哪些|哪类|\bwhat (?:is|are|does)\b|\bmean/iu;

/** Whether the first of the best clauses states the kind of answer asked for and no other of them does. */
function onlyFirstStates(type: AnswerType, best: readonly RankedClause[]): boolean {
  const [first, ...rest] = best;
  return first !== undefined && holdsAnswerType(type, first.clause.text) && !rest.some((other) => holdsAnswerType(type, other.clause.text));
}

/** The ranked clauses with one document's clauses that clear the confidence floor first, each group in its order. */
export function documentFirst(results: readonly RankedClause[], document: string, floor: number): RankedClause[] {
  const inDocument = results.filter((ranked) => ranked.document.id === document && ranked.coverage >= floor);
  return [...inDocument, ...results.filter((ranked) => !inDocument.includes(ranked))];
}

/** Questions that ask for every item of something ("有哪些原则"), which a part of a clause would cut short. */
export function asksForAList(question: string): boolean {
  return /哪些|哪几|有什么|包括|包含|都有|\bwhat are\b|\bwhich\b|\blist\b/iu.test(question);
}

/**
 * The separate questions inside one message ("考核看什么？培训有什么要求？"), when there are
 * two or more; each gets its own clause.
 */
export function subQuestions(question: string): string[] {
  const questionWord = /几|多少|吗|什么|哪|怎么|谁|是否|能不能|可不可以|有没有|要不要|\?|？/u;
  const parts = question
    .split(/[？?；;。!！]|[，,]\s*(?:还有|另外|以及|还|又|那|并且)|(?:另外|还有就是|以及)/u)
    .flatMap((sentence) => {
      // "实习单位收培训费，校长每学期检查几次" asks two things; "我是中职生，能实习吗" asks one.
      const [head, ...rest] = sentence.split(/[，,]/u);
      const tail = rest.join('，');
      return rest.length > 0 && questionWord.test(tail) && [...(head ?? '')].length >= 6 ? [head!, tail] : [sentence];
    })
    .map((part) => part.trim())
    .filter((part) => [...part].length >= 4);
  return parts.length >= 2 ? parts.slice(0, 3) : [];
}

/**
 * The parts of a question that asks the same thing of two subjects at once ("课程教学和实践活动
 * 在职业指导里分别是什么地位？"): one question per subject, each with the subject it names.
 */
export function respectiveParts(question: string): { text: string; subject: string }[] {
  const match = /([\p{Script=Han}]{2,8}?)(?:和|与|跟|及)([\p{Script=Han}]{2,8}?)(?=在|对|里|中|的|分别|各自)(.*?)分别(.*)$/u.exec(question);
  if (!match) return [];
  const [, first, second, middle, rest] = match;
  const start = question.slice(0, match.index).split(/[，,。？?；;！!]/u).pop() ?? '';
  if (start.trim() !== '') return [];
  const ask = `${middle}${rest}`.replace(/[？?。!！]+$/u, '');
  return [first!, second!].map((subject) => ({ text: `${subject}${ask}`, subject }));
}

/** The locator of a whole clause, for one of its split parts (第四条（三） → 第四条). */
function wholeClauseLocator(locator: string): string {
  return locator.replace(/（[一二三四五六七八九十]+）$/u, '');
}

function toRetrieved(ranked: RankedClause): RetrievedClause {
  return {
    doc: ranked.document.id,
    locator: ranked.clause.locator,
    text: ranked.clause.text,
    score: Math.round(ranked.score * 1e5) / 1e5,
  };
}
