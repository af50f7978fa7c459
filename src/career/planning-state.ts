import { z } from 'zod';
import { choiceList } from './career-texts.ts';
import { askingOrder } from './riasec-items.ts';
import { constraints, intentions, schools, type Constraint, type Intention, type School } from './vocabulary.ts';

/** The steps of the dialogue, in order; `assessment` is the 24 items, one at a time. */
export const stepNames = ['school', 'grade', 'major', 'location', 'interests', 'constraints', 'intention', 'assessment', 'priority'] as const;
/** One step of the dialogue. */
export type StepName = (typeof stepNames)[number];

/** The intake steps, answered before the assessment; each fills the profile field of its name. */
export const intakeSteps = ['school', 'grade', 'major', 'location', 'interests', 'constraints', 'intention'] as const;
/** One intake step. */
export type IntakeStep = (typeof intakeSteps)[number];

/** What the student has told so far; a field is absent until its step is answered. */
export interface PlanningProfile {
  school?: School;
  grade?: string;
  major?: string;
  location?: string;
  /** null: skipped. */
  interests?: string | null;
  /** Empty: nothing to consider (or skipped). */
  constraints?: Constraint[];
  intention?: Intention;
}

/**
 * A career dialogue in progress: plain JSON, stored between messages and read back after a
 * restart. `version` changes when the shape does; a state that does not check out is restarted.
 */
export interface PlanningState {
  version: 1;
  /** The question being asked. */
  step: StepName;
  /** The assessment item being asked (0-based, in asking order); 0 outside the assessment. */
  item: number;
  /** When the dialogue began (ISO). */
  startedAt: string;
  profile: PlanningProfile;
  /** Item id → 1–5. */
  answers: Record<string, number>;
}

/** The `version` of states this code writes and reads. */
export const planningStateVersion = 1;

/** The longest major, in characters (the `reask_major` text says 1–40). */
export const maxMajorLength = 40;
/** The longest location, in characters (`reask_location` says 40). */
export const maxLocationLength = 40;
/** The longest interests answer, in characters (`reask_interests` shows it). */
export const maxInterestsLength = 100;

const text = (max: number) => z.string().min(1).max(max);

const stateSchema = z.strictObject({
  version: z.literal(planningStateVersion),
  step: z.enum(stepNames),
  item: z.number().int().min(0),
  startedAt: z.iso.datetime({ offset: true }),
  profile: z.strictObject({
    school: z.enum(schools).optional(),
    grade: z.string().min(1).optional(),
    major: text(maxMajorLength).optional(),
    location: text(maxLocationLength).optional(),
    interests: text(maxInterestsLength).nullable().optional(),
    constraints: z.array(z.enum(constraints)).optional(),
    intention: z.enum(intentions).optional(),
  }),
  answers: z.record(z.string(), z.number().int().min(1).max(5)),
});

/** Why a well-formed state cannot be continued, or null when it can. */
function inconsistency(state: PlanningState): string | null {
  const position = stepNames.indexOf(state.step);
  const missing = intakeSteps.slice(0, position).find((step) => state.profile[step] === undefined);
  if (missing) return `step ${state.step} before ${missing} was answered`;
  const { school, grade } = state.profile;
  if (school && grade && position > stepNames.indexOf('grade') && !choiceList(`grade_${school}`).some((option) => option.value === grade)) {
    return `grade ${grade} is not a grade of ${school}`;
  }
  const items = askingOrder();
  const ids = new Set(items.map((item) => item.id));
  const unknown = Object.keys(state.answers).find((id) => !ids.has(id));
  if (unknown) return `answer to unknown item ${unknown}`;
  const answeredBefore = state.step === 'assessment' ? state.item : state.step === 'priority' ? items.length : 0;
  if (state.step === 'assessment' && state.item >= items.length) return `item ${state.item} is past the last item`;
  const unanswered = items.slice(0, answeredBefore).find((item) => state.answers[item.id] === undefined);
  return unanswered ? `item ${unanswered.id} is unanswered` : null;
}

/**
 * The state, when it is one this version can continue; null for anything else (an old shape,
 * a hand-edited row, answers to items that no longer exist).
 */
export function parsePlanningState(value: unknown): PlanningState | null {
  const parsed = stateSchema.safeParse(value);
  if (!parsed.success) return null;
  const state: PlanningState = parsed.data;
  return inconsistency(state) === null ? state : null;
}

/** A new dialogue at its first question. */
export function freshState(now: Date): PlanningState {
  return { version: planningStateVersion, step: 'school', item: 0, startedAt: now.toISOString(), profile: {}, answers: {} };
}
