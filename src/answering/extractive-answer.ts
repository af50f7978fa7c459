import type { RankedClause } from '../retrieval/hybrid-search.ts';
import type { AnalyzedQuery } from '../retrieval/query.ts';
import type { Bm25Index } from '../retrieval/bm25.ts';
import type { Tokenizer } from '../retrieval/tokenizer.ts';
import type { Lexicon } from '../retrieval/lexicon.ts';
import type { Language, Replies } from '../prompts.ts';
import type { Citation } from './types.ts';
import type { DocumentInfo } from '../knowledge/snapshot.ts';
import { caveatsFor, dateText } from './caveats.ts';
import { answeredBy, schoolAnswerType } from '../knowledge/school-qa.ts';
import { citationVersion } from '../knowledge/version-citations.ts';
import { leadSentence, leadTypeOf, type LeadSentence } from './lead-sentence.ts';

/** A lead sentence ending as a sentence does: its own 。！？, or 。 in place of ；，、. */
function asSentence(text: string): string {
  const trimmed = text.trim().replace(/[；;，,、：:]$/u, '');
  return /[。！？!?]$/u.test(trimmed) ? trimmed : `${trimmed}。`;
}

export interface ExtractiveAnswer {
  answer: string;
  citations: Citation[];
  cited: RankedClause[];
  /** The lead sentence taken from each focus clause (null where none holds a word of the question). */
  leads: (LeadSentence | null)[];
}

const yesNoQuestion = /吗[？?]?$|吗[？?]|能不能|可不可以|可以不|是不是|是否|有没有|让不让|行不行|合理吗|合法吗|(\p{Script=Han})不\1|\b(?:can|may|must|is it|are they|do they|does|should|is|are)\b/iu;
const prohibition = /^(?:不得|严禁|禁止|不能|不准|不允许|杜绝)/u;

/** Whether two ranked clauses are parts of one split clause. */
function sameClause(x: RankedClause, y: RankedClause): boolean {
  return x.document.id === y.document.id && x.clause.locator.startsWith(y.clause.locator.replace(/（.+）$/u, '')) &&
    Math.abs(x.clause.ordinal - y.clause.ordinal) <= Math.max(x.clause.parts, y.clause.parts);
}

/**
 * The clauses worth citing: the best one; another part of the same clause when it matches too;
 * and a different clause when it matches nearly as well as the best. `focus` are the ones the
 * direct answer quotes from: the best, and a different second clause (not a mere sibling part).
 */
export function chooseCited(results: readonly RankedClause[]): { cited: RankedClause[]; focus: RankedClause[] } {
  const [best, ...rest] = results;
  if (!best) return { cited: [], focus: [] };
  for (const candidate of rest.slice(0, 2)) {
    const sibling = best.clause.parts > 1 && sameClause(candidate, best);
    const threshold = sibling ? 0.5 : 0.8;
    if (candidate.coverage >= best.coverage * threshold && candidate.score >= best.score * (sibling ? 0.6 : 0.85)) {
      const pair = [best, candidate].sort((x, y) => (x.document.id === y.document.id ? x.clause.ordinal - y.clause.ordinal : 0));
      return { cited: pair, focus: sibling ? [best] : [best, candidate] };
    }
  }
  return { cited: [best], focus: [best] };
}

/** A clause split in more parts than this is read from its cited parts only. */
const maxPartsRead = 8;

/** The parts of a focus clause its lead may come from, in order: all of them, or the cited ones. */
function partsToRead(ranked: RankedClause, cited: readonly RankedClause[], partsOf?: (ranked: RankedClause) => RankedClause[]): RankedClause[] {
  if (ranked.clause.parts <= 1) return [ranked];
  const all = partsOf?.(ranked) ?? [];
  const parts = all.length > 1 && all.length <= maxPartsRead ? all : [ranked, ...cited.filter((other) => other.clause.id !== ranked.clause.id && sameClause(other, ranked))];
  return [...parts].sort((x, y) => x.clause.ordinal - y.clause.ordinal);
}

/** Adds `part` to `cited` (when missing) right after the cited parts of its clause, in order. */
function citeBeside(cited: RankedClause[], part: RankedClause): void {
  if (cited.some((clause) => clause.clause.id === part.clause.id)) return;
  const siblings = cited.map((clause, position) => ({ clause, position })).filter(({ clause }) => sameClause(clause, part));
  const after = siblings.filter(({ clause }) => clause.clause.ordinal < part.clause.ordinal).at(-1);
  const before = siblings.find(({ clause }) => clause.clause.ordinal > part.clause.ordinal);
  const at = after ? after.position + 1 : before ? before.position : cited.length;
  cited.splice(at, 0, part);
}

/**
 * Builds an answer from the clauses alone: a direct line made of the best-matching fragments, the
 * quoted clauses, their sources and the caveats that apply. Every word of substance in it is the
 * clause's own.
 */
export function composeExtractiveAnswer(input: {
  question: string;
  query: AnalyzedQuery;
  /** Every clause quoted, in the order shown. */
  cited: RankedClause[];
  /** The clauses the direct line answers from (the best one first); each gives its best fragment. */
  focus: RankedClause[];
  language: Language;
  replies: Replies;
  tokenizer: Tokenizer;
  index: Bm25Index;
  lexicon: Lexicon;
  /** Every part of a clause stored in several (`HybridSearch.partsOf`): the lead may come from any of them. */
  partsOf?: (ranked: RankedClause) => RankedClause[];
  /** The separate questions of a message that asks several, each with the clause found for it. */
  asked?: readonly { question: string; query: AnalyzedQuery; clauseId: string }[];
  /** A line the caller states itself (who issued the document) in place of a sentence from `focus`. */
  leadLine?: string;
  /**
   * Whether a lead sentence is about what a yes/no question asks, so that its prohibition may open
   * the answer with 不可以 (a clause the student chose may forbid something else).
   */
  verdictFits?: (leadText: string) => boolean;
}): ExtractiveAnswer {
  const { question, query, focus, language, replies, tokenizer, index } = input;
  const cited = [...input.cited];
  // each clause answers with the words of the questions it was found for (all of them by default)
  const asked = input.asked ?? [];
  const leadsOf = focus.map((ranked) => {
    const questions = asked.filter((part) => part.clauseId === ranked.clause.id);
    const parts = partsToRead(ranked, cited, input.partsOf);
    // a clause leads with the whole question first, then with each part found in it
    const found = [{ question, query }, ...questions].map((part) =>
      leadSentence(parts.map((each) => each.clause.text), part.query, leadTypeOf(part.question), tokenizer, index, parts.indexOf(ranked)),
    );
    // the part a lead comes from is quoted too, next to the other parts of its clause
    for (const lead of found) for (const position of lead?.parts ?? []) citeBeside(cited, parts[position]!);
    const overlaps = (x: LeadSentence, y: LeadSentence): boolean => x.text.includes(y.text) || y.text.includes(x.text);
    return found.filter((lead, position) => lead !== null && !found.slice(0, position).some((other) => other !== null && overlaps(other, lead)));
  });
  const leads = leadsOf.map((found) => found[0] ?? null);
  const direct = focus.flatMap((ranked, position) => leadsOf[position]!.flatMap((lead) => (lead ? [{ ranked, text: lead.text }] : [])));
  const verdict =
    yesNoQuestion.test(question) && direct.length > 0 && prohibition.test(direct[0]!.text) && (input.verdictFits?.(direct[0]!.text) ?? true)
      ? replies.render(language, 'verdict_prohibited')
      : '';
  const directLines = direct.map(({ ranked, text }, index) =>
    replies.render(language, 'answer_direct', {
      verdict: index === 0 ? verdict : '',
      title: ranked.document.title,
      locator: ranked.clause.locator,
      sentences: asSentence(text),
    }),
  );
  if (input.leadLine !== undefined) directLines.splice(0, directLines.length, input.leadLine);
  if (directLines.length === 0) {
    const lead = cited[0]!;
    directLines.push(
      replies.render(language, 'answer_direct', { verdict: '', title: lead.document.title, locator: lead.clause.locator, sentences: '' }),
    );
  }

  const lines: string[] = [...directLines];
  lines.push('', replies.render(language, 'answer_quote_heading'));
  for (const { clause } of cited) {
    lines.push(replies.render(language, 'answer_quote', { locator: clause.locator, text: clause.text }));
  }
  if (language === 'en') {
    const glossed = glossTerms(cited.map(({ clause }) => clause.text).join(''), input.lexicon);
    if (glossed.length > 0) lines.push('', replies.render(language, 'glossary_heading'), glossed.join('; '));
  }
  lines.push('', replies.render(language, 'answer_source_heading'));
  const seen = new Set<string>();
  for (const { clause, document } of cited) {
    const source = sourceLine(document, clause.locator, language, replies, clause.headingPath);
    if (!seen.has(source)) lines.push(source);
    seen.add(source);
  }
  const caveats = caveatsFor(question, cited, language, replies);
  if (caveats.length > 0) lines.push('', replies.render(language, 'caveat_heading'), ...caveats.map((caveat) => `· ${caveat}`));

  return {
    answer: lines.join('\n'),
    leads,
    cited,
    citations: cited.map(({ clause, document }) => ({
      doc: document.id,
      title: document.title,
      locator: clause.locator,
      text: clause.text,
      ...citationVersion(document),
    })),
  };
}

/** English glosses of the glossary terms that occur in the quoted Chinese, longest first, at most 8. */
function glossTerms(chinese: string, lexicon: Lexicon): string[] {
  const byChinese = new Map<string, string>();
  for (const [english, terms] of lexicon.glossary) {
    for (const term of terms) {
      const known = byChinese.get(term);
      if ([...term].length >= 2 && chinese.includes(term) && (known === undefined || english.length > known.length)) {
        byChinese.set(term, english);
      }
    }
  }
  const terms = [...byChinese.keys()].sort((x, y) => [...y].length - [...x].length);
  const kept: string[] = [];
  for (const term of terms) {
    if (kept.some((longer) => longer.includes(term))) continue;
    kept.push(term);
    if (kept.length >= 8) break;
  }
  return kept.map((term) => `${term} = ${byChinese.get(term)}`);
}

/**
 * The citation line of a clause: 《title》locator｜issuer｜region｜date; for the school's own
 * answers (`type: 校内答复`), 《title》locator｜who答复｜date, read from the clause's headings.
 *
 * @example sourceLine(document, '第十五条', 'zh', replies) // '《中等职业学校职业指导工作规定》第十五条｜教育部｜全国｜2018年…'
 * @example sourceLine(schoolQa, '第三条', 'zh', replies, clause.headingPath) // '《本校就业指导问答》第三条｜李老师答复｜2026-12-02'
 */
export function sourceLine(document: DocumentInfo, locator: string, language: Language, replies: Replies, headingPath: readonly string[] = []): string {
  if (document.type === schoolAnswerType) {
    const by = answeredBy(headingPath);
    return replies.render(language, 'answer_source_school', {
      title: document.title,
      locator,
      author: by?.author ?? document.issuer,
      date: by?.date ?? dateText(document, language, replies),
    });
  }
  return replies.render(language, 'answer_source', {
    title: document.title,
    locator,
    issuer: document.issuer,
    region: document.region,
    date: dateText(document, language, replies),
  });
}
