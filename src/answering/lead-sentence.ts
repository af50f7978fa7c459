import type { AnalyzedQuery } from '../retrieval/query.ts';
import type { Bm25Index } from '../retrieval/bm25.ts';
import type { Tokenizer } from '../retrieval/tokenizer.ts';
import { speaksOfOtherSide } from './contrasts.ts';
import { countAsked, statesCount } from './asked-count.ts';
import { answerShapeWeight, asksLeave, questionTypeOf, sentenceFits, type QuestionType } from './question-type.ts';

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

/** A heading-like first sentence followed by more. */
const leadingHeading = /^[^。\n]{1,20}。(?=.)/u;

/** A sentence that opens with what must or may be done, its subject left to the paragraph's first sentence ("要配备…"). */
const noSubject = /^(?:要|应当|应|须|必须|需要|需|可以|可|不得|严禁|禁止)/u;


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
      if (headings && [...sentence].length <= headingLength && !/[：:]$/u.test(sentence) && next !== undefined && !itemMarker.test(next)) {
        candidates.push(`${sentence}${next}`);
      }
      candidates.push(sentence);
      // "职业咨询室为…场所。…要配备专用电话、电脑。" — a sentence without a subject, with the one that names it
      const opener = sentences[0]!;
      if (position >= 2 && noSubject.test(sentence) && [...opener].length > headingLength && !/[：:]$/u.test(opener)) candidates.push(`${opener}${sentence}`);
      // "培训内容应包括：法律法规和政策。职业规划知识。…" — an intro and the items after it on its line
      const rest = sentences.slice(position + 1);
      if (/[：:]./u.test(sentence) && !/[：:]$/u.test(sentence) && rest.length > 0 && rest.length <= 8) candidates.push([sentence, ...rest].join(''));
    });
    const last = sentences.at(-1) ?? '';
    if (/[：:]$/u.test(last)) {
      const items: string[] = [];
      for (let next = index + 1; next < lines.length && itemMarker.test(lines[next]!); next += 1) items.push(lines[next]!);
      if (items.length > 0) candidates.push([last, ...items].join('\n'));
    } else if (listIntro.test(line(sentences))) {
      // "下列文件对于本文件的应用是必不可少的。…" and a line per document after it: the lines are the list
      const items: string[] = [];
      for (let next = index + 1; next < lines.length && untitledItem.test(lines[next]!); next += 1) items.push(lines[next]!);
      if (items.length > 0) candidates.push([line(sentences), ...items].join('\n'));
    }
  }
  return [...new Set(candidates)];
}

/** A line that announces the lines after it (下列文件…, 包括以下…) though it ends with a full stop. */
const listIntro = /^(?:下列|以下|如下)|(?:下列|以下|如下)[^。]{0,12}。?$/u;
/** A line after such an intro that names one thing (a standard, a document): short, no sentence in it. */
const untitledItem = /^[^。；;，,！？!?]{2,40}$/u;

/** A line's sentences joined back into the line. */
function line(sentences: readonly string[]): string {
  return sentences.join('');
}

/** A clause's lines, in order across its parts, without the clause's own number. */
function linesOf(texts: readonly string[]): string[] {
  return texts.flatMap((text) =>
    text
      .split('\n')
      .map((line, index) => (index === 0 ? line.replace(clauseNumber, '') : line).trim())
      .filter((line) => line !== ''),
  );
}

/** A clause read as a list of named items: its intro (if any) and each item's heading. */
export interface Outline {
  /** The intro and the headings as one sentence: "…应坚持以下原则：以学生为本原则；循序渐进原则；…。" */
  text: string;
  headings: string[];
}

/**
 * A clause whose every item or paragraph opens with a short heading that the rest of it explains
 * ("（一）以学生为本原则。通过…", "坚持需求导向。立足…", "（3）职业生涯规划，包括提供…"), read as its intro and those headings —
 * the answer to "有哪些原则"; null for any other clause, or one with fewer than three items.
 *
 * @example outlineOf(['第四条 应坚持以下原则：\n（一）以学生为本原则。通过…\n（二）循序渐进原则。坚持…\n（三）协同推进原则。融入…'])
 * // { text: '应坚持以下原则：以学生为本原则；循序渐进原则；协同推进原则。', headings: [...] }
 */
export function outlineOf(texts: readonly string[]): Outline | null {
  const lines = linesOf(texts);
  const intro = /[：:]$/u.test(lines[0] ?? '') ? lines[0]! : null;
  const items = intro === null ? lines : lines.slice(1);
  if (items.length < 3) return null;
  const headings: string[] = [];
  for (const item of items) {
    const text = item.replace(itemMarker, '').trim();
    const sentences = splitSentences(text);
    const first = sentences[0] ?? '';
    // "以学生为本原则。通过…" — a short first sentence the rest explains; "职业生涯规划，包括提供…" — a name the rest spells out
    const named = /^([^，,。；;：:]{2,12})(?:[，,]\s*(?:包括|即|主要是)|[：:])/u.exec(text)?.[1];
    if (sentences.length >= 2 && first.endsWith('。') && [...first].length <= headingLength) headings.push(first.slice(0, -1));
    else if (named !== undefined) headings.push(named);
    else return null;
  }
  return { text: `${intro ?? ''}${headings.join('；')}。`, headings };
}

/**
 * Whether a question names one item of an outline ("以学生为本原则有哪些要求"): one of its words is
 * in that item's heading only, and not in the intro. Such a question asks about the item, not the list.
 */
function namesOneItem(outline: Outline, query: AnalyzedQuery): boolean {
  const intro = outline.text.slice(0, outline.text.length - outline.headings.join('；').length - 1);
  return [...query.terms.keys()].some(
    (term) => [...term].length >= 2 && !intro.includes(term) && outline.headings.filter((heading) => heading.includes(term)).length === 1,
  );
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

/** A question that states the student's age ("我15岁", "a 15-year-old", "未成年"): an age limit answers it. */
const statesAge = /(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:周岁|岁)|\b\d{1,2}[- ]?years?[- ]old\b|\b(?:aged?|under) \d{1,2}\b|未成年|未满\s*\d/iu;
/** A sentence that sets an age limit ("未满 16 周岁", "年满18岁", "未成年"). */
const ageRule = /周岁|\d\s*岁|[一二三四五六七八九十]岁|未成年|成年/u;

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
  /**
   * What the answer is judged by: the sentences that won, before the lead was widened to the rest
   * of their short paragraph or to the sentence after them (`text` then holds more).
   */
  judged: string;
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
  // a heading joins the sentence after it, except where the answer is one number or date
  const headings = type !== 'quantity' && type !== 'time';
  const asksAge = statesAge.test(query.text);
  const leave = type === 'permission' && asksLeave(query.text);
  // "一年开几次" is led by the sentence whose number counts what was asked, not another number of the clause
  const count = countAsked(query.text);
  const scored = texts
    .flatMap((text, part) => candidateSentences(text, { headings }).map((sentence) => ({ text: sentence, part })))
    .map(({ text, part }, position) => {
      const score = termScore(text, query, tokenizer, index);
      const fits = sentenceFits(type, text);
      const isList = text.includes('\n');
      // a question stating an age ("我15岁能去顶岗实习吗") is answered by the age limit, not by another rule on the topic
      const ageFits = !asksAge || ageRule.test(text) ? 1 : 0.6;
      // "兼职人员要什么证" is not answered by the 专职 rule beside the 兼职 one
      // (a heading over both sides, "加强专兼职工作人员队伍建设。", says nothing of which side the rest is about)
      const sideFits = speaksOfOtherSide(query.text, text.replace(leadingHeading, '')) ? 0.6 : 1;
      const countFits = count === null || statesCount(text, count) ? 1 : 0.6;
      // a list only leads a question that asks for one, or when its intro alone says nothing
      const shape = answerShapeWeight(type, text, leave) * ageFits * sideFits * countFits * (isList ? (type === 'list' ? 1.25 : 0.9) : 1) * (part === retrievedPart ? 1 : otherPartDiscount);
      return { text, part, score, fits, rank: score * shape, position };
    });
  const inOrder = [...scored];
  const first = scored.sort((x, y) => y.rank - x.rank || x.position - y.position)[0];
  if (!first || first.score <= 0) return null;
  // "有哪些原则" of a clause that lists named items is answered by the items' names, all of them
  const outline = type === 'list' ? outlineOf(texts) : null;
  if (outline && !namesOneItem(outline, query)) {
    return { text: outline.text, score: Math.max(first.score, termScore(outline.text, query, tokenizer, index)), fits: true, parts: texts.map((_, part) => part), judged: outline.text };
  }
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
    return { text, score: best.score + next.score, fits: best.fits || next.fits, parts: [...new Set([best.part, next.part])], judged: text };
  }
  const lead = { score: best.score, fits: best.fits, parts: [best.part], judged: best.text };
  if (best.text.includes('\n')) return { text: best.text, ...lead };
  // "（二）向毕业生收取任何手续费、服务费。" says nothing without "不得有下列行为：" above it: an item leads with its intro
  const intro = introOf(texts[best.part]!, best.text);
  if (intro !== null) return { text: `${intro}\n${best.text}`, ...lead };
  const rest = restOfLine(texts[best.part]!, best.text);
  // "创业教育。要及时宣传…。要建立创业基地…" — a heading and the sentence explaining it lead with the
  // rest of their short paragraph (not where the answer is one number or date: a heading is not joined there)
  const heading = headings && rest.opensLine && /^[^。]{1,20}。./u.test(best.text);
  if (heading && rest.after.length > 0 && [...best.text, ...rest.after.join('')].length <= shortParagraph) {
    return { text: `${best.text}${rest.after.join('')}`, ...lead };
  }
  // "应加强职业指导教师的考核。对职业指导教师的考核，注重过程性评价。" — for a question that does not say
  // what it asks, the next sentence about the same words says it: the two lead together
  const after = rest.after[0];
  if (type === 'open' && after !== undefined && [...best.text, ...after].length <= pairLength && termScore(after, query, tokenizer, index) >= best.score * sameTopicShare) {
    return { text: `${best.text}${after}`, ...lead };
  }
  return { text: best.text, ...lead };
}

/**
 * The line that introduces the list a lead item belongs to ("职业院校不得有下列行为："), when the
 * lead is a whole item line ("（二）向毕业生收取任何手续费、服务费。") under such a line; else null.
 *
 * @example introOf('第二十四条 不得有下列行为：\n（一）截留资金；\n（二）收取手续费。', '（二）收取手续费。') // '不得有下列行为：'
 */
export function introOf(clauseText: string, lead: string): string | null {
  if (!itemMarker.test(lead)) return null;
  const lines = clauseText.split('\n').map((line, index) => (index === 0 ? line.replace(clauseNumber, '') : line).trim());
  const at = lines.findIndex((line) => line === lead);
  if (at <= 0) return null;
  for (let above = at - 1; above >= 0; above -= 1) {
    const line = lines[above]!;
    if (itemMarker.test(line)) continue;
    return /[：:]$/u.test(line) ? line : null;
  }
  return null;
}

/** A paragraph this short, opened by a heading, leads whole. */
const shortParagraph = 160;
/** Two sentences about the same words lead together when they are this short together. */
const pairLength = 100;
/** The share of the lead's score the sentence after it must hold to be about the same words. */
const sameTopicShare = 0.8;

/** The sentences after `lead` on its line of the clause, and whether `lead` opens that line. */
function restOfLine(clauseText: string, lead: string): { after: string[]; opensLine: boolean } {
  const lines = clauseText.split('\n').map((line, index) => (index === 0 ? line.replace(clauseNumber, '') : line).trim());
  for (const line of lines) {
    const at = line.indexOf(lead);
    if (at !== -1) return { after: splitSentences(line.slice(at + lead.length)), opensLine: at === 0 };
  }
  return { after: [], opensLine: false };
}
