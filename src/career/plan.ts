import { planActions, type PlanAction } from './actions.ts';
import { directionReasons, matchDirections, type MatchProfile } from './directions.ts';
import { policyLinksFor, type PolicyLink } from './policy-links.ts';
import { codeLetters, scoreAssessment, type AssessmentResult } from './riasec.ts';
import { graduatedGrade, type Constraint, type Intention, type Letter, type Priority, type School } from './vocabulary.ts';

/** Everything the student told, as the plan keeps it (choice values, not labels). */
export interface PlanProfile {
  school: School;
  grade: string;
  major: string;
  location: string;
  /** null: not given. */
  interests: string | null;
  constraints: Constraint[];
  intention: Intention;
  priority: Priority;
}

/** A suggested direction (an occupation family) and why. */
export interface PlanDirection {
  /** The family id in occupation-families.yaml. */
  id: string;
  name: string;
  /** The family's primary type. */
  type: Letter;
  score: number;
  /** True when the family is 对口 to the student's major. */
  majorMatch: boolean;
  /** One sentence from the `reasons` templates. */
  reasons: string;
  examples: string[];
  /** The family's note for the student's school, if it has one. */
  note?: string;
}

/** A written career plan: plain JSON, stored in the career archive and rendered for chat and Markdown. */
export interface CareerPlan {
  version: 1;
  /** ISO instant. */
  createdAt: string;
  profile: PlanProfile;
  /** Stored on its own as well (the `assessments` table). */
  assessment: AssessmentResult;
  /** The interest code, e.g. `RIC`. */
  code: string;
  directions: PlanDirection[];
  actions: PlanAction[];
  links: PolicyLink[];
}

/**
 * Builds the plan from a complete profile and all assessment answers: scores, directions,
 * dated actions and the policy clauses that apply to this student.
 *
 * @example buildPlan(profile, answers, new Date()).directions[0].name
 */
export function buildPlan(profile: PlanProfile, answers: Readonly<Record<string, number>>, now: Date): CareerPlan {
  const assessment = scoreAssessment(answers);
  const code = codeLetters(assessment.code);
  const matchProfile: MatchProfile = profile;
  const directions = matchDirections(code, matchProfile).map((match): PlanDirection => {
    const note = match.family.notes[profile.school];
    return {
      id: match.family.id,
      name: match.family.name,
      type: match.family.type,
      score: match.score,
      majorMatch: match.majorMatch,
      reasons: directionReasons(match, code, matchProfile),
      examples: match.family.examples,
      ...(note ? { note } : {}),
    };
  });
  const graduated = profile.grade === graduatedGrade;
  return {
    version: 1,
    createdAt: now.toISOString(),
    profile,
    assessment,
    code: assessment.code,
    directions,
    actions: planActions(profile, directions[0]?.name ?? '', now),
    links: policyLinksFor({ ...profile, graduated }),
  };
}
