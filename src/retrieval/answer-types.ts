/**
 * The kind of answer a question asks for, when its words say so, and whether a text holds one.
 * Retrieval prefers clauses that hold it; for an amount of money, a calendar date or the day a
 * rule takes effect, a clause without one cannot answer (`answerTypeIsStrict`).
 */
export type AnswerType = 'quantity' | 'duration' | 'money' | 'date' | 'effective' | 'eligibility';

/** Questions, in order of precedence: the first pattern that matches names the type. */
const questionPatterns: ReadonlyArray<{ type: AnswerType; pattern: RegExp }> = [
  {
    type: 'effective',
    pattern:
      /(?:什么时候|啥时候|何时|哪天|哪一天|几号|哪年|哪一年)(?:开始|起)?(?:实行|施行|实施|生效|执行|起效)|(?:实行|施行|实施|生效)(?:的)?(?:时间|日期)|\bwhen\b.*\b(?:take effect|in force|effective)\b|\beffective (?:date|from)\b/iu,
  },
  { type: 'date', pattern: /几月|几号(?![文令])|哪天|哪一天|什么日期|啥日期|\bwhat date\b|\bwhich month\b|\bwhat month\b/iu },
  {
    type: 'money',
    pattern:
      /多少钱|多少块|几块钱|几千块|几百块|(?:能|可以)?(?:拿|领|补|给|发|贴|奖)(?:多少|几千|几百)|(?:补贴|补助|奖励|奖金|资助)(?:是|有|标准是)?多少|金额|\bhow much (?:money|is it|do i get|can i get|will i get)\b|\bhow much (?:[a-z-]+ ){0,2}(?:money|subsidy|allowance|bonus|reward|pay)\b/iu,
  },
  { type: 'duration', pattern: /多久|多长时间|几天|几个工作日|什么时候|啥时候|多少天|\bhow long\b|\bhow soon\b|\bwithin how many\b/iu },
  { type: 'quantity', pattern: /几个|几名|几门|几家|几次|几年|几所|多少|比例|百分之|\bhow many\b|\bhow much\b|\bwhat percentage\b|\bratio\b|\bminimum\b/iu },
  {
    type: 'eligibility',
    pattern: /(?:能|可以|可不可以|能不能)(?:领|申请|申领|享受|拿到?)|有(?:没有)?资格|够(?:不够)?条件|符合(?:不符合)?(?:条件|要求)|\b(?:am i|are we) eligible\b|\bcan i (?:get|apply for|receive)\b/iu,
  },
];

/** What a text must hold to answer each type. */
const answerShapes: Record<AnswerType, RegExp> = {
  duration: /[\d一二三四五六七八九十两半]+\s*个?(?:工作日|日|天|周|月|年|学期|学年|季度|小时)|每(?:学期|学年|年|季度|月)|定期|及时/u,
  // a count of years (3年), not the year of a date (2023年11月23日)
  quantity: /\d+(?:\.\d+)?\s*(?:名|个|次|门|家|所|台|人|%|％|平方米|：)|(?<![\d.])\d{1,2}\s*年(?!\s*\d{1,2}\s*月)|[一二三四五六七八九十两百]+(?:名|个|次|门|家|所)|至少|不少于|不低于|以上/u,
  money: /\d+(?:\.\d+)?\s*(?:万|千)?元|[一二三四五六七八九十百千万两]+元/u,
  date: /\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*年\s*\d{1,2}\s*月|[一二三四五六七八九十]+月[一二三四五六七八九十]+日|\d{1,2}\s*月(?:份|底|初|上旬|中旬|下旬)/u,
  eligibility: /(?:可以|可|方可|才能|均可)(?:申领|申请|享受|领取)|不得(?:再次)?(?:申领|申请|享受|领取)|(?:符合|具备|满足)(?:下列|以下|相应|规定)?(?:的)?条件|条件之一|必须是/u,
  effective: /\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*起?\s*(?:施行|实施|生效|执行)|自(?:印发|发布|公布|颁布)之日起(?:施行|实施|生效|执行)/u,
};

/** Types whose answer is a figure or a date a clause either states or does not. */
const strictTypes: ReadonlySet<AnswerType> = new Set(['money', 'date', 'effective']);

/**
 * The kind of answer a question asks for, or null when its words do not say.
 *
 * @example answerTypeOf('创业补贴给多少钱') // 'money'
 * @example answerTypeOf('这个办法什么时候开始实行') // 'effective'
 */
export function answerTypeOf(text: string): AnswerType | null {
  return questionPatterns.find(({ pattern }) => pattern.test(text))?.type ?? null;
}

/** Whether a text holds the kind of answer `type` asks for (an amount in 元 for `money`, …). */
export function holdsAnswerType(type: AnswerType, text: string): boolean {
  return answerShapes[type].test(text);
}

/** Whether a text without the kind of answer asked for cannot answer the question at all. */
export function answerTypeIsStrict(type: AnswerType | null): type is AnswerType {
  return type !== null && strictTypes.has(type);
}
