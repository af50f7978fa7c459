/**
 * A count question ("一年开几次会", "就业指导课有多少课时", "要有几年经验") is answered only by a
 * number that counts what was asked: "每年至少召开两次专题会议" counts meetings, not 课时, and
 * a lead whose only number counts something else must not answer it with a real citation.
 */

/**
 * Units that count the same thing: a question in one is answered by a number in any of them.
 * `things` are classifiers of things that can be listed: "3个" or a list of them answers too.
 */
const unitGroups: readonly { units: readonly string[]; things: boolean }[] = [
  { units: ['次', '回', '遍', '趟'], things: false },
  { units: ['课时', '学时', '节', '节课', '堂', '堂课'], things: false },
  { units: ['名', '人', '位', '个人'], things: true },
  { units: ['家', '所'], things: true },
  { units: ['门', '门课'], things: true },
  { units: ['台', '部'], things: true },
  { units: ['场'], things: true },
  { units: ['篇'], things: true },
  { units: ['本'], things: true },
  { units: ['张'], things: true },
  { units: ['间'], things: true },
  { units: ['级'], things: false },
  // a length of time in any unit answers how long: "几个月" by "半年", "几天" by "两周"
  { units: ['年', '学年', '学期', '季度', '月', '个月', '周', '星期', '个星期', '天', '日', '工作日', '个工作日'], things: false },
  // …but hours within a day (a working day, a shift) are not counted in months: "一天干几个小时" is not answered by "半年"
  { units: ['小时', '个小时', '钟头', '个钟头', '分钟'], things: false },
  { units: ['岁', '周岁'], things: false },
  { units: ['学分'], things: false },
  { units: ['倍'], things: false },
  { units: ['平方米', '平米', '㎡'], things: false },
];

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');

/** Every unit, longest first, so that 课时 is read before 课 and 工作日 before 日. */
const unitPattern = [...new Set(unitGroups.flatMap((group) => group.units))]
  .sort((x, y) => [...y].length - [...x].length)
  .map(escape)
  .join('|');

/**
 * 几 / 多少 asking a number: not 哪几 (which ones), 第几 (which one in order) or 大几 / 高几 (which year); not a number the student states (十几, 几十,
 * 好几, 就几个人, 这几天, 前几年); not 几乎, 多多少少, 多少钱 (an amount of money, checked elsewhere),
 * 几月 / 几号 / 几点 (a date).
 */
const countWord = String.raw`(?:(?<![哪第大初高十百千好就才没这那前头近过])几(?![乎何率十百千万月号点时分])|(?<![或多])多少(?![钱块]))`;

/** A unit character that begins a longer word instead (多少部门, 几场地, 多少本科, 多少名额): no unit then. */
const notAUnit = String.raw`(?<=部)(?:门|分|署)|(?<=场)(?:地|所|合)|(?<=本)(?:科|人|地|校|身)|(?<=门)(?:槛|户|类)|(?<=所)(?:以|有|在|得|属)|(?<=名)(?:额|称|单|义|次)|(?<=级)别|(?<=间)隔|(?<=月)(?:薪|工资)|(?<=日)(?:常|期)|(?<=家)(?:庭|长|里|乡)|(?<=位)置|(?<=人)才|(?<=张)(?:贴|榜)|(?<=周)(?:边|末)|(?<=台)(?:阶|账)|(?<=年)(?:级|龄|纪|限)`;

/** Each count word with the unit right after it, if the list knows it ("几次", "多少课时", "几个老师"). */
const countWords = new RegExp(`${countWord}\\s*(?:(${unitPattern})(?!${notAUnit}))?|\\bhow many\\b`, 'giu');

/** A number: digits, or Chinese numerals (两, 十二, 三百, 半). */
const numberPattern = String.raw`(?:\d+(?:\.\d+)?|[零一二三四五六七八九十百千万两半]+)`;
/**
 * Any count: digits, or a Chinese numeral with a classifier after it ("两次", "三个", "双证书") —
 * not the 一 of 一定, 统一, 进一步.
 */
const anyCount = new RegExp(
  String.raw`\d|[零一二三四五六七八九十百千万两半]+\s*(?:${unitPattern}|个|项|条|种|类|点|批|套|份|笔|层|档|等|成|倍|支|对|组|队|届|轮|版|处|座|栋|段|章|款|环节|阶段)|双(?=证|学位|师)`,
  'u',
);
/** A ratio ("1：500") answers how many people one of them serves. */
const ratio = /\d+\s*[：:]\s*\d+/u;
/** A list of things: three or more named in a row (、 or ；), or two and more lines of items. */
const enumeration = /[^、，。；\n]{1,20}、[^、，。；\n]{1,20}、|[^；。\n]{1,40}；[^；。\n]{1,40}；|\n\s*(?:（[一二三四五六七八九十\d]+）|[(]\d+[)]|\d+[.．、]).*\n\s*(?:（[一二三四五六七八九十\d]+）|[(]\d+[)]|\d+[.．、])/u;

/** A rule that makes the count nothing: a charge forbidden or free of charge. */
const noneDue = /不得|严禁|禁止|不准|免费|免收|无偿|不收取|不另收|无需|不需要|不用/u;

/** A rule that sets a number by something else, or leaves it open: the answer to how many there is. */
const sizeRule = /一定数量|一定比例|若干|(?:按|按照|根据)[^，。；]{0,16}(?:比例|规模|需要|需求|人数)/u;

/** An item's own number at the start of a line ("（2）", "3.") is not a count. */
const itemNumber = /^\s*(?:（\d+）|[(]\d+[)]|\d+[.．、](?!\d)|（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、)/gmu;

/** What a count question asks to be counted. */
export interface AskedCount {
  /** The units it names with their kin ("几次" → 次, 回…); empty when its words leave the unit open ("几个", "多少"). */
  units: string[];
  /** Whether it counts things a list names (老师, 基地, 课程): "3个" or a list of them answers it. */
  things: boolean;
}

/**
 * What a count question asks to be counted, or null when it does not ask how many.
 *
 * @example countAsked('就业指导课一学期有多少课时') // { units: ['课时', '学时', '节', …], things: false }
 * @example countAsked('要配几个老师') // { units: [], things: true }
 * @example countAsked('中职要坚持哪几个原则') // null
 */
export function countAsked(question: string): AskedCount | null {
  const found = [...question.matchAll(countWords)].map((match) => (match[1] === undefined ? null : unitGroups.find((group) => group.units.includes(match[1]!))!));
  if (found.length === 0) return null;
  // one count whose unit is left open ("…最少要花多少") takes any number
  if (found.includes(null)) return { units: [], things: true };
  const named = found.filter((group) => group !== null);
  return { units: [...new Set(named.flatMap((group) => group.units))], things: named.some((group) => group.things) };
}

/**
 * Whether a lead states a count of what the question asks: a number followed by one of the
 * asked units; for things, also "N个", a ratio or a list of them; for a count whose unit is
 * open, any number. Item numbers at the start of a line ("（2）") count nothing.
 *
 * @example statesCount('校党委会每年至少召开两次专题会议。', countAsked('一年开几次会')!) // true
 * @example statesCount('校党委会每年至少召开两次专题会议。', countAsked('有多少课时')!) // false
 */
export function statesCount(lead: string, asked: AskedCount): boolean {
  const text = lead.replace(/《[^》]*》/gu, '').replace(itemNumber, '');
  // "实习要交多少押金" is answered by a rule that none is due: "不得收取实习押金", "免费"
  if (noneDue.test(text)) return true;
  // "一定数量的兼职职业指导师", "按毕业生规模配备": the rule says how the number is set, there is no other
  if (sizeRule.test(text)) return true;
  if (asked.things && (ratio.test(text) || enumeration.test(text))) return true;
  // "双证书" counts two certificates where the question leaves the unit open
  if (asked.units.length === 0) return anyCount.test(text);
  const units = [...asked.units, ...(asked.things ? ['个'] : [])].map(escape).join('|');
  if (new RegExp(`${numberPattern}\\s*(?:多|余)?\\s*(?:${units})`, 'u').test(text)) return true;
  // "中级以上职业资格证书" names a level
  if (asked.units.includes('级') && /[初中高特]级/u.test(text)) return true;
  // "一年开几次" is answered by a rule of how often within the year: "每季度", "每学期"
  if (asked.units.includes('次') && /每(?:个)?(?:学期|季度|月|周|星期)/u.test(text)) return true;
  // "听几节课" is answered by "听课至少 10 次": times a lesson is attended count the lessons
  return asked.units.includes('节') && new RegExp(`课[^，。；,;]{0,6}?${numberPattern}\\s*(?:次|回)`, 'u').test(text);
}

/** How the leads of an answer meet a count question. */
export type CountFit =
  /** The question does not ask how many. */
  | 'not-a-count'
  /** A lead states a count of what was asked. */
  | 'counted'
  /** The leads hold numbers, but each counts something else ("两次专题会议" for 多少课时). */
  | 'counts-something-else'
  /** The leads hold no number at all. */
  | 'no-count';

/**
 * How the leads of an answer (each direct line before the quoted clauses) meet a count question.
 *
 * @example countFit('就业指导课有多少课时', ['校党委会每年至少召开两次专题会议。']) // 'counts-something-else'
 */
export function countFit(question: string, leads: readonly string[]): CountFit {
  const asked = countAsked(question);
  if (asked === null) return 'not-a-count';
  if (leads.some((lead) => statesCount(lead, asked))) return 'counted';
  // where the question leaves the unit open, any numeral in a lead may be its answer ("一人一档")
  if (asked.units.length === 0 && leads.some((lead) => new RegExp(numberPattern, 'u').test(lead.replace(/《[^》]*》/gu, '').replace(itemNumber, '')))) return 'counted';
  return leads.some((lead) => anyCount.test(lead.replace(/《[^》]*》/gu, '').replace(itemNumber, ''))) ? 'counts-something-else' : 'no-count';
}
