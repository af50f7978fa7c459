import type { AnalyzedQuery } from '../retrieval/query.ts';
import type { Bm25Index } from '../retrieval/bm25.ts';
import type { Tokenizer } from '../retrieval/tokenizer.ts';
import { questionTypeOf, sentenceFits, type QuestionType } from './question-type.ts';

/** A clause's own number at its start: 第十五条, 5.2, （三）, (2), 二、11. */
const clauseNumber = /^(?:第[一二三四五六七八九十百零]+条|[一二三四五六七八九十]+、|\d+(?:\.\d+)*[.．、]?(?!\d)|（[一二三四五六七八九十]+）|[（(]\d+[)）]|[a-z][)）])\s*/u;
/** A list item's marker at the start of a line. */
const itemMarker = /^(?:（[一二三四五六七八九十]+）|[（(]\d+[)）]|\d+[.．、](?!\d)|[a-z][)）]|[①-⑳]|[-·•])/u;

/**
 * The kind of answer a lead must hold: `questionTypeOf`, and for a question its words leave
 * `open`, what a size (多大, 面积) or a content (啥内容, 什么条件) question asks for.
 *
 * @example leadTypeOf('招聘会议厅面积要多大') // 'quantity'
 */
export function leadTypeOf(question: string): QuestionType {
  const type = questionTypeOf(question);
  if (type !== 'open') return type;
  if (/多大|多高|多长|多宽|多重|多远|多久|面积|几岁|\bhow (?:big|large|old|far)\b/iu.test(question)) return 'quantity';
  if (/(?:啥|什么|哪)(?:些)?(?:内容|方面|条件|要求|功能|措施|事项|条款|设施|设备)|些(?:啥|什么)|几条|几点/u.test(question)) return 'list';
  return 'open';
}

/** A sentence this short that leads a clause or a line names a topic rather than saying a rule. */
const headingLength = 20;

/** A sentence that names its subject only by pointing back ("其…", "该…", "上述…"). */
const backReference = /^(?:其|该|此|上述|前款|这些|这)/u;

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
 * introduces a list ("应符合以下要求：") together with the list's items; with `headings`, a
 * heading-like first sentence together with the one that explains it.
 */
export function candidateSentences(clauseText: string, options: { headings?: boolean } = {}): string[] {
  const { headings = true } = options;
  const lines = clauseText
    .split('\n')
    .map((line, index) => (index === 0 ? line.replace(clauseNumber, '') : line).trim())
    .filter((line) => line !== '');
  const candidates: string[] = [];
  for (let index = 0; index < lines.length; index += 1) {
    const sentences = splitSentences(lines[index]!);
    sentences.forEach((sentence, position) => {
      const previous = sentences[position - 1];
      // "其使用面积…" says its subject only in the sentence before: the two lead together
      if (previous !== undefined && backReference.test(sentence)) candidates.push(`${previous}${sentence}`);
      // a heading-like sentence ("调动首席职业指导师辐射带动作用。") leads with the one that explains it
      const next = sentences[position + 1] ?? (sentences.length === 1 ? splitSentences(lines[index + 1] ?? '')[0] : undefined);
      if (headings && [...sentence].length <= headingLength && !/[：:]$/u.test(sentence) && next !== undefined && !itemMarker.test(next)) candidates.push(`${sentence}${next}`);
      candidates.push(sentence);
      // "培训内容应包括：法律法规和政策。职业规划知识。…" — an intro and the items after it on its line
      const rest = sentences.slice(position + 1);
      if (/[：:]./u.test(sentence) && !/[：:]$/u.test(sentence) && rest.length > 0 && rest.length <= 8) candidates.push([sentence, ...rest].join(''));
    });
    const last = sentences.at(-1) ?? '';
    if (/[：:]$/u.test(last)) {
      const items: string[] = [];
      for (let next = index + 1; next < lines.length && itemMarker.test(lines[next]!); next += 1) items.push(lines[next]!);
      if (items.length > 0) candidates.push([last, ...items].join('\n'));
    }
  }
  return [...new Set(candidates)];
}

/**
 * Idf × weight of the query terms a text holds. A held term inside another held term counts once,
 * as the longer one: 实习单位 with its pieces 实习 and 单位 is one word the student said, and must
 * not outweigh 押金 in "实习单位能收我押金吗".
 */
export function termScore(text: string, query: AnalyzedQuery, tokenizer: Tokenizer, index: Bm25Index): number {
  const words = new Set(tokenizer.words(text));
  const held = [...query.terms].filter(([term]) => words.has(term) || ([...term].length >= 2 && text.includes(term)));
  let score = 0;
  for (const [term, weight] of held) {
    if (held.some(([other]) => other !== term && other.includes(term) && text.includes(other))) continue;
    score += weight * index.idf(term);
  }
  return score;
}

/** How much a sentence of a part retrieval did not rank first weighs against one of the part it did. */
const otherPartDiscount = 0.8;

/** The lead sentence chosen for a clause, with what made it win. */
export interface LeadSentence {
  text: string;
  /** Idf-weighted question terms it holds. */
  score: number;
  /** Whether it has the shape of answer the question asks for. */
  fits: boolean;
  /** Which of the texts given it comes from (0 for a single clause text), in order. */
  parts: number[];
}

/**
 * The sentence of a clause that answers the question: the one holding most of the question's
 * words, preferring one with the kind of answer asked for (a number for 几, a rule for 能不能,
 * the list for 哪些); null when no sentence holds any of the question's words. A clause stored
 * in several parts is given as its parts' texts, in order: the answer is often in a part other
 * than the one retrieval ranked first.
 */
export function leadSentence(
  clauseText: string | readonly string[],
  query: AnalyzedQuery,
  type: QuestionType,
  tokenizer: Tokenizer,
  index: Bm25Index,
  /** Of several parts, the one retrieval ranked first: another part leads only when clearly better. */
  retrievedPart = 0,
): LeadSentence | null {
  const texts = typeof clauseText === 'string' ? [clauseText] : clauseText;
  const scored = texts
    // a heading joins the sentence after it, except where the answer is one number or date
    .flatMap((text, part) => candidateSentences(text, { headings: type !== 'quantity' && type !== 'time' }).map((sentence) => ({ text: sentence, part })))
    .map(({ text, part }, position) => {
      const score = termScore(text, query, tokenizer, index);
      const fits = sentenceFits(type, text);
      const isList = text.includes('\n');
      // a list only leads a question that asks for one, or when its intro alone says nothing
      const shape = (fits ? 1 : 0.6) * (isList ? (type === 'list' ? 1.25 : 0.9) : 1) * (part === retrievedPart ? 1 : otherPartDiscount);
      return { text, part, score, fits, rank: score * shape, position };
    });
  const inOrder = [...scored];
  const first = scored.sort((x, y) => y.rank - x.rank || x.position - y.position)[0];
  if (!first || first.score <= 0) return null;
  // a question that asks for a list, or says nothing of its answer, is led by the whole of an
  // equal candidate that holds the first one ("…包括：法律法规和政策；职业规划知识；…")
  const fuller = type === 'list' || type === 'open';
  const best = fuller
    ? scored.filter((candidate) => candidate.rank >= first.rank && candidate.text.includes(first.text)).sort((x, y) => y.text.length - x.text.length)[0]!
    : first;
  // A heading-like sentence ("开展学业辅导。") names the topic; the sentence after it says what it is.
  const next = inOrder.find((candidate) => candidate.position > best.position && !candidate.text.includes('\n'));
  if ([...best.text].length < 16 && !best.text.includes('\n') && next && !best.text.endsWith('：')) {
    const text = `${best.text}${next.text}`;
    return { text, score: best.score + next.score, fits: best.fits || next.fits, parts: [...new Set([best.part, next.part])] };
  }
  return { text: best.text, score: best.score, fits: best.fits, parts: [best.part] };
}
