import type { Citation } from '../answering/types.ts';
import { normalizeText } from '../retrieval/normalize.ts';
import type { LastTurn } from './types.ts';

/** How a message relates to the previous answer. */
export type FollowUp =
  /** "这个是哪个文件规定的？" — the source of the previous answer. */
  | { kind: 'source' }
  /** "详细说说第二点" — the n-th point (1-based) of the clause just quoted. */
  | { kind: 'point'; index: number }
  /** "那高职呢？" — the previous question with one thing changed, or with the new words added. */
  | { kind: 'rewrite'; question: string }
  /** "那普通高中呢？" — a kind of school or study the documents do not cover at all. */
  | { kind: 'uncovered'; subject: string };

const chineseDigits: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

/** 二 → 2, 十一 → 11, 3 → 3. */
export function numberFrom(text: string): number | null {
  if (/^\d+$/u.test(text)) return Number(text);
  if (text.length === 1) return chineseDigits[text] ?? null;
  const match = /^(十)?([一二三四五六七八九])?$|^([一二三四五六七八九])十([一二三四五六七八九])?$/u.exec(text);
  if (!match) return null;
  if (match[3]) return (chineseDigits[match[3]] ?? 0) * 10 + (match[4] ? (chineseDigits[match[4]] ?? 0) : 0);
  return 10 + (match[2] ? (chineseDigits[match[2]] ?? 0) : 0);
}

/** Words that name a kind of school or a region: swapping one for another re-asks the question. */
const entityGroups: { kind: string; words: string[] }[] = [
  { kind: 'school', words: ['中等职业学校', '高等职业学校', '中职', '高职', '中专', '技校', '职高', '本科', '大学', '高校', '大专', 'vocational school', 'secondary vocational', 'university', 'college'] },
  { kind: 'region', words: ['山东省', '河南省', '辽宁省', '拉萨市', '山东', '河南', '辽宁', '拉萨', '西藏', '全国', 'shandong', 'henan', 'liaoning', 'lhasa', 'tibet'] },
];

/** Schools and stages of study outside the corpus (it covers 中职 and 高校 only). */
const uncoveredSubjects = ['普通高中', '高中', '初中', '小学', '研究生', '硕士', '博士', 'high school', 'graduate school', 'postgraduate'];

/** How the documents name a kind of school, so that a swapped question finds their clauses. */
function schoolAsWritten(word: string): string {
  if (/^(?:中职|中专|技校|职高|中等职业学校|vocational school|secondary vocational)$/iu.test(word)) return '中职学校';
  if (/^(?:高职|高等职业学校|大专|本科|大学|高校|university|college)$/iu.test(word)) return '高校';
  return word;
}

function entityOf(text: string, kind: string): string | null {
  const group = entityGroups.find((candidate) => candidate.kind === kind)!;
  return group.words.find((word) => text.includes(word)) ?? null;
}

const sourceQuestion =
  /(?:哪个|哪份|哪一个|什么|哪部)(?:文件|规定|政策|条款|法规|部门)|出处|依据是?什么|根据是?什么|原文在哪|谁规定的|哪(?:一)?条规定|哪(?:一)?年|什么时候(?:发|出|颁|印发|施行|定|生效)|(?:谁|哪个(?:部门|单位))(?:发|出|定|制定|颁布|起草|写)的?|发文(?:单位|机关|部门|时间|日期)|文件(?:全称|名字|名称|叫)|全名|\b(?:which|what) (?:document|rule|regulation|policy|law)\b|\bsource\b|\bwho (?:issued|published|wrote|made)\b|\bwhen was (?:it|this|that)\b|\bwhat year\b/iu;
const pointQuestion = /第\s*([一二两三四五六七八九十\d]+)\s*(?:点|条|项|个|部分)/u;
const elliptical = /^(?:那|那么|那如果|如果是|要是|换成|还有|再问一下)|呢[?？]?$|^(?:and |what about|how about)/iu;

/**
 * Reads a message as a follow-up to the previous answer, or returns null for a question that
 * stands on its own. Only short messages are read as follow-ups.
 *
 * @example resolveFollowUp('那高职呢？', last) // { kind: 'rewrite', question: '高职学校要配几名职业指导老师？' }
 */
export function resolveFollowUp(message: string, last: LastTurn | null | undefined): FollowUp | null {
  if (!last || last.outcome !== 'answer') return null;
  const text = normalizeText(message);
  const short = [...text].length <= 24 || (/^[\x00-\x7f]+$/u.test(text) && text.split(/\s+/u).length <= 8);
  if (!short) return null;
  if (sourceQuestion.test(text) && ([...text].length <= 16 || /^[\x00-\x7f]+$/u.test(text))) return { kind: 'source' };
  const point = pointQuestion.exec(text);
  if (point) {
    const index = numberFrom(point[1]!);
    if (index !== null && index > 0) return { kind: 'point', index };
  }
  const previous = last.resolved;
  // "如果我15岁呢" / "那16周岁呢" / "what if I'm 15": the age slot of the previous question
  const age = ageIn(text);
  if (age !== null && (elliptical.test(text) || /如果|假如|要是|\bif\b/iu.test(text))) {
    const before = normalizeText(previous);
    const replaced = before.replace(/(\d{1,2})\s*(?:周岁|岁)|\b(\d{1,2})[- ]?(?:years?[- ]old|yo)\b/iu, (match) => match.replace(/\d{1,2}/u, String(age)));
    return { kind: 'rewrite', question: replaced !== before ? replaced : `${before} ${age}周岁` };
  }
  if (!elliptical.test(text) && [...text].length > 8) return null;
  const uncovered = uncoveredSubjects.find((subject) => text.toLowerCase().includes(subject));
  if (uncovered && elliptical.test(text)) return { kind: 'uncovered', subject: uncovered };
  for (const { kind } of entityGroups) {
    const now = entityOf(text, kind);
    const before = entityOf(normalizeText(previous), kind);
    if (now && before && now !== before) {
      if (kind === 'school' && /\p{Script=Han}/u.test(previous)) {
        const question = normalizeText(previous).replace(new RegExp(`${before}(?:学校|院校)?`, 'u'), schoolAsWritten(now));
        return { kind: 'rewrite', question };
      }
      const suffix = kind === 'region' && /[省市]$/u.test(before) && !/[省市]$/u.test(now) && /\p{Script=Han}/u.test(now) ? before.slice(-1) : '';
      return { kind: 'rewrite', question: normalizeText(previous).replace(before, now + suffix) };
    }
  }
  // "那中职呢" after a question that named no school but was answered for one: add the school
  const school = entityOf(text, 'school');
  if (school && !entityOf(normalizeText(previous), 'school') && /\p{Script=Han}/u.test(previous)) {
    return { kind: 'rewrite', question: `${schoolAsWritten(school)} ${normalizeText(previous)}` };
  }
  const added = text.replace(/^(?:那么|那如果|那|如果是|要是|换成|还有|再问一下|and|what about|how about)\s*/iu, '').replace(/呢?[?？]?$/u, '');
  if (added === '') return null;
  // "那押金呢？" after "辽宁中职生最小多大可以去顶岗实习？" names a new topic: keep where the
  // question was asked (region, kind of school) and drop what it was about. "那要多久？" asks
  // something new about the same topic, so it keeps the whole previous question.
  const scope = asksSomething.test(added) ? [] : scopeOf(normalizeText(previous));
  if (scope.length > 0) return { kind: 'rewrite', question: `${scope.join(' ')} ${added}` };
  return { kind: 'rewrite', question: `${previous} ${added}` };
}

/** An age the message states ("15岁", "十五周岁", "I'm 15"), or null. */
export function ageIn(text: string): number | null {
  const chinese = /([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*(?:周岁|岁)/u.exec(text);
  if (chinese) {
    const value = numberFrom(chinese[1]!);
    return value !== null && value >= 6 && value <= 40 ? value : null;
  }
  const english = /\b(?:i'?m|i am|aged?|age)\s+(\d{1,2})\b|\b(\d{1,2})[- ]?(?:years?[- ]old|yo)\b/iu.exec(text);
  const value = english ? Number(english[1] ?? english[2]) : null;
  return value !== null && value >= 6 && value <= 40 ? value : null;
}

/** Question words: a follow-up holding one asks about the previous topic rather than naming a new one. */
const asksSomething = /[几多哪谁吗么啥]|什么|怎样|怎么|能否|是否|可以|能不能|要不要|\b(?:how|what|when|where|who|why|which|can|may|must|should|is|are|do|does)\b/iu;

/** The words of a question that say where it applies: its region and kind of school, as they come in it. */
function scopeOf(question: string): string[] {
  const words = entityGroups.map(({ kind }) => entityOf(question, kind)).filter((word): word is string => word !== null);
  return words.sort((x, y) => question.indexOf(x) - question.indexOf(y));
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
