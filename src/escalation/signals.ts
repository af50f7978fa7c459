import { normalizeText } from '../retrieval/normalize.ts';

/**
 * A student saying they belong to a group that needs employment help (seed 002: 就业困难群体 —
 * family hardship, disability, 低保/建档立卡 households, zero-employment families). Said about
 * themselves ("我是…", "我家…"), not a question about the policy for such groups.
 *
 * @example saysDifficultGroup('我家是低保户') // true
 * @example saysDifficultGroup('就业困难群体有哪些帮扶？') // false
 */
export function saysDifficultGroup(message: string): boolean {
  const text = normalizeText(message).replace(/\s+/gu, '');
  if (/[?？吗呢]$|哪些|什么|怎么|如何|能不能|可以吗/u.test(text)) return false;
  return /(?:我|我家|我们家|家里)(?:是|属于|算|也是|就是)?(?:[^，。！]{0,6})?(?:就业困难(?:群体|人员|学生)?|低保(?:户|家庭)?|建档立卡|贫困(?:户|家庭|生)|零就业家庭|残疾|残障|家庭(?:经济)?困难|经济困难)/u.test(
    text,
  );
}

/**
 * A student telling the bot its last answer was wrong or did not help; the conversation counts it
 * like a low-confidence answer (escalation trigger).
 *
 * @example saysAnswerWrong('你说的不对') // true
 */
export function saysAnswerWrong(message: string): boolean {
  const text = normalizeText(message).replace(/[\s!！。.，,~～]+/gu, '');
  return /^(?:不对|错了|你错了|说错了|答错了|回答错了|答案不对|答案错了|回答不对|你说的不对|你说得不对|不是这样的?|答非所问|这不是我问的|不是我问的|没用|没有用|没帮助|没有帮助|看不懂|wrong|that'?s?wrong|nothelpful|(?:this|it)is(?:wrong|nothelpful))$/iu.test(
    text,
  );
}
