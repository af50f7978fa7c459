import { careerTexts, fill, say, type ActionText, type StepText } from './career-texts.ts';
import { addDays, addMonths, chinaDay, dateParts, nextOf } from './dates.ts';
import { milestoneById, milestoneTiming, type MilestoneTiming } from './milestones.ts';
import {
  constraint,
  finalGrades,
  graduatedGrade,
  higherEducationKey,
  schools,
  type Constraint,
  type Intention,
  type School,
} from './vocabulary.ts';

/** One step of the action plan: by when (text and ISO date), what, and how. */
export interface PlanAction {
  /** The `when_*` text, e.g. 两周内. */
  when: string;
  /** The deadline, `YYYY-MM-DD` (China time). */
  date: string;
  title: string;
  detail: string;
  /** The milestone (milestones.yaml) the step is about, and whether the student may take part now, later or no more. */
  milestone?: { id: string; stage: MilestoneTiming['stage'] };
}

/** What the action plan depends on. */
export interface ActionProfile {
  school: School;
  grade: string;
  major: string;
  location: string;
  intention: Intention;
  constraints: readonly Constraint[];
}

/**
 * How the deadlines are set: the first step in two weeks, the second in a month, the third by the
 * next term start (about 1 March and 1 September), by graduation (30 June) in the final year, or
 * in three months for a graduate or when graduation is closer than the second step.
 */
export const deadlines = {
  firstStepDays: 14,
  secondStepMonths: 1,
  fallbackMonths: 3,
  termStarts: [
    [3, 1],
    [9, 1],
  ],
  graduationDay: [[6, 30]],
} as const;

/** A `when_*` key and the date; `name` is the milestone's, for `when_milestone`. */
type Deadline = { whenKey: string; date: string; name?: string };

/** The third step's deadline: graduation for a final-year student, else the next term start; three months for graduates. */
function thirdDeadline(profile: ActionProfile, today: string, second: string): Deadline {
  const inThreeMonths = { whenKey: 'when_3m', date: addMonths(today, deadlines.fallbackMonths) };
  if (profile.grade === graduatedGrade) return inThreeMonths;
  if (profile.grade === finalGrades[profile.school]) {
    const graduation = nextOf(today, deadlines.graduationDay);
    return graduation > second ? { whenKey: 'when_graduation', date: graduation } : inThreeMonths;
  }
  return { whenKey: 'when_term', date: nextOf(second, deadlines.termStarts) };
}

/** Extra sentences for constraints: family pressure after the first step, staying near home after the second. */
function extras(profile: ActionProfile, values: Record<string, string>): [string, string, string] {
  const has = (value: Constraint): boolean => profile.constraints.includes(value);
  const pressureKey = profile.school === schools[0] ? schools[0] : higherEducationKey;
  return [
    has(constraint.pressure) ? say('actions', `extra_pressure_${pressureKey}`, values) : '',
    has(constraint.nearHome) ? say('actions', 'extra_local', values) : '',
    '',
  ];
}

/** A step with a milestone, written for the stage the student is at, dated by the milestone when they may take part now. */
function milestoneStep(text: ActionText & { milestone: string }, profile: ActionProfile, today: string, usual: Deadline): { text: StepText; deadline: Deadline; milestone: NonNullable<PlanAction['milestone']> } {
  const milestone = milestoneById(text.milestone);
  const timing = milestoneTiming(milestone, profile.school, profile.grade, today);
  const tag = { id: milestone.id, stage: timing.stage };
  if (timing.stage === 'now') return { text, deadline: { whenKey: 'when_milestone', date: timing.date, name: milestone.name }, milestone: tag };
  return { text: timing.stage === 'later' ? text.early! : text.missed!, deadline: usual, milestone: tag };
}

/**
 * The three steps of the plan, from `actions` in career.zh.yaml: step1 by school (or graduated),
 * step2 and step3 by school and intention, each with a dated deadline counted from `now`. A step
 * with a milestone (an exam, a registration, the graduates' recruitment) is dated by the
 * milestone when the student may take part at its next date, and otherwise replaced by its
 * preparation (`early`) or missed text; the plan's caveats state the milestone's condition.
 *
 * @example planActions(profile, '智能制造与设备维修', new Date('2026-11-25T08:00:00Z'))[0].date // '2026-12-09'
 */
export function planActions(profile: ActionProfile, direction: string, now: Date): PlanAction[] {
  const who = profile.grade === graduatedGrade ? 'graduated' : profile.school;
  const { step1, step2, step3 } = careerTexts().actions;
  const texts: (ActionText | undefined)[] = [step1[who], step2[`${who}_${profile.intention}`], step3[`${who}_${profile.intention}`]];
  const today = chinaDay(now);
  const second = addMonths(today, deadlines.secondStepMonths);
  const dated: Deadline[] = [
    { whenKey: 'when_2w', date: addDays(today, deadlines.firstStepDays) },
    { whenKey: 'when_1m', date: second },
    thirdDeadline(profile, today, second),
  ];
  const values = { direction, major: profile.major, location: profile.location };
  const extra = extras(profile, values);
  return texts.map((text, index): PlanAction => {
    if (!text) throw new Error(`career.zh.yaml: no action step${index + 1} for ${who}_${profile.intention}`);
    const usual = dated[index]!;
    const step = text.milestone === undefined ? null : milestoneStep({ ...text, milestone: text.milestone }, profile, today, usual);
    const written = step?.text ?? text;
    const deadline = step?.deadline ?? usual;
    const timing = deadline.name ? { name: deadline.name, ...dateParts(deadline.date) } : {};
    return {
      when: say('actions', deadline.whenKey, timing),
      date: deadline.date,
      title: fill(written.title, values),
      detail: fill(written.detail, values) + extra[index],
      ...(step ? { milestone: step.milestone } : {}),
    };
  });
}
