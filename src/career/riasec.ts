import { riasecItemsFileContent, type RiasecItem } from './riasec-items.ts';
import { letters, type Letter } from './vocabulary.ts';

/** How many letters the interest code has. */
export const codeLength = 3;

/**
 * Six scores this close (highest minus lowest, out of a 4–20 range per type) make a "flat"
 * profile: on average less than one scale step apart per item, so the code is only a weak hint.
 */
export const flatSpread = 3;

/** Which tie rule of `riasec-items.yaml` put tied letters in order: 4-or-5 count, 5 count, or R>I>A>S>E>C. */
export type TieRule = 'liked' | 'loved' | 'order';

/** Letters with the same score whose order decides the code; `decidedBy` is the last rule that was needed. */
export interface TieNote {
  letters: Letter[];
  score: number;
  decidedBy: TieRule;
}

/** The scored assessment, as stored in the plan and in the `assessments` table. */
export interface AssessmentResult {
  /** `version` of riasec-items.yaml the answers belong to. */
  itemsVersion: number;
  /** Item id → 1–5. */
  answers: Record<string, number>;
  /** Sum per type, 4–20. */
  scores: Record<Letter, number>;
  /** Items of each type answered 4 or 5 (first tie rule). */
  liked: Record<Letter, number>;
  /** Items of each type answered 5 (second tie rule). */
  loved: Record<Letter, number>;
  /** All six letters, highest first, ties broken by the rules. */
  ranking: Letter[];
  /** The first three letters of the ranking, e.g. `RIC`. */
  code: string;
  /** Ties that decided which letters are in the code or their order. */
  ties: TieNote[];
  /** Highest minus lowest score. */
  spread: number;
  /** True when `spread` ≤ `flatSpread`. */
  flat: boolean;
}

const perType = (count: (letter: Letter) => number): Record<Letter, number> =>
  Object.fromEntries(letters.map((letter) => [letter, count(letter)])) as Record<Letter, number>;

/** The rule that orders two letters with equal scores; null when they are not tied. */
function tieRule(a: Letter, b: Letter, result: Pick<AssessmentResult, 'scores' | 'liked' | 'loved'>): TieRule | null {
  if (result.scores[a] !== result.scores[b]) return null;
  if (result.liked[a] !== result.liked[b]) return 'liked';
  if (result.loved[a] !== result.loved[b]) return 'loved';
  return 'order';
}

const ruleDepth: Record<TieRule, number> = { liked: 0, loved: 1, order: 2 };

/** Groups of equal scores that reach into the code. */
function tiesInCode(ranking: readonly Letter[], result: Pick<AssessmentResult, 'scores' | 'liked' | 'loved'>): TieNote[] {
  const notes: TieNote[] = [];
  let start = 0;
  while (start < codeLength) {
    let end = start + 1;
    while (end < ranking.length && result.scores[ranking[end]!] === result.scores[ranking[start]!]) end += 1;
    const group = ranking.slice(start, end);
    if (group.length > 1) {
      const rules = group.slice(1).map((letter, index) => tieRule(group[index]!, letter, result)!);
      const decidedBy = rules.reduce((deepest, rule) => (ruleDepth[rule] > ruleDepth[deepest] ? rule : deepest));
      notes.push({ letters: group, score: result.scores[group[0]!], decidedBy });
    }
    start = end;
  }
  return notes;
}

/**
 * Scores a complete assessment by the rules in the header of `riasec-items.yaml`: the sum per
 * type; the three highest form the code; ties go to more 4-or-5 answers, then more 5 answers,
 * then the order R > I > A > S > E > C.
 *
 * @example scoreAssessment({ R1: 5, I1: 4, … }).code // 'RIC'
 */
export function scoreAssessment(answers: Readonly<Record<string, number>>, items: readonly RiasecItem[] = riasecItemsFileContent().items): AssessmentResult {
  const rating = (item: RiasecItem): number => {
    const value = answers[item.id];
    if (value === undefined || !Number.isInteger(value) || value < 1 || value > 5) {
      throw new Error(`assessment: item ${item.id} needs an answer 1–5 (got ${String(value)})`);
    }
    return value;
  };
  const ofType = (letter: Letter): number[] => items.filter((item) => item.type === letter).map(rating);
  const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
  const counts = {
    scores: perType((letter) => sum(ofType(letter))),
    liked: perType((letter) => ofType(letter).filter((value) => value >= 4).length),
    loved: perType((letter) => ofType(letter).filter((value) => value === 5).length),
  };
  const ranking = [...letters].sort(
    (a, b) =>
      counts.scores[b] - counts.scores[a] ||
      counts.liked[b] - counts.liked[a] ||
      counts.loved[b] - counts.loved[a] ||
      letters.indexOf(a) - letters.indexOf(b),
  );
  const values = Object.values(counts.scores);
  const spread = Math.max(...values) - Math.min(...values);
  return {
    itemsVersion: riasecItemsFileContent().version,
    answers: Object.fromEntries(items.map((item) => [item.id, rating(item)])),
    ...counts,
    ranking,
    code: ranking.slice(0, codeLength).join(''),
    ties: tiesInCode(ranking, counts),
    spread,
    flat: spread <= flatSpread,
  };
}

/** The letters of a code, e.g. `RIC` → `['R', 'I', 'C']`. */
export function codeLetters(code: string): Letter[] {
  return [...code].filter((letter): letter is Letter => (letters as readonly string[]).includes(letter));
}
