/**
 * Things the documents rule on side by side and differently — 专职 and 兼职 staff, 跟岗 and 顶岗
 * internships, 公办 and 民办 schools — of which a question names one side. A sentence about the
 * other side only does not answer it ("兼职人员要什么证" is not answered by the 专职 rule next to
 * it), and a follow-up naming the other side ("那兼职的呢") asks the previous question again about it.
 */

/** One side of a contrast: how the documents write it, and every way a question may name it. */
interface Side {
  written: string;
  english: string;
  pattern: RegExp;
}

/** Each contrast's sides. "专兼职" names both 专职 and 兼职. */
const contrasts: ReadonlyArray<readonly Side[]> = [
  [
    { written: '专职', english: 'full-time', pattern: /专职|专兼职|专、兼职|全职|\bfull[- ]time\b/iu },
    { written: '兼职', english: 'part-time', pattern: /兼职|\bpart[- ]time\b/iu },
  ],
  [
    { written: '认识实习', english: 'observation internship', pattern: /认识实习|\bobservation(?: internships?)?\b/iu },
    { written: '跟岗实习', english: 'shadowing internship', pattern: /跟岗(?:实习)?|\bshadowing(?: internships?)?\b/iu },
    { written: '顶岗实习', english: 'placement internship', pattern: /顶岗(?:实习)?|\bplacement(?: internships?)?\b/iu },
  ],
  [
    { written: '公办', english: 'public school', pattern: /公办|\bpublic schools?\b/iu },
    { written: '民办', english: 'private school', pattern: /民办|私立|\bprivate schools?\b/iu },
  ],
  [
    { written: '应届', english: "this year's graduates", pattern: /应届|\bthis year'?s graduates?\b/iu },
    { written: '往届', english: 'earlier graduates', pattern: /往届|\bearlier graduates?\b|\bprevious years?'? graduates?\b/iu },
  ],
  [
    { written: '线上', english: 'online', pattern: /线上|网上|\bonline\b/iu },
    { written: '线下', english: 'offline', pattern: /线下|\boffline\b|\bin person\b/iu },
  ],
  [
    { written: '校内', english: 'on campus', pattern: /校内|\bon[- ]campus\b/iu },
    { written: '校外', english: 'off campus', pattern: /校外|\boff[- ]campus\b/iu },
  ],
  // the prizes of a competition, each rewarded differently
  [
    { written: '一等奖', english: 'first prize', pattern: /一等奖|\b(?:first|1st) prizes?\b/iu },
    { written: '二等奖', english: 'second prize', pattern: /二等奖|\b(?:second|2nd) prizes?\b/iu },
    { written: '三等奖', english: 'third prize', pattern: /三等奖|\b(?:third|3rd) prizes?\b/iu },
    { written: '优秀奖', english: 'honorable mention', pattern: /优秀奖|\bhonou?rable mentions?\b/iu },
  ],
  // the level of a competition or an award
  [
    { written: '国家级', english: 'national-level', pattern: /国家级|国赛|\bnational[- ]level\b|\bnational\b(?:[\w -]{0,30})\b(?:competitions?|contests?)\b/iu },
    { written: '省级', english: 'provincial-level', pattern: /省级|省赛|\bprovincial[- ]level\b|\bprovincial\b(?:[\w -]{0,30})\b(?:competitions?|contests?)\b/iu },
  ],
];

/** The sides a text names, per contrast (by index); contrasts it does not touch are absent. */
function sidesIn(text: string): Map<number, Set<number>> {
  const named = new Map<number, Set<number>>();
  contrasts.forEach((sides, contrast) => {
    sides.forEach((side, index) => {
      if (!side.pattern.test(text)) return;
      if (!named.has(contrast)) named.set(contrast, new Set());
      named.get(contrast)!.add(index);
    });
  });
  return named;
}

/**
 * Whether a sentence speaks only of the other side of something the question names one side of:
 * "专职就业工作人员必须具有中级以上…证书" for "兼职人员要什么证".
 *
 * @example speaksOfOtherSide('兼职人员要什么证', '专职人员必须具有中级以上证书。') // true
 * @example speaksOfOtherSide('兼职人员要什么证', '专兼职人员都要培训。') // false
 */
export function speaksOfOtherSide(question: string, sentence: string): boolean {
  const asked = sidesIn(question);
  if (asked.size === 0) return false;
  const said = sidesIn(sentence);
  for (const [contrast, sides] of asked) {
    const other = said.get(contrast);
    if (sides.size === 1 && other && ![...sides].some((side) => other.has(side))) return true;
  }
  return false;
}

/**
 * The side of a contrast a message names, when the previous question named another side of it:
 * what to put where, so that "那兼职的呢" after "专职就业指导人员要什么证" asks about 兼职.
 * Null when the message names no side, or the previous question no other side of the same contrast.
 *
 * @example swapSide('那兼职的呢', '专职就业指导人员要什么证') // '兼职就业指导人员要什么证'
 */
export function swapSide(message: string, previous: string): string | null {
  const named = sidesIn(message);
  const before = sidesIn(previous);
  for (const [contrast, sides] of named) {
    const was = before.get(contrast);
    if (sides.size !== 1 || !was || was.size !== 1) continue;
    const [now] = sides;
    const [old] = was;
    if (now === old) continue;
    const from = contrasts[contrast]![old!]!;
    const to = contrasts[contrast]![now!]!;
    return previous.replace(new RegExp(from.pattern.source, 'iu'), /^[\x00-\x7f]*$/u.test(previous) ? to.english : to.written);
  }
  return null;
}

/** Whether a message names a side of one of the contrasts ("兼职", "part-time", "顶岗"). */
export function namesASide(message: string): boolean {
  return sidesIn(message).size > 0;
}
