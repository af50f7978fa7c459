import type { WeightedQuery } from './bm25.ts';
import type { Lexicon } from './lexicon.ts';
import { isMostlyEnglish, normalizeText } from './normalize.ts';
import { toSimplified } from './simplified.ts';
import type { Tokenizer } from './tokenizer.ts';
import { answerTypeOf, type AnswerType } from './answer-types.ts';

export { answerTypeOf } from './answer-types.ts';

/** One thing a question asks about: the student's terms for it, and phrases a clause may use instead. */
export interface Concept {
  terms: string[];
  phrases: string[];
  /**
   * The other Chinese words of the thesaurus groups the student's word belongs to (申领 for
   * 申请): not searched for (expansion runs one way), but a clause that holds one holds the concept.
   */
  kin?: string[];
}

/** A student's question made ready for search. */
export interface AnalyzedQuery {
  /** The question as typed, normalised. */
  text: string;
  english: boolean;
  /** Chinese search text: the question itself, or the glossary's rendering of an English one. */
  searchText: string;
  /** The student's own terms (weight 1) and synonym expansions (weight below 1). */
  terms: WeightedQuery;
  /** The student's own content terms, before expansion. */
  ownTerms: string[];
  /**
   * The own terms search mode cut from a longer word the student typed, each with that word
   * (人员 → 工作人员, 机构 → 服务机构): other ways to find the one word, so together they count once.
   */
  pieces: Map<string, string>;
  /** The head of each long compound the student typed (个人所得税 → 所得税); see `headsOf`. */
  heads: Map<string, string>;
  /**
   * What the question asks about, as concepts: a synonym the student used (its words, and every
   * phrase that means the same), a repaired typo, or a single own term.
   */
  concepts: Concept[];
  /** What kind of answer the question wants, when its words say (a quantity, a time, an amount of money, a date). */
  answerType: AnswerType | null;
  /** Words the search added to repair typos (homophones), filled in by the search. */
  repairs: string[];
}

/** How much an expansion counts next to the student's own words. */
const synonymWeight = 0.6;

/** How much a question-type hint (多久 → 工作日) counts. */
const hintWeight = 0.3;

/** Single Han characters are mostly function words or the debris of a typo. */
const singleCharacterWeight = 0.5;

const englishWord = /[a-z0-9]+(?:[-'][a-z0-9]+)*/gu;

/** A run of English words the glossary knows, with its Chinese terms. */
interface GlossedPhrase {
  english: string;
  chinese: string[];
}

/**
 * Walks the English words of a text, longest glossary phrase first (up to four words): each
 * known phrase with its Chinese terms, each unknown word on its own (`chinese` empty).
 */
function glossedWords(text: string, lexicon: Pick<Lexicon, 'glossary'>): GlossedPhrase[] {
  const words = normalizeText(text).match(englishWord) ?? [];
  const out: GlossedPhrase[] = [];
  for (let i = 0; i < words.length; ) {
    let matched = false;
    for (let size = Math.min(4, words.length - i); size >= 1; size -= 1) {
      const phrase = words.slice(i, i + size).join(' ');
      const chinese = lexicon.glossary.get(phrase) ?? firstKnown(wordForms(phrase), lexicon.glossary);
      if (chinese) {
        out.push({ english: phrase, chinese });
        i += size;
        matched = true;
        break;
      }
    }
    // "job-fair" the glossary knows as "job fair": an unknown hyphenated word is read as its parts
    if (!matched && words[i]!.includes('-')) {
      words.splice(i, 1, ...words[i]!.split('-').filter((part) => part !== ''));
      continue;
    }
    if (!matched) {
      out.push({ english: words[i]!, chinese: [] });
      i += 1;
    }
  }
  return out;
}

/**
 * Renders an English question as Chinese search terms through the glossary: longest phrases
 * first (up to four words), English stopwords dropped, unknown words kept as they are.
 *
 * @example translateEnglish('Can my internship keep my ID card?', lexicon) // '实习 扣押 居民身份证 …'
 */
export function translateEnglish(text: string, lexicon: Pick<Lexicon, 'glossary' | 'englishStopwords'>): string {
  const out: string[] = [];
  for (const { english, chinese } of glossedWords(text, lexicon)) {
    if (chinese.length > 0) out.push(...chinese);
    else if (!lexicon.englishStopwords.has(english)) out.push(english);
  }
  const han = normalizeText(text).match(/\p{Script=Han}+/gu) ?? [];
  return [...out, ...han].join(' ');
}

/** The base forms an English word may come from (guiding → guide, schools → school, carried → carry). */
export function wordForms(phrase: string): string[] {
  const words = phrase.split(' ');
  const last = words.pop()!;
  const stems = new Set<string>();
  const add = (stem: string): void => {
    if (stem.length >= 2 && stem !== last) stems.add(stem);
  };
  if (last.endsWith('ies')) add(`${last.slice(0, -3)}y`);
  if (last.endsWith('es')) add(last.slice(0, -2));
  if (last.endsWith('s') && !last.endsWith('ss')) add(last.slice(0, -1));
  for (const suffix of ['ing', 'ed']) {
    if (!last.endsWith(suffix)) continue;
    const stem = last.slice(0, -suffix.length);
    add(stem);
    add(`${stem}e`);
    if (stem.endsWith('i')) add(`${stem.slice(0, -1)}y`);
    if (/(.)\1$/u.test(stem)) add(stem.slice(0, -1));
  }
  return [...stems].map((stem) => [...words, stem].join(' '));
}

function firstKnown(forms: string[], glossary: Map<string, string[]>): string[] | undefined {
  for (const form of forms) {
    const chinese = glossary.get(form);
    if (chinese) return chinese;
  }
  return undefined;
}

/** Terms of every synonym group one of whose members occurs in the text, other than the member itself. */
export function synonymExpansions(text: string, lexicon: Pick<Lexicon, 'synonyms'>, tokens: ReadonlySet<string> = new Set()): string[] {
  return synonymMatches(text, lexicon, tokens).flatMap(({ absent }) => absent);
}

/**
 * The synonym groups the text uses. A group's first term is the documents' own word and the rest
 * are how students say it, so expansion runs one way: a student's word brings in the documents'
 * word (老师 → 教师), while the documents' word itself brings in nothing (职业指导 does not pull in
 * every 就业指导 clause).
 */
function synonymMatches(
  text: string,
  lexicon: Pick<Lexicon, 'synonyms'>,
  tokens: ReadonlySet<string>,
): { present: string[]; absent: string[]; group: string[] }[] {
  const matches: { present: string[]; absent: string[]; group: string[] }[] = [];
  for (const group of candidateGroups(text, lexicon, tokens)) {
    const present = group.filter((term) => occurs(term, text, tokens));
    if (present.length === 0) continue;
    const canonical = group[0]!;
    const studentWords = present.filter(
      (term) => term !== canonical && !present.some((other) => other !== term && other.includes(term)),
    );
    matches.push({ present, absent: studentWords.length > 0 && !present.includes(canonical) ? [canonical] : [], group });
  }
  return matches;
}

/** Where each synonym group can start: the first two characters, a single character, a first English word. */
interface GroupIndex {
  byPrefix: Map<string, number[]>;
}

const groupIndexes = new WeakMap<readonly string[][], GroupIndex>();

function groupIndexOf(synonyms: readonly string[][]): GroupIndex {
  let index = groupIndexes.get(synonyms);
  if (index) return index;
  const byPrefix = new Map<string, number[]>();
  synonyms.forEach((group, position) => {
    for (const term of group) {
      const key = /^[a-z0-9 +]+$/u.test(term) ? `en:${term.split(' ')[0]}` : [...term].slice(0, 2).join('');
      const list = byPrefix.get(key);
      if (!list) byPrefix.set(key, [position]);
      else if (list.at(-1) !== position) list.push(position);
    }
  });
  index = { byPrefix };
  groupIndexes.set(synonyms, index);
  return index;
}

/**
 * The synonym groups that may occur in the text, in lexicon order: only those with a term starting
 * at one of its character pairs, single characters or English words (the thesaurus has thousands).
 */
function candidateGroups(text: string, lexicon: Pick<Lexicon, 'synonyms'>, tokens: ReadonlySet<string>): string[][] {
  const { byPrefix } = groupIndexOf(lexicon.synonyms);
  const found = new Set<number>();
  const add = (key: string): void => {
    for (const position of byPrefix.get(key) ?? []) found.add(position);
  };
  const characters = [...text];
  for (let i = 0; i < characters.length; i += 1) {
    add(characters[i]!);
    if (i + 1 < characters.length) add(characters[i]! + characters[i + 1]!);
  }
  for (const token of tokens) add(token);
  for (const word of text.match(/[a-z0-9+]+/gu) ?? []) add(`en:${word}`);
  return [...found].sort((x, y) => x - y).map((position) => lexicon.synonyms[position]!);
}

/**
 * Whether a lexicon term occurs in the text: English as whole words, Chinese as a substring,
 * and a single Chinese character only where the question has it as a word of its own (扣, not 扣除).
 */
function occurs(term: string, text: string, tokens: ReadonlySet<string> = new Set()): boolean {
  if (/^[a-z0-9 +]+$/u.test(term)) return ` ${text} `.replace(/[^a-z0-9+]+/gu, ' ').includes(` ${term} `);
  if ([...term].length === 1) return tokens.has(term);
  return text.includes(term);
}

/**
 * The concepts with each word the student typed taken together with the pieces search mode cut
 * from it (批下来 with 批下 and 下来): the pieces are other ways to find the same word, not more
 * things asked about, so a share of the question counts the word once.
 *
 * @example withTheirPieces([{ terms: ['批下'], … }, { terms: ['批下来'], … }]) // [{ terms: ['批下来', '批下'], phrases: ['批下来'] }]
 */
export function withTheirPieces(concepts: readonly Concept[]): Concept[] {
  const plain = (concept: Concept): boolean => concept.terms.length === 1 && concept.phrases.length === 1 && concept.phrases[0] === concept.terms[0];
  const wholes = concepts.filter(plain).sort((x, y) => [...y.terms[0]!].length - [...x.terms[0]!].length);
  const merged = new Map<Concept, Concept>();
  for (const concept of wholes) {
    const word = concept.terms[0]!;
    const whole = [...word].length >= 2 ? wholes.find((other) => other !== concept && !merged.has(other) && [...other.terms[0]!].length > [...word].length && other.terms[0]!.includes(word)) : undefined;
    if (whole) merged.set(concept, whole);
  }
  if (merged.size === 0) return [...concepts];
  const pieces = new Map<Concept, string[]>();
  for (const [piece, whole] of merged) pieces.set(whole, [...(pieces.get(whole) ?? []), piece.terms[0]!]);
  return concepts.filter((concept) => !merged.has(concept)).map((concept) => (pieces.has(concept) ? { ...concept, terms: [...concept.terms, ...pieces.get(concept)!] } : concept));
}

/** Normalises, translates (English) and expands a question into weighted search terms. */
export function analyzeQuery(question: string, lexicon: Lexicon, tokenizer: Tokenizer): AnalyzedQuery {
  const text = toSimplified(normalizeText(question));
  const english = isMostlyEnglish(text);
  const searchText = english ? translateEnglish(text, lexicon) : text;
  const typed = tokenizer.wordsWithPieces(searchText);
  const ownTerms = typed.flatMap(({ word, pieces }) => [...pieces, word]);
  const pieces = piecesOfTypedWords(typed);
  const tokens = new Set(tokenizer.tokens(searchText));
  const terms: WeightedQuery = new Map();
  for (const term of ownTerms) terms.set(term, [...term].length === 1 && /\p{Script=Han}/u.test(term) ? singleCharacterWeight : 1);
  const concepts: Concept[] = [];
  const grouped = new Set<string>();
  for (const { present, absent, group } of synonymMatches(searchText, lexicon, tokens)) {
    const words = absent.flatMap((expansion) => tokenizer.exactWords(expansion)).filter((word) => [...word].length >= 2);
    for (const word of words) if (!terms.has(word)) terms.set(word, synonymWeight);
    const members = ownTerms.filter((term) => !grouped.has(term) && present.some((member) => member.includes(term)));
    members.forEach((term) => grouped.add(term));
    const phrases = [...present, ...absent];
    const kin = group.filter((member) => !phrases.includes(member) && /\p{Script=Han}/u.test(member));
    if (members.length > 0) concepts.push({ terms: members, phrases, ...(kin.length > 0 ? { kin } : {}) });
  }
  // English words inside a Chinese question (有没有online的课, 是必修还是elective) search for what the
  // glossary says they mean; a clause holding that rendering is not yet taken to hold the student's
  // word (one English word has several renderings), so the answer check stays careful
  if (!english) {
    for (const { english: phrase, chinese } of glossedWords(text, lexicon)) {
      if (chinese.length === 0 || lexicon.englishStopwords.has(phrase)) continue;
      const words = chinese.flatMap((term) => tokenizer.exactWords(term)).filter((word) => [...word].length >= 2);
      for (const word of words) if (!terms.has(word)) terms.set(word, synonymWeight);
      const members = ownTerms.filter((term) => !grouped.has(term) && phrase.split(' ').includes(term));
      members.forEach((term) => grouped.add(term));
      concepts.push({ terms: members.length > 0 ? members : words, phrases: [phrase] });
    }
  }
  for (const term of new Set(ownTerms)) if (!grouped.has(term)) concepts.push({ terms: [term], phrases: [term] });
  for (const [cue, hints] of lexicon.questionHints) {
    if (!occurs(cue, text, tokens)) continue;
    for (const hint of hints) if (!terms.has(hint)) terms.set(hint, hintWeight);
  }
  // an English question's Chinese words are the glossary's renderings (career → 职业生涯), not words the student chose
  const heads = english ? new Map<string, string>() : headsOf(pieces, (word) => tokenizer.isNoun(word));
  return { text, english, searchText, terms, ownTerms: [...new Set(ownTerms)], pieces, heads, concepts, repairs: [], answerType: answerTypeOf(text) };
}

/** A typed word this long or longer is a compound whose last piece names what it is (个人所得税 is a 所得税). */
const compoundLength = 4;

/**
 * The head of each long typed word: its longest piece that ends it, when that is a noun
 * (个人所得税 → 所得税, 工作人员 → 人员, 服务机构 → 机构). A Chinese compound is a kind of its
 * head, so a text holding only another piece (个人) does not hold the word; a phrase ending in
 * another kind of word (休学在家) has no such head.
 *
 * @example headsOf(new Map([['个人', '个人所得税'], ['所得税', '个人所得税']]), () => true) // Map { 个人所得税 → 所得税 }
 */
export function headsOf(pieces: ReadonlyMap<string, string>, isNoun: (word: string) => boolean): Map<string, string> {
  const heads = new Map<string, string>();
  for (const [piece, word] of pieces) {
    if ([...word].length < compoundLength || !word.endsWith(piece) || [...piece].length < 2) continue;
    const head = heads.get(word);
    if (head === undefined || [...piece].length > [...head].length) heads.set(word, piece);
  }
  for (const [word, head] of heads) if (!isNoun(head)) heads.delete(word);
  return heads;
}

/**
 * The pieces of each typed word, each with the word it was cut from; a piece the student also
 * typed as a word of its own (学校 beside 职业学校) is a word, not a piece.
 *
 * @example piecesOfTypedWords([{ word: '服务机构', pieces: ['服务', '机构'] }]) // Map { 服务 → 服务机构, 机构 → 服务机构 }
 */
export function piecesOfTypedWords(typed: readonly { word: string; pieces: readonly string[] }[]): Map<string, string> {
  const words = new Set(typed.map(({ word }) => word));
  const pieces = new Map<string, string>();
  for (const { word, pieces: inside } of typed) for (const piece of inside) if (!words.has(piece) && !pieces.has(piece)) pieces.set(piece, word);
  return pieces;
}
