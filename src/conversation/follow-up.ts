import { namesASide, swapSide } from '../answering/contrasts.ts';
import { asksForSource, namesTheDocument, sourceAsked, type DocumentAsks } from '../answering/document-question.ts';
import { asksForSteps, statesSteps, withoutQuestionWords } from '../answering/question-type.ts';
import type { Citation } from '../answering/types.ts';
import { audienceMisses, schoolTypesIn } from '../retrieval/hybrid-search.ts';
import { normalizeText } from '../retrieval/normalize.ts';
import { toSimplified } from '../retrieval/simplified.ts';
import {
  ageIn,
  ageWordsIn,
  asksAQuestion,
  changesSubject,
  countIn,
  countWordsIn,
  gradeIn,
  numberFrom,
  opensContinuation,
  ownRegionIn,
  ownWordsOf,
  pointsBack,
  standsForSubject,
  regionIn,
  regionKey,
  regionStem,
  schoolAsWritten,
  schoolIn,
  supposes,
  uncoveredIn,
  withoutSubjectChange,
  type SchoolType,
} from './slots.ts';
import type { LastTurn } from './types.ts';

/** What a question about the source asks: who issued it, when, for which region, or just which document. */
export type SourceAsks = DocumentAsks | 'document';

/** How a message relates to the previous answer. */
export type FollowUp =
  /** "这个是哪个文件规定的？" / "谁发的" / "哪年的" — the source of the previous answer. */
  | { kind: 'source'; asks: SourceAsks }
  /** "详细说说第二点" — the n-th point (1-based) of the clause just quoted. */
  | { kind: 'point'; index: number }
  /**
   * "那高职呢？" / "具体怎么申请" — the previous question with one slot replaced, or asked again
   * about its topic; `document`, the document the previous answer cited, is asked about again.
   */
  | {
      kind: 'rewrite';
      question: string;
      document?: string;
      slot?: SwappedSlot;
      /**
       * Set when the follow-up swaps no slot but asks something new about the same topic ("具体怎么申请",
       * "那要多久"): an answer that only repeats the previous one does not answer it.
       */
      asksOn?: true;
      /**
       * "在山东呢" after a question about 中职 (or "那中职呢" after one about 山东高校) when no document of
       * that region serves that kind of school: the swap left the other slot out, and the answer must say so.
       */
      unserved?: UnservedSlot;
      /**
       * Set when the follow-up changes only a detail of the same question — a number of people, an
       * age, a year of study ("那2000人呢", "要是我15呢"): the clause just answered is where to look first.
       */
      detail?: true;
    }
  /**
   * "投诉多久有结果" — a question of its own: answered as it stands (a new frame); only when it
   * finds no answer alone is it asked again as `framed`, within the previous question's region,
   * kind of school and document. A question opened by "那"/"and" ("那测评结果多久给我") says it
   * goes on where the previous one was asked: `framedFirst`, it is read in the frame first.
   */
  | {
      kind: 'new-question';
      framed: string;
      framedFirst: boolean;
      document?: string;
      /**
       * A question that points back ("也", "别的", "这个") at a topic it leaves unsaid: read last, with
       * the previous question's topic, when neither reading above finds an answer.
       */
      onTopic?: string;
    }
  /** "那普通高中呢？" — a kind of school or study the documents do not cover at all. */
  | { kind: 'uncovered'; subject: string }
  /** "那我们省呢" when the student never said where they are: ask which region they mean. */
  | { kind: 'which-region' };

/**
 * A region whose documents do not serve a kind of school, met by a swap: `swapped` says which of the
 * two the follow-up named (the region: "在山东呢"; the school: "那中职呢"); `documents` are the region's.
 */
export interface UnservedSlot {
  region: string;
  school: SchoolType;
  swapped: 'region' | 'school';
  documents: string[];
  /** The kind of school the region's documents do serve, if they name one. */
  served?: SchoolType;
}

/** The region or kind of school a follow-up named in place of the previous one's. */
export interface SwappedSlot {
  region?: string;
  school?: SchoolType;
}

/**
 * Whether a document is one the swapped slot names: of that region, or written for that kind of
 * school. A clarifying question between clauses is then already answered by the slot.
 */
export function fitsSlot(slot: SwappedSlot, document: { region: string; audience: string }): boolean {
  if (slot.region && regionKey(document.region) !== regionKey(slot.region)) return false;
  if (slot.school && !schoolTypesIn(document.audience).has(slot.school)) return false;
  return slot.region !== undefined || slot.school !== undefined;
}

/** The documents a follow-up can be read against: their region and audience (for kind-of-school swaps). */
export interface FrameKnowledge {
  documents: ReadonlyArray<{ id: string; region: string; audience: string }>;
}

export { numberFrom, ageIn };

const pointQuestion = /第\s*([一二两三四五六七八九十\d]+)\s*(?:点|条|项|个|部分)/u;

/** Whether the message names a region other than that of the document the previous answer cited first. */
function namesAnotherRegion(text: string, last: LastTurn, knowledge?: FrameKnowledge): boolean {
  const named = regionIn(text);
  const cited = knowledge?.documents.find((document) => document.id === last.citations[0]?.doc);
  return named !== null && cited !== undefined && regionKey(cited.region) !== regionKey(named.word);
}

/** A message naming no more characters of its own than this leaves its topic to the previous question. */
const ellipticalLength = 3;

const english = (text: string): boolean => /^[\x00-\x7f]+$/u.test(text);

/**
 * Reads a message against the previous question's frame — its kind of school, region, age,
 * year of study, document and topic — or returns null for a message that is no follow-up.
 * A message that only names a slot ("那中职呢", "在山东呢", "如果我15岁呢") replaces that slot
 * in the previous question; one that only asks ("具体怎么申请", "还有别的要求吗") asks about the
 * previous topic; one with a topic of its own is a new question, read in the frame only when it
 * finds no answer alone. Source and point questions read the previous answer's citations.
 *
 * @example resolveFollowUp('那高职呢？', last) // { kind: 'rewrite', question: '高校要配几名职业指导老师？' }
 */
export function resolveFollowUp(message: string, last: LastTurn | null | undefined, knowledge?: FrameKnowledge, home?: string | null): FollowUp | null {
  if (!last) return null;
  const text = normalizeText(toSimplified(message));
  const length = [...text].length;
  const short = length <= 24 || (english(text) && text.split(/\s+/u).length <= 14);
  if (!short) return null;
  if (changesSubject.test(text)) {
    // "对了 女生找工作学校会帮吗": another topic, but the student is still where they said and at
    // the school they said; read alone first, in that situation only when alone it finds nothing
    const situation = scopeOf(normalizeText(last.resolved), { school: schoolIn(text), region: regionIn(text) });
    const asked = withoutSubjectChange(text);
    return situation.length > 0 && asked !== text ? { kind: 'new-question', framed: `${situation.join(' ')} ${asked}`, framedFirst: false } : null;
  }
  const answered = last.outcome === 'answer';
  if (answered && asksForSource.test(text) && (length <= 16 || english(text))) {
    // "山东那个职业指导的文件是谁发的" after a 河南 answer asks about another document, read on its own
    if (namesAnotherRegion(text, last, knowledge)) return null;
    return { kind: 'source', asks: sourceAsked(text) };
  }
  const point = answered ? pointQuestion.exec(text) : null;
  if (point) {
    const index = numberFrom(point[1]!);
    if (index !== null && index > 0) return { kind: 'point', index };
  }
  const previous = normalizeText(last.resolved);
  const own = ownWordsOf(text);
  const ownTopic = [...own.replace(/[^\p{Script=Han}]/gu, '')].length >= 2 || /[a-z]{3,}/u.test(own);
  const school = schoolIn(text);
  // "我们省" is the region the student said they are in, when they said it
  const ownRegion = ownRegionIn(text);
  const region = regionIn(text) ?? (ownRegion && home ? { word: home, index: text.indexOf(ownRegion) } : null);
  if (ownRegion && !region && !ownTopic) return { kind: 'which-region' };
  const age = ageIn(text);
  const grade = gradeIn(text);
  const count = countIn(text);
  const uncovered = uncoveredIn(text);
  if (uncovered && !school && !ownTopic) return { kind: 'uncovered', subject: uncovered };
  const documentRegion = answered ? regionOfCitedDocument(last, knowledge) : null;
  const cited = answered && last.citations[0] ? { document: last.citations[0].doc } : {};
  const asked = askingPart(text);

  if ((school || region || age !== null || grade || count) && !ownTopic) {
    let question = previous;
    if (school) question = withSchool(question, school.type, knowledge);
    if (region) question = withRegion(question, region.word, knowledge);
    if (age !== null) question = withAge(question, age);
    if (grade) question = withSlot(question, gradeIn(question), grade);
    if (count) question = withCount(question, text, count);
    // what it asks besides the slot ("河南也一样吗" → "也一样吗"): the slot is in the question already
    let askedBesides = asked;
    for (const word of [region?.word, school?.word, ownRegion]) if (word) askedBesides = askedBesides.replace(word, ' ');
    askedBesides = askedBesides.replace(/\s+/gu, ' ').trim();
    if (askedBesides !== '' && asksAQuestion(askedBesides)) question = `${withoutQuestionWords(question)} ${askedBesides}`;
    const slot: SwappedSlot = { ...(region ? { region: region.word } : {}), ...(school ? { school: school.type } : {}) };
    const unserved = unservedBy(previous, { region, school }, knowledge);
    // "在山东呢" after a 中职 question, where 山东's documents serve 高校: asked for the kind of school
    // they serve, which the answer then names
    if (unserved?.swapped === 'region' && unserved.served) question = withSchool(question, unserved.served, knowledge);
    return { kind: 'rewrite', question, ...(region || school ? { slot } : { detail: true }), ...(unserved ? { unserved } : {}) };
  }
  if (!ownTopic) {
    // "那要多久" / "具体怎么申请" / "还有别的要求吗": the same topic (and document), a new question about it
    if (asked === '') return null;
    const base = asksAQuestion(asked) ? withoutQuestionWords(previous) : previous;
    const scope = documentRegion && !regionIn(base) ? `${documentRegion} ` : '';
    return { kind: 'rewrite', question: `${scope}${base} ${asked}`, ...cited, asksOn: true };
  }
  // Words of its own that the previous question holds too ("协议里都写些啥" after "要签协议吗"), or a
  // pronoun for its subject ("那他要去实习单位吗" after a question about the 校长): the same topic, read on.
  if (sharesWords(own, previous) || standsForSubject.test(text)) {
    const scope = documentRegion && !regionIn(previous) && !region ? `${documentRegion} ` : '';
    return { kind: 'rewrite', question: `${scope}${withoutQuestionWords(previous)} ${asked}`, ...cited, asksOn: true };
  }
  // A topic of its own. "那押金呢" names a new topic where the previous question was asked: keep
  // its region and kind of school, drop what it was about.
  const scope = scopeOf(previous, { school, region, count });
  const linked = opensContinuation.test(text) || /呢$/u.test(text.replace(/[?？!！。.\s]+$/u, '')) || supposes.test(text) || pointsBack.test(text);
  if (!asksAQuestion(asked) && linked) {
    const added = asked === '' ? own : asked;
    // "那兼职的呢" after "专职人员要什么证": the other side of the same thing, asked the same way
    if (namesASide(text)) return { kind: 'rewrite', question: swapSide(text, previous) ?? `${previous} ${added}` };
    return { kind: 'rewrite', question: scope.length > 0 ? `${scope.join(' ')} ${added}` : `${previous} ${added}` };
  }
  if (documentRegion && !scope.some((word) => regionIn(word)) && !region) scope.unshift(documentRegion);
  if (scope.length === 0) {
    // "结果多久能出来" after a question about 测评 says too little to stand alone: when alone it finds
    // no answer, it is read with the previous question's topic
    if ([...own.replace(/[^\p{Script=Han}]/gu, '')].length > ellipticalLength) return null;
    return { kind: 'new-question', framed: `${withoutQuestionWords(previous)} ${text}`, framedFirst: false };
  }
  // "学校能拿去干别的吗" after a question about 就业经费 points back at what it leaves unsaid: when it finds
  // nothing alone or where it was asked, it is read with the previous question's topic
  // (a question about "文件里说的…" points at the document, not at a topic)
  const onTopic = pointsBack.test(askingPart(text)) && !namesTheDocument.test(text) ? { onTopic: `${withoutQuestionWords(previous)} ${text}` } : {};
  return { kind: 'new-question', framed: `${scope.join(' ')} ${text}`, framedFirst: opensContinuation.test(text), ...onTopic, ...(namesTheDocument.test(text) ? cited : {}) };
}

/**
 * Whether a lead (the sentences an answer opens with) can answer a follow-up, when it only says
 * again what was answered before: a question for the steps of applying ("具体怎么申请") must find a
 * step in it, and a question with a topic of its own (`newTopicAfter`, the previous question: "收不收钱",
 * "对口升学要考啥") one of the words it adds to that question — else the document says no more on it.
 * A follow-up on the same topic ("那他要去实习单位看我们吗") may well be answered by the same rule.
 *
 * @example leadAnswers('具体怎么申请', ['申请资助的必须是全日制在校生。']) // false
 * @example leadAnswers('去那咨询收不收钱', ['各高校要设立职业生涯咨询工作室。'], '山东的大学必须设职业生涯咨询工作室吗') // false
 */
export function leadAnswers(
  message: string,
  lead: readonly string[],
  newTopicAfter: string | null = null,
  documentsWordsFor: (words: string) => readonly string[] = () => [],
): boolean {
  const text = normalizeText(toSimplified(message));
  const said = lead.join('').toLowerCase();
  if (asksForSteps(text) && !statesSteps(said)) return false;
  if (newTopicAfter === null) return true;
  const fresh = newWordsOf(ownWordsOf(text), normalizeText(newTopicAfter));
  if (fresh.length === 0) return true;
  // a new word is said in the lead as the documents say it ("生效" → 施行)
  const documentsWords = documentsWordsFor(fresh.map(({ run }) => run).join(' '));
  return [...fresh.map(({ word }) => word), ...documentsWords].some((word) => said.includes(word.toLowerCase()));
}

/** Whether a message names something of its own the previous question did not ("创业计划" after a question about 协议). */
export function namesSomethingNew(message: string, previousQuestion: string): boolean {
  return newWordsOf(ownWordsOf(normalizeText(toSimplified(message))), normalizeText(previousQuestion)).length > 0;
}

/**
 * What a message names that the previous question did not: the pairs of characters of its own
 * words the previous question does not hold ("收不收钱" after a question about 咨询: 收钱), each with
 * the run of words it is in.
 */
function newWordsOf(own: string, previous: string): { word: string; run: string }[] {
  // English words are left out: the clauses a lead quotes are in Chinese
  const runs = own.replace(/[^\p{Script=Han}]+/gu, ' ').split(' ').filter((run) => run.length >= 2);
  return runs.flatMap((run) => {
    const pairs = bigramsOf(run);
    // "学校咨询" after a question about 中职学校 and 咨询: 校咨 only joins two words the previous
    // question holds, it names nothing new
    const old = new Set(pairs.flatMap((pair, i) => (previous.includes(pair) ? [i, i + 1] : [])));
    return pairs.flatMap((word, i) => (previous.includes(word) || (old.has(i) && old.has(i + 1)) ? [] : [{ word, run }]));
  });
}

function bigramsOf(run: string): string[] {
  return [...Array(Math.max(0, run.length - 1)).keys()].map((i) => run.slice(i, i + 2));
}

/**
 * Whether every word a message names of its own is in the previous question (the same topic named
 * again: "协议里都写些啥" after "要签协议吗"), not just one shared word of the domain.
 */
function sharesWords(own: string, previous: string): boolean {
  const runs = own.replace(/[^\p{Script=Han}]+/gu, ' ').split(' ').filter((run) => run.length >= 2);
  const words = own.match(/[a-z]{4,}/gu) ?? [];
  if (runs.length + words.length === 0) return false;
  return runs.every((run) => bigramsOf(run).every((pair) => previous.includes(pair))) && words.every((word) => new RegExp(`\\b${word}`, 'u').test(previous));
}

/** The message without its opening "那"/"and", its supposition and its particles: what it says or asks. */
function askingPart(text: string): string {
  return text
    .replace(opensContinuation, '')
    .replace(/^(?:如果|假如|要是|万一|假设|what if|if)\s*/iu, '')
    .replace(/呢?[?？!！。.\s]*$/u, '')
    .trim();
}

/** The region of the document the previous answer cited first, when it is regional (拉萨市, not 全国). */
function regionOfCitedDocument(last: LastTurn, knowledge: FrameKnowledge | undefined): string | null {
  const cited = last.citations[0];
  if (!cited || !knowledge) return null;
  const region = knowledge.documents.find((document) => document.id === cited.doc)?.region;
  return region && region !== '全国' ? regionStem(region) : null;
}

/**
 * The region and kind of school a swap brings together when none of the region's documents serves
 * that kind of school: a region named after a question about a kind of school, or the reverse.
 */
function unservedBy(
  previous: string,
  named: { region: { word: string } | null; school: { type: SchoolType } | null },
  knowledge: FrameKnowledge | undefined,
): UnservedSlot | undefined {
  if (!knowledge || (named.region && named.school)) return undefined;
  const region = named.region?.word ?? regionIn(previous)?.word;
  const school = named.school?.type ?? schoolIn(previous)?.type;
  if (!region || !school || regionServes(region, school, knowledge)) return undefined;
  const key = regionKey(region);
  const documents = knowledge.documents.filter((document) => regionKey(document.region) === key);
  const served = documents.flatMap(({ audience }) => [...schoolTypesIn(audience)]).find((type): type is SchoolType => type === '中职' || type === '高校');
  return { region, school, swapped: named.region ? 'region' : 'school', documents: documents.map(({ id }) => id), ...(served ? { served } : {}) };
}

/** Whether the knowledge base has documents for a region, and whether any of them serves a kind of school. */
function regionServes(regionWord: string, type: SchoolType, knowledge: FrameKnowledge | undefined): boolean {
  if (!knowledge) return true;
  const key = regionKey(regionWord);
  const documents = knowledge.documents.filter((document) => regionKey(document.region) === key);
  if (documents.length === 0) return true;
  return documents.some((document) => !audienceMisses(new Set([type]), document.audience));
}

/** The question with its kind of school replaced (or added); a region none of whose documents serve that school is dropped. */
function withSchool(question: string, type: SchoolType, knowledge: FrameKnowledge | undefined): string {
  const before = schoolIn(question);
  const written = schoolAsWritten(type, english(question));
  let rewritten = question;
  if (!before) rewritten = `${written} ${question}`;
  else if (before.type !== type) rewritten = question.replace(new RegExp(`${escape(before.word)}(?:学校|院校)?`, 'u'), written);
  const region = regionIn(rewritten);
  if (region && !regionServes(region.word, type, knowledge)) rewritten = rewritten.replace(region.word, ' ').replace(/\s+/gu, ' ').trim();
  return rewritten;
}

/** The question with its region replaced (or added); a kind of school the new region's documents do not serve is dropped. */
function withRegion(question: string, word: string, knowledge: FrameKnowledge | undefined): string {
  const before = regionIn(question);
  let rewritten = question;
  if (!before) rewritten = `${word} ${question}`;
  else if (regionKey(before.word) !== regionKey(word)) {
    // "辽宁" for "山东省" keeps the document's way of writing it: "辽宁省"
    const suffix = /[省市]$/u.test(before.word) && !/[省市]$/u.test(word) && /\p{Script=Han}/u.test(word) ? before.word.slice(-1) : '';
    rewritten = question.replace(before.word, word + suffix);
  }
  const school = schoolIn(rewritten);
  if (school && !regionServes(word, school.type, knowledge)) rewritten = rewritten.replace(school.word, ' ').replace(/\s+/gu, ' ').trim();
  return rewritten;
}

/** The question with its age replaced (or added). */
function withAge(question: string, age: number): string {
  const before = ageWordsIn(question);
  if (!before) return `${question} ${age}周岁`;
  return question.replace(before, before.replace(/\d{1,2}|[一二三四五六七八九十]{1,3}/u, String(age)));
}

/**
 * The question with its number of people replaced (or added): "那要是1600人呢" after "…我们毕业生800人"
 * keeps what was counted (毕业生1600人).
 */
function withCount(question: string, message: string, count: string): string {
  const before = countWordsIn(question);
  if (!before) return `${question} ${count}`;
  const said = countWordsIn(message);
  // a number without what it counts ("1600人") replaces only the number
  const number = /\d[\d,]*(?:\.\d+)?[十百千万]?|[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]*/u;
  const bare = said !== null && new RegExp(`^(?:${number.source})\\s*[个名位人]$`, 'u').test(said);
  return question.replace(before, bare ? before.replace(number, number.exec(said)![0]) : count);
}

/** The question with one slot's words replaced, or the new words added. */
function withSlot(question: string, before: string | null, now: string): string {
  return before ? question.replace(before, now) : `${question} ${now}`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/** Where a question applies — its region and kind of school, as they come in it — with the message's own in their place. */
function scopeOf(question: string, named: { school: ReturnType<typeof schoolIn>; region: ReturnType<typeof regionIn>; count?: string | null }): string[] {
  const words: { word: string; index: number }[] = [];
  const school = schoolIn(question);
  const region = regionIn(question);
  // "2000个毕业生": the size of the student's school is where they are too
  const count = countWordsIn(question);
  if (region && !named.region) words.push(region);
  if (school && !named.school) words.push(school);
  if (count && !named.count) words.push({ word: count, index: question.lastIndexOf(count) });
  return words.sort((x, y) => x.index - y.index).map(({ word }) => word);
}

/**
 * The n-th point of the clause the previous answer quoted, with the citation it is in. A long
 * clause is cited as several parts (第四条, 第四条（三）, 第四条（四）), which count as one list;
 * the first clause with that many numbered items is meant, else the n-th sentence of the first.
 */
export function pointIn(citations: readonly Citation[], index: number): { text: string; citation: Citation } | null {
  const clauses: Citation[][] = [];
  for (const citation of citations) {
    const clause = clauses.find(([first]) => first!.doc === citation.doc && isPartOf(citation.locator, first!.locator));
    if (!clause) clauses.push([citation]);
    else if (!clause.some((part) => part.text === citation.text)) clause.push(citation);
  }
  for (const parts of clauses) {
    const items = parts.flatMap((citation) => subItems(citation).map((text) => ({ text, citation })));
    if (items.length >= index) return items[index - 1]!;
  }
  const [first] = clauses;
  if (!first || subItems(first[0]!).length > 0) return null;
  const text = pointOf(first[0]!, index);
  return text === null ? null : { text, citation: first[0]! };
}

/** Whether a locator is the base clause's or one of its split parts' (第四条（三） of 第四条). */
function isPartOf(locator: string, base: string): boolean {
  if (locator === base) return true;
  return locator.startsWith(base) && /^(?:（[一二三四五六七八九十]+）|[（(]\d+[)）]|\d+[.．、])$/u.test(locator.slice(base.length));
}

function subItems(citation: Citation): string[] {
  return citation.text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^(?:（[一二三四五六七八九十]+）|[（(]\d+[)）]|\d+[.．、](?!\d))/u.test(line));
}

/** The n-th point of a clause: its n-th sub-item （二） / (2) / 2., else its n-th sentence. */
export function pointOf(citation: Citation, index: number): string | null {
  const lines = citation.text.split('\n');
  const marked = lines.filter((line) => /^(?:（[一二三四五六七八九十]+）|[（(]\d+[)）]|\d+[.．、](?!\d))/u.test(line.trim()));
  if (marked.length >= index) return marked[index - 1]!.trim();
  const sentences = citation.text.match(/[^。；！？]+[。；！？]?/gu)?.map((sentence) => sentence.trim()).filter(Boolean) ?? [];
  if (sentences.length >= index) return sentences[index - 1]!;
  return null;
}
