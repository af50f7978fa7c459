import { listed, say } from './career-texts.ts';
import { keywordsIn } from './keywords.ts';
import { fieldsOfMajor, type MajorField } from './major-fields.ts';
import { occupations, pairKey, type Family } from './occupations.ts';
import {
  constraint,
  interestPriority,
  priorityTrait,
  type Constraint,
  type Letter,
  type Priority,
  type School,
  type Trait,
} from './vocabulary.ts';

/** What the matching looks at besides the code. */
export interface MatchProfile {
  school: School;
  major: string;
  location: string;
  /** The student's own words, or null when skipped. */
  interests: string | null;
  constraints: readonly Constraint[];
  priority: Priority;
}

/** A family scored for one student, with what made the score. */
export interface DirectionMatch {
  family: Family;
  score: number;
  /** Code weights (+ the pair bonus), × 1.5 when 兴趣 matters most. */
  interestScore: number;
  /** The family is a direction of the student's field of study (major-fields.yaml). */
  majorMatch: boolean;
  /** The student's field that lists the family, when `majorMatch`. */
  field: MajorField | null;
  /** The student's major is in no field we know: every family is matched on the code alone. */
  majorUnknown: boolean;
  /** The family's `interests` keywords in the student's own words (longer keywords hide shorter ones). */
  interestMatches: string[];
  /** Traits that earned a bonus, and why: a constraint (`quick`, `pressure`, `local`) or the priority. */
  traitBonuses: { reason: TraitReason; trait: Trait }[];
}

/** Why a trait counts: named after the `reasons` template that explains it. */
export type TraitReason = 'quick' | 'pressure' | 'local' | 'priority';

/** The numbers of the matching rules in the header of occupation-families.yaml. */
export const matching = {
  /** Weights of the first, second and third letter of the code. */
  positionWeights: [3, 2, 1],
  /** Type weight of the family's own type and of a type in its `also`. */
  typeWeights: { primary: 1, also: 0.5 },
  /** For a family listed under the pair of the first two letters. */
  pairBonus: 1.5,
  majorBonus: 3,
  interestBonus: 1,
  /** Distinct interest keywords a family outside the student's field needs before it is suggested. */
  strongInterestKeywords: 2,
  /** For each constraint or priority a family's trait meets. */
  traitBonus: 1,
  /** Applied to the interest score when 兴趣 matters most. */
  interestPriorityFactor: 1.5,
  /** Directions picked before a missing 对口 one is added, and how many of them may share a primary type. */
  directionsPicked: 3,
  perTypeLimit: 2,
} as const;

function interestScore(family: Family, code: readonly Letter[], priority: Priority): number {
  const fromCode = code.reduce((sum, letter, index) => {
    const weight = family.type === letter ? matching.typeWeights.primary : family.also.includes(letter) ? matching.typeWeights.also : 0;
    return sum + (matching.positionWeights[index] ?? 0) * weight;
  }, 0);
  const [first, second] = code;
  const pair = first && second ? occupations().pairs[pairKey(first, second)] : undefined;
  const score = fromCode + (pair?.families.includes(family.id) ? matching.pairBonus : 0);
  return priority === interestPriority ? score * matching.interestPriorityFactor : score;
}

/** Every family's interest keywords found in the student's words, a longer keyword hiding the shorter ones inside it. */
function interestKeywordsIn(interests: string | null): Set<string> {
  if (!interests) return new Set();
  return new Set(keywordsIn(interests, occupations().families.flatMap((family) => family.interests)));
}

function traitBonuses(family: Family, profile: MatchProfile): DirectionMatch['traitBonuses'] {
  const has = (trait: Trait): boolean => family.traits.includes(trait);
  const bonuses: DirectionMatch['traitBonuses'] = [];
  const wants = (value: Constraint): boolean => profile.constraints.includes(value);
  if (wants(constraint.quickJob) && has('quick')) bonuses.push({ reason: 'quick', trait: 'quick' });
  if (wants(constraint.pressure)) {
    const trait = (['quick', 'stable'] as const).find(has);
    if (trait) bonuses.push({ reason: 'pressure', trait });
  }
  if (wants(constraint.nearHome) && has('local')) bonuses.push({ reason: 'local', trait: 'local' });
  const prized = priorityTrait[profile.priority];
  if (prized && has(prized)) bonuses.push({ reason: 'priority', trait: prized });
  return bonuses;
}

/** What matching needs to know about the student once, whatever the family. */
interface StudentKeys {
  fields: MajorField[];
  interestKeywords: Set<string>;
}

const studentKeys = (profile: MatchProfile): StudentKeys => ({ fields: fieldsOfMajor(profile.major), interestKeywords: interestKeywordsIn(profile.interests) });

/** Scores one family for a student (occupation-families.yaml header). */
export function scoreFamily(family: Family, code: readonly Letter[], profile: MatchProfile, keys: StudentKeys = studentKeys(profile)): DirectionMatch {
  const interest = interestScore(family, code, profile.priority);
  const field = keys.fields.find((candidate) => candidate.families.includes(family.id)) ?? null;
  const majorMatch = field !== null;
  const matches = family.interests.filter((keyword) => keys.interestKeywords.has(keyword));
  const bonuses = traitBonuses(family, profile);
  return {
    family,
    interestScore: interest,
    majorMatch,
    field,
    majorUnknown: keys.fields.length === 0,
    interestMatches: matches,
    traitBonuses: bonuses,
    score: interest + (majorMatch ? matching.majorBonus : 0) + (matches.length > 0 ? matching.interestBonus : 0) + bonuses.length * matching.traitBonus,
  };
}

/** Whether a family may be suggested: a direction of the student's field, or one the student's own words point to strongly. */
export function mayBeSuggested(match: DirectionMatch): boolean {
  return match.majorUnknown || match.majorMatch || match.interestMatches.length >= matching.strongInterestKeywords;
}

/**
 * The suggested directions: families open to the student's school that fit the major (or that
 * the student's interests point to with two keywords or more), best score first (equal scores in
 * file order), three of them with at most two of one primary type (relaxed when fewer would be
 * left); a 对口 family that did not make it is added as a fourth. A major in no known field lets
 * every family in on the code alone.
 *
 * @example matchDirections(['R', 'I', 'C'], profile).map((match) => match.family.id)
 */
export function matchDirections(code: readonly Letter[], profile: MatchProfile): DirectionMatch[] {
  const keys = studentKeys(profile);
  const ranked = occupations()
    .families.filter((family) => family.schools.includes(profile.school))
    .map((family) => scoreFamily(family, code, profile, keys))
    .filter(mayBeSuggested)
    .sort((a, b) => b.score - a.score);
  const picked: DirectionMatch[] = [];
  for (const match of ranked) {
    if (picked.length === matching.directionsPicked) break;
    if (picked.filter((other) => other.family.type === match.family.type).length < matching.perTypeLimit) picked.push(match);
  }
  for (const match of ranked) {
    if (picked.length === matching.directionsPicked) break;
    if (!picked.includes(match)) picked.push(match);
  }
  picked.sort((a, b) => ranked.indexOf(a) - ranked.indexOf(b));
  const bestMajorMatch = ranked.find((match) => match.majorMatch);
  if (bestMajorMatch && !picked.some((match) => match.majorMatch)) picked.push(bestMajorMatch);
  return picked;
}

/**
 * Why a direction is suggested, in one sentence from the `reasons` templates: how it fits the
 * code, the major, the student's interests, constraints and what matters most.
 */
export function directionReasons(match: DirectionMatch, code: readonly Letter[], profile: MatchProfile): string {
  const { family } = match;
  const codeText = code.join('');
  const fitting = code.filter((letter) => letter === family.type || family.also.includes(letter));
  const parts: string[] = [];
  if (family.type === code[0]) {
    parts.push(say('reasons', 'code_primary', { code: codeText, letter: family.type, name: occupations().types[family.type].name }));
  } else if (fitting.length > 0) {
    parts.push(say('reasons', 'code_secondary', { code: codeText, letters: listed(fitting) }));
  } else {
    parts.push(say('reasons', 'code_none', { code: codeText }));
  }
  const interest = listed(match.interestMatches);
  if (match.field) {
    parts.push(say('reasons', fitting.length > 0 ? 'major_field' : 'major_field_only', { major: profile.major, field: match.field.name }));
    if (match.interestMatches.length > 0) parts.push(say('reasons', 'interest', { interest }));
  } else if (match.majorUnknown) {
    if (match.interestMatches.length > 0) parts.push(say('reasons', 'interest', { interest }));
    parts.push(say('reasons', 'major_unknown', { major: profile.major }));
  } else {
    parts.push(say('reasons', 'outside_major', { major: profile.major, interest }));
  }
  const reasons = new Set(match.traitBonuses.map((bonus) => bonus.reason));
  if (reasons.has('quick')) parts.push(say('reasons', 'quick'));
  if (reasons.has('pressure')) parts.push(say('reasons', 'pressure'));
  if (reasons.has('local')) parts.push(say('reasons', 'local', { location: profile.location }));
  // 兴趣 earns no trait: it is said where the family is of the code's first type. The 离家近
  // priority is not said twice when the 离家近 constraint already said it.
  const prized = priorityTrait[profile.priority];
  const priorityFits = prized ? reasons.has('priority') && !(prized === 'local' && reasons.has('local')) : family.type === code[0];
  if (priorityFits) parts.push(say('reasons', `priority_${profile.priority}`));
  return parts.join(say('reasons', 'separator')) + say('reasons', 'end');
}
