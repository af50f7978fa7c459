import type { AnalyzedQuery } from '../retrieval/query.ts';
import type { Bm25Index } from '../retrieval/bm25.ts';
import type { Tokenizer } from '../retrieval/tokenizer.ts';
import { sentenceFits, type QuestionType } from './question-type.ts';

/** A clause's own number at its start: 第十五条, 5.2, （三）, (2), 二、11. */
const clauseNumber = /^(?:第[一二三四五六七八九十百零]+条|[一二三四五六七八九十]+、|\d+(?:\.\d+)*[.．、]?(?!\d)|（[一二三四五六七八九十]+）|[（(]\d+[)）]|[a-z][)）])\s*/u;
/** A list item's marker at the start of a line. */
const itemMarker = /^(?:（[一二三四五六七八九十]+）|[（(]\d+[)）]|\d+[.．、](?!\d)|[a-z][)）]|[①-⑳]|[-·•])/u;

const opening = new Set(['《', '“', '「', '（', '(', '‘', '『', '[', '【']);
const closing = new Set(['》', '”', '」', '）', ')', '’', '』', ']', '】']);
const sentenceEnd = new Set(['。', '！', '？', '；', '!', '?', ';']);

/**
 * Splits one line into sentences at 。！？； — never inside a quoted title, brackets or quotes,
 * and never at a colon or a point, so 1：500, 1.5 and 2024年3月15日 stay whole.
 *
 * @example splitSentences('比例不低于1：500。每学期检查1次。') // ['比例不低于1：500。', '每学期检查1次。']
 */
export function splitSentences(line: string): string[] {
  const sentences: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of line) {
    current += character;
    if (opening.has(character)) depth += 1;
    else if (closing.has(character)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && sentenceEnd.has(character)) {
      sentences.push(current.trim());
      current = '';
    }
  }
  if (current.trim() !== '') sentences.push(current.trim());
  return sentences.filter((sentence) => [...sentence.replace(/[。！？；!?;]/gu, '')].length >= 2);
}

/**
 * The sentences of a clause that could lead an answer: each sentence, and a sentence that
 * introduces a list ("应符合以下要求：") together with the list's items.
 */
export function candidateSentences(clauseText: string): string[] {
  const lines = clauseText
    .split('\n')
    .map((line, index) => (index === 0 ? line.replace(clauseNumber, '') : line).trim())
    .filter((line) => line !== '');
  const candidates: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const sentences = splitSentences(lines[index]!);
    candidates.push(...sentences);
    const last = sentences.at(-1) ?? '';
    if (/[：:]$/u.test(last)) {
      const items: string[] = [];
      for (let next = index + 1; next < lines.length && itemMarker.test(lines[next]!); next += 1) items.push(lines[next]!);
      if (items.length > 0) candidates.push([last, ...items].join('\n'));
    }
  }
  return [...new Set(candidates)];
}

/** Idf × weight of the query terms a text holds. */
export function termScore(text: string, query: AnalyzedQuery, tokenizer: Tokenizer, index: Bm25Index): number {
  const words = new Set(tokenizer.words(text));
  let score = 0;
  for (const [term, weight] of query.terms) if (words.has(term) || ([...term].length >= 2 && text.includes(term))) score += weight * index.idf(term);
  return score;
}

/** The lead sentence chosen for a clause, with what made it win. */
export interface LeadSentence {
  text: string;
  /** Idf-weighted question terms it holds. */
  score: number;
  /** Whether it has the shape of answer the question asks for. */
  fits: boolean;
}

/**
 * The sentence of a clause that answers the question: the one holding most of the question's
 * words, preferring one with the kind of answer asked for (a number for 几, a rule for 能不能,
 * the list for 哪些); null when no sentence holds any of the question's words.
 */
export function leadSentence(
  clauseText: string,
  query: AnalyzedQuery,
  type: QuestionType,
  tokenizer: Tokenizer,
  index: Bm25Index,
): LeadSentence | null {
  const scored = candidateSentences(clauseText).map((text, position) => {
    const score = termScore(text, query, tokenizer, index);
    const fits = sentenceFits(type, text);
    const isList = text.includes('\n');
    // a list only leads a question that asks for one, or when its intro alone says nothing
    const shape = (fits ? 1 : 0.6) * (isList ? (type === 'list' ? 1.25 : 0.9) : 1);
    return { text, score, fits, rank: score * shape, position };
  });
  const inOrder = [...scored];
  const best = scored.sort((x, y) => y.rank - x.rank || x.position - y.position)[0];
  if (!best || best.score <= 0) return null;
  // A heading-like sentence ("开展学业辅导。") names the topic; the sentence after it says what it is.
  const next = inOrder.find((candidate) => candidate.position > best.position && !candidate.text.includes('\n'));
  if ([...best.text].length < 16 && !best.text.includes('\n') && next && !best.text.endsWith('：')) {
    const text = `${best.text}${next.text}`;
    return { text, score: best.score + next.score, fits: best.fits || next.fits };
  }
  return { text: best.text, score: best.score, fits: best.fits };
}
