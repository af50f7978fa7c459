/**
 * Arithmetic from a scale rule: documents set amounts by the size of a school — "专职人员与应届毕业生的
 * 比例不低于1：500", "每500名毕业生配备1名…", "1000名以下的要达到200平方米，每增加500名毕业生增加50平方米"
 * — and a student asks for their own number ("我们学校1500个毕业生要配几个"). The rule is read from the
 * clause's own words, never from a list of known rules, and the computation is shown step by step.
 * A result is given only when the rule and the number leave no doubt: a minimum (不低于/不少于/至少) is
 * rounded up, an exact rule that does not divide evenly, or a partial step of a tiered rule, is left
 * to the quoted clause.
 */

/** A number of people (or schools…) a student states: "1500个毕业生", "毕业生2000人", "一千五百人", "1800 graduates". */
export interface StatedCount {
  value: number;
  /** What is counted, in the documents' words (毕业生, 学生, 学校), or null when only 人/名 is said. */
  noun: string | null;
  /** The words as written, so that a follow-up can replace them. */
  words: string;
}

/** One computation from a rule, ready to be said. */
export interface ScaleResult {
  /** The rule's words as the clause writes them. */
  rule: string;
  /** The steps, each an equation ("1500 ÷ 500 = 3"); a rounding up is said by `roundedUp`. */
  steps: string[];
  /** The number the rule asks for (after rounding up). */
  value: number;
  /** The amount the rule asks for this count, with its unit and what it is ("3名专职人员", "400平方米"). */
  amount: string;
  /** Whether the rule sets a minimum (不低于/不少于/至少/达到), so the amount is "at least". */
  minimum: boolean;
  /** Whether a fraction was rounded up (a minimum that does not divide evenly). */
  roundedUp: boolean;
  /** The stated count, in the rule's words ("1500名应届毕业生"). */
  count: string;
}

const digits: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const units: Record<string, number> = { 十: 10, 百: 100, 千: 1000, 万: 10000 };

/**
 * A number written in digits or Chinese numerals: "1500", "1,500", "一千五百", "一千五" (1500),
 * "两千三" (2300), "3千", "1.5万"; null for anything else.
 *
 * @example quantityFrom('一千五') // 1500
 */
export function quantityFrom(text: string): number | null {
  const plain = text.replace(/[,，]/gu, '');
  if (/^\d+(?:\.\d+)?$/u.test(plain)) return Number(plain);
  const mixed = /^(\d+(?:\.\d+)?)([十百千万])$/u.exec(plain);
  if (mixed) return Math.round(Number(mixed[1]) * units[mixed[2]!]!);
  if (!/^[零〇一二两三四五六七八九十百千万]+$/u.test(plain)) return null;
  let total = 0;
  let section = 0;
  let digit: number | null = null;
  let lastUnit = 0;
  for (const char of plain) {
    if (char in digits) {
      digit = digits[char]!;
      continue;
    }
    const unit = units[char]!;
    if (unit === 10000) {
      total += (section + (digit ?? 0)) * unit;
      section = 0;
      lastUnit = unit;
    } else {
      section += (digit ?? (unit === 10 ? 1 : 0)) * unit;
      lastUnit = unit;
    }
    digit = null;
  }
  // "一千五" is 1500: a last digit after a unit counts in the next unit down
  if (digit !== null) section += lastUnit >= 100 && lastUnit < 10000 ? (digit * lastUnit) / 10 : lastUnit === 10000 ? digit * 1000 : digit;
  return total + section;
}

const number = String.raw`\d[\d,]*(?:\.\d+)?[十百千万]?|[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]*`;
const countedNouns = '应届毕业生|毕业生|学生|在校生|新生|教师|老师|职工|员工|学校|院校|高校|企业|单位';
const classifiers = '个|名|位|人|所|家';
/** Words that make a count approximate or a bound ("不到一千", "八百来个", "2000多"): no exact number. */
const approximate = /(?:不到|不足|不超过|超过|大约|大概|约|近|将近|上下|左右|来|多|余)$/u;

/**
 * The exact counts a text states, in order: "1500个毕业生", "毕业生2000人", "我们有1800名学生",
 * "1600人", "40所学校", "1800 graduates". Approximate counts ("不到一千", "八百来个", "2000多人") are left out.
 *
 * @example countsIn('我们学校1500个毕业生要配几个') // [{ value: 1500, noun: '毕业生', words: '1500个毕业生' }]
 */
export function countsIn(text: string): StatedCount[] {
  const found: (StatedCount & { index: number })[] = [];
  const taken: [number, number][] = [];
  const add = (match: RegExpExecArray, value: string, noun: string | null, after: string, said = ''): void => {
    const start = match.index - said.length;
    const end = match.index + match[0].length;
    if (taken.some(([from, to]) => start < to && end > from)) return;
    // "2000多人", "八百来个": not an exact number
    if (/^(?:多|来|余|左右|上下|以上|以下|以内|及以上|及以下)/u.test(after) || approximate.test(text.slice(Math.max(0, match.index - 3), match.index + match[0].indexOf(value)))) return;
    const quantity = quantityFrom(value);
    if (quantity === null || quantity < 2) return;
    taken.push([start, end]);
    found.push({ value: quantity, noun, words: `${said}${match[0]}`, index: start });
  };
  // number first: "1500个毕业生", "1500名应届毕业生", "1600人", "40所学校"
  for (const match of text.matchAll(new RegExp(String.raw`(${number})\s*(多|来|余)?\s*(${classifiers})\s*(${countedNouns})?`, 'gu'))) {
    if (match[2]) continue;
    if (match[4]) {
      add(match as RegExpExecArray, match[1]!, nounOf(match[4]), text.slice(match.index! + match[0].length));
      continue;
    }
    if (!/[人名]/u.test(match[3]!)) continue;
    // "毕业生2000人", "毕业生才800人": the noun said before the number
    const before = new RegExp(String.raw`(${countedNouns})(?:人数|数)?(?:才|只有|有|共|一共|总共|是|为)?\s*$`, 'u').exec(text.slice(0, match.index));
    add(match as RegExpExecArray, match[1]!, before ? nounOf(before[1]!) : null, text.slice(match.index! + match[0].length), before?.[0] ?? '');
  }
  const english = /\b(\d[\d,]*)\s+(graduates?|students?|people|staff|teachers?|schools?)\b/giu;
  for (const match of text.matchAll(english)) {
    add(match as RegExpExecArray, match[1]!, nounOf(englishNouns[match[2]!.toLowerCase().replace(/s$/u, '')] ?? '人'), '');
  }
  return found.sort((x, y) => x.index - y.index).map(({ value, noun, words }) => ({ value, noun, words }));
}

const englishNouns: Record<string, string> = { graduate: '毕业生', student: '学生', people: '人', staff: '员工', teacher: '教师', school: '学校' };

function nounOf(word: string): string | null {
  if (word === '人') return null;
  if (word === '老师') return '教师';
  if (word === '院校' || word === '高校') return '学校';
  return word;
}

/** Whether a rule's counted words ("应届毕业生", "500名毕业生", "1000人") count what the student counted. */
function counts(ruleWords: string, clause: string, noun: string | null): boolean {
  // only 人/名 said: the rule's own words must count people, not money or shares of a budget
  if (noun === null) return /人|名|毕业生|学生|教师/u.test(ruleWords);
  if (ruleWords.includes(noun)) return true;
  if (noun === '毕业生' && /毕业生/u.test(ruleWords)) return true;
  // "1000人以下" in a clause that counts by 毕业生规模 counts graduates
  return /^\d*\s*[人名]?$/u.test(ruleWords.replace(/以上|以下|以内/gu, '')) && clause.includes(noun);
}

const minimumWords = /不低于|不少于|不小于|不得少于|不得低于|至少|达到|以上/u;

function ceilOrExact(value: number, minimum: boolean): { value: number; roundedUp: boolean } | null {
  const rounded = Math.round(value * 1e6) / 1e6;
  if (Number.isInteger(rounded)) return { value: rounded, roundedUp: false };
  return minimum ? { value: Math.ceil(rounded), roundedUp: true } : null;
}

const show = (value: number): string => String(Math.round(value * 1e4) / 1e4);

/**
 * What each scale rule of a clause asks for a stated count, in the clause's order: none when the
 * clause has no rule for what was counted, or its rules leave the amount in doubt (see the module's note).
 *
 * @example scaleResults('…专职人员与应届毕业生的比例不低于1：500…', { value: 1500, noun: '毕业生', words: '1500个毕业生' })
 * // [{ rule: '专职人员与应届毕业生的比例不低于1：500', steps: ['1500 ÷ 500 = 3'], amount: '3名专职人员', minimum: true, … }]
 */
export function scaleResults(clause: string, count: StatedCount): ScaleResult[] {
  const text = clause.replace(/\s+/gu, '');
  // each sentence states its own rule ("…电脑…不少于10台…。招聘会议厅…200平方米…。"); what the
  // rule counts may be named in the clause's other sentences (按毕业生规模)
  return (text.match(/[^。；;！!？?]+/gu) ?? []).flatMap((sentence) => {
    const result = ratioResult(sentence, count, text) ?? perUnitResult(sentence, count, text) ?? tieredResult(sentence, count, text) ?? shareResult(sentence, count);
    return result ? [result] : [];
  });
}

/** "专职人员与应届毕业生的比例不低于1：500": how many of the first side a count of the second needs. */
function ratioResult(text: string, count: StatedCount, clause: string): ScaleResult | null {
  const ratio = /([\p{Script=Han}]{2,12}?)(?:与|和|同)([\p{Script=Han}]{2,12}?)的?(?:配备)?比例?(不低于|不少于|不小于|不得低于|不得少于|达到|至少|为|是)?(\d+)[:：比](\d+)/u.exec(text);
  if (!ratio) return null;
  const [words, rawFirst, second, bound = '', a, b] = ratio;
  // "要按照专职人员与…": the first side is what follows 按照
  const first = rawFirst!.replace(/^.*?(?:按照|按)/u, '');
  const [left, right] = [Number(a), Number(b)];
  if (left <= 0 || right <= 0 || first === '' || !counts(second!, clause, count.noun) || (count.noun !== null && first.includes(count.noun))) return null;
  const minimum = minimumWords.test(bound);
  const amount = (count.value * left) / right;
  const result = ceilOrExact(amount, minimum);
  if (!result) return null;
  const steps = [left === 1 ? `${show(count.value)} ÷ ${show(right)} = ${show(amount)}` : `${show(count.value)} × ${show(left)} ÷ ${show(right)} = ${show(amount)}`];
  return {
    rule: words!.replace(/^.*?(?:按照|按)/u, ''),
    steps,
    value: result.value,
    amount: `${result.value}名${first}`,
    minimum,
    roundedUp: result.roundedUp,
    count: countWords(count, second!),
  };
}

/** "每500名毕业生配备1名就业指导人员": per so many counted, so many of something. */
function perUnitResult(text: string, count: StatedCount, clause: string): ScaleResult | null {
  const rule =
    /每(\d+)(?:名|个|人|所|家)?([\p{Script=Han}]{0,8}?)(?:至少|应|须|要|均|需)?(?:配备|配置|配|设置|设立|安排|建立|建设|选派|聘用|聘请)(不少于|不低于|至少)?(\d+)(名|个|人|台|间|所|套|处|平方米)([\p{Script=Han}]{0,10})/u.exec(text);
  if (!rule) return null;
  const [words, per, counted, bound, each, unit, what] = rule;
  if (!counts(`${per}${counted}`, clause, count.noun)) return null;
  const before = text.slice(Math.max(0, rule.index - 8), rule.index);
  const minimum = Boolean(bound) || /不低于|不少于|至少/u.test(`${before}${words}`);
  const amount = (count.value / Number(per)) * Number(each);
  const steps = [Number(each) === 1 ? `${show(count.value)} ÷ ${per} = ${show(amount)}` : `${show(count.value)} ÷ ${per} × ${each} = ${show(amount)}`];
  const result = ceilOrExact(amount, minimum);
  if (!result) return null;
  return {
    rule: words!,
    steps,
    value: result.value,
    amount: `${result.value}${unit}${what!.replace(/[的，、].*$/u, '')}`,
    minimum,
    roundedUp: result.roundedUp,
    count: countWords(count, counted || '人'),
  };
}

/** "1000人以下的不少于10台，1000人以上每增加200人增加1台": a base amount up to a size, then steps. */
function tieredResult(text: string, count: StatedCount, clause: string): ScaleResult | null {
  const base = /(\d+)(名|人)?([\p{Script=Han}]{0,6}?)(?:以下|以内|及以下)的?(?:学校|院校)?(要达到|达到|不少于|不低于|至少|应达到|为|配备|配)(\d+)(平方米|台|名|个|间|人|套)/u.exec(text);
  if (!base) return null;
  const [baseWords, limit, , counted, bound, baseAmount, unit] = base;
  if (!counts(`${limit}${counted || base[2] || ''}`, clause, count.noun)) return null;
  const minimum = minimumWords.test(bound!);
  const rest = text.slice(base.index + baseWords.length);
  const step = new RegExp(String.raw`^[，,；;]?(?:\d+(?:名|人)?[\p{Script=Han}]{0,6}?以上的?)?每增加(\d+)(?:名|人)?([\p{Script=Han}]{0,6}?)(?:增加|增配|增设|加)(\d+)(${unit})`, 'u').exec(rest);
  const size = Number(limit);
  if (count.value <= size) {
    return {
      rule: step ? `${baseWords}${step[0].replace(/^[，,；;]/u, '，')}` : baseWords,
      steps: [`${show(count.value)} ≤ ${limit}`],
      value: Number(baseAmount),
      amount: `${baseAmount}${unit}`,
      minimum,
      roundedUp: false,
      count: countWords(count, counted || '人'),
    };
  }
  if (!step) return null;
  const [stepWords, per, , add] = step;
  const extra = count.value - size;
  // a part of a step ("每增加200人" and 100 more) is not said: the clause is quoted instead
  if (extra % Number(per) !== 0) return null;
  const steps = extra / Number(per);
  const amount = Number(baseAmount) + steps * Number(add);
  return {
    rule: `${baseWords}${stepWords.replace(/^[，,；;]/u, '，')}`,
    steps: [`${show(count.value)} − ${limit} = ${show(extra)}`, `${show(extra)} ÷ ${per} = ${show(steps)}`, `${baseAmount} + ${show(steps)} × ${add} = ${show(amount)}`],
    value: amount,
    amount: `${show(amount)}${unit}`,
    minimum,
    roundedUp: false,
    count: countWords(count, counted || '人'),
  };
}

/** "抽查比例不低于学校总数的15%": a share of the counted things. */
function shareResult(text: string, count: StatedCount): ScaleResult | null {
  if (count.noun === null) return null;
  const share = /(不低于|不少于|不得少于|不得低于|至少|不超过|不得超过|为|占)([\p{Script=Han}]{1,6}?)(?:总数|总人数|人数|数量)的(\d+(?:\.\d+)?)[%％]/u.exec(text);
  if (!share || !share[2]!.includes(count.noun) || /超过/u.test(share[1]!)) return null;
  const minimum = minimumWords.test(share[1]!);
  const amount = (count.value * Number(share[3])) / 100;
  const result = ceilOrExact(amount, minimum);
  if (!result) return null;
  const unit = count.noun === '学校' ? '所' : '名';
  return {
    rule: text.slice(0, share.index + share[0].length).split(/[，。；：,;]/u).pop()!,
    steps: [`${show(count.value)} × ${share[3]}% = ${show(amount)}`],
    value: result.value,
    amount: `${result.value}${unit}${count.noun}`,
    minimum,
    roundedUp: result.roundedUp,
    count: countWords(count, count.noun),
  };
}

/** "1500名应届毕业生": the count named as the rule names what it counts. */
function countWords(count: StatedCount, ruleNoun: string): string {
  const noun = /[\p{Script=Han}]{2,}/u.exec(ruleNoun)?.[0] ?? count.noun ?? '人';
  if (noun === '人') return `${show(count.value)}人`;
  return `${show(count.value)}${noun === '学校' ? '所' : '名'}${noun}`;
}
