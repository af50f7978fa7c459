/**
 * The guided career-planning dialogue: a pure state machine. Each call takes the stored state and
 * the student's message and returns the next state and reply; nothing is kept in memory between
 * calls, so a dialogue survives a restart (the state is stored as JSON).
 *
 * Steps: school → grade → major → location → interests → constraints → intention → 24 assessment
 * items → priority → the plan. At any step: 退出 (quit, resumable), 上一步 (back), 重做测评 (redo
 * the assessment), 跳过 (skip, where allowed).
 */
import type { Choice } from '../conversation/types.ts';
import { choiceList, labelOf, say, type ChoiceOption } from './career-texts.ts';
import { controlOf, meansNothing, readMany, readSingle } from './choice-input.ts';
import { buildPlan, type CareerPlan } from './plan.ts';
import { codeSummary } from './plan-render.ts';
import {
  freshState,
  intakeSteps,
  maxInterestsLength,
  maxLocationLength,
  maxMajorLength,
  parsePlanningState,
  stepNames,
  type PlanningProfile,
  type PlanningState,
  type StepName,
} from './planning-state.ts';
import { askingOrder } from './riasec-items.ts';
import { scoreAssessment } from './riasec.ts';
import { noConstraint, type Constraint, type Intention, type Priority, type School } from './vocabulary.ts';

export type { Choice } from '../conversation/types.ts';
export type { PlanAction } from './actions.ts';
export type { CareerPlan, PlanDirection, PlanProfile } from './plan.ts';
export type { PlanningState } from './planning-state.ts';
export type { PolicyLink } from './policy-links.ts';
export type { AssessmentResult } from './riasec.ts';
export type { LinkResolver, ResolvedClause } from './plan-render.ts';
export { renderPlanChat, renderPlanMarkdown, snapshotResolver } from './plan-render.ts';
export { parsePlanningState } from './planning-state.ts';

/** What the dialogue says: text, and the options when the question has them (channels number them). */
export interface DialogueReply {
  text: string;
  choices?: Choice[];
}

/** The result of one message: the dialogue goes on, was paused by 退出, or is done with a plan. */
export type Turn =
  | { state: PlanningState; reply: DialogueReply }
  | { state: null; reply: DialogueReply; outcome: 'quit' }
  | { state: null; reply: DialogueReply; outcome: 'done'; plan: CareerPlan };

type Values = Record<string, string | number>;
const text = (key: string, values: Values = {}): string => say('text', key, values);
const total = (): number => askingOrder().length;
const asChoices = (options: readonly ChoiceOption[]): Choice[] => options.map(({ label, value }) => ({ label, value }));

/** A reply with a line in front of it (an acknowledgement, a re-ask, an introduction). */
function after(lead: string, reply: DialogueReply): DialogueReply {
  return { ...reply, text: `${lead}\n${reply.text}` };
}

/** The choice list a step offers, if any. */
function choicesAt(state: PlanningState): string | null {
  switch (state.step) {
    case 'school':
    case 'constraints':
    case 'intention':
    case 'priority':
      return state.step;
    case 'grade':
      return `grade_${state.profile.school}`;
    case 'assessment':
      return 'scale';
    default:
      return null;
  }
}

/** The question of the current step, with its options. */
function question(state: PlanningState): DialogueReply {
  const item = askingOrder()[state.item];
  const asked = state.step === 'assessment' && item ? text('ask_item', { n: state.item + 1, total: total(), text: item.text }) : text(`ask_${state.step}`);
  const list = choicesAt(state);
  return list ? { text: asked, choices: asChoices(choiceList(list)) } : { text: asked };
}

/** Where the dialogue stands, as the quit message names it. */
function whereText(state: PlanningState): string {
  return state.step === 'assessment' ? text('where_item', { n: state.item + 1, total: total() }) : text(`where_${state.step}`);
}

/** The position after the current one, or null when the dialogue is complete. */
function nextPosition(state: PlanningState): Pick<PlanningState, 'step' | 'item'> | null {
  if (state.step === 'assessment' && state.item + 1 < total()) return { step: 'assessment', item: state.item + 1 };
  const next = stepNames[stepNames.indexOf(state.step) + 1];
  return next ? { step: next, item: 0 } : null;
}

/** The position before the current one, or null at the first question. */
function previousPosition(state: PlanningState): Pick<PlanningState, 'step' | 'item'> | null {
  if (state.step === 'assessment' && state.item > 0) return { step: 'assessment', item: state.item - 1 };
  if (state.step === 'priority') return { step: 'assessment', item: total() - 1 };
  const previous = stepNames[stepNames.indexOf(state.step) - 1];
  return previous ? { step: previous, item: 0 } : null;
}

/** What an answer did: filled in the state, chose the priority (the last answer), or needs asking again. */
type Answer = { state: PlanningState } | { priority: Priority } | { reask: string };

const withProfile = (state: PlanningState, profile: PlanningProfile): Answer => ({ state: { ...state, profile: { ...state.profile, ...profile } } });

/** A free-text answer: 1–max characters with at least one letter or Han character, spaces folded. */
function freeText(input: string, max: number): string | null {
  const cleaned = input.replace(/\s+/gu, ' ').trim();
  const length = [...cleaned].length;
  return length >= 1 && length <= max && /\p{L}/u.test(cleaned) ? cleaned : null;
}

function chooseOne(state: PlanningState, input: string, apply: (value: string) => PlanningProfile): Answer {
  const read = readSingle(choiceList(choicesAt(state)!), input);
  return 'value' in read ? withProfile(state, apply(read.value)) : { reask: text(read.problem) };
}

/** Reads the answer to the current question. */
function answer(state: PlanningState, input: string): Answer {
  switch (state.step) {
    case 'school':
      return chooseOne(state, input, (value) =>
        // A grade belongs to a school type: changing the school asks the grade again from scratch.
        value === state.profile.school ? { school: value } : { school: value as School, grade: undefined },
      );
    case 'grade':
      return chooseOne(state, input, (grade) => ({ grade }));
    case 'major': {
      const major = freeText(input, maxMajorLength);
      return major ? withProfile(state, { major }) : { reask: text('reask_major') };
    }
    case 'location': {
      const location = freeText(input, maxLocationLength);
      return location ? withProfile(state, { location }) : { reask: text('reask_location') };
    }
    case 'interests': {
      if (meansNothing(input)) return withProfile(state, { interests: null });
      const interests = freeText(input, maxInterestsLength);
      return interests ? withProfile(state, { interests }) : { reask: text('reask_interests', { max: maxInterestsLength }) };
    }
    case 'constraints':
      return answerConstraints(state, input);
    case 'intention':
      return chooseOne(state, input, (intention) => ({ intention: intention as Intention }));
    case 'assessment':
      return answerItem(state, input);
    case 'priority': {
      // The last answer: it goes into the plan, not into a state.
      const read = readSingle(choiceList('priority'), input);
      return 'value' in read ? { priority: read.value as Priority } : { reask: text(read.problem) };
    }
  }
}

function answerConstraints(state: PlanningState, input: string): Answer {
  const values = readMany(choiceList('constraints'), input);
  if (!values) return { reask: text('reask_multi') };
  if (values.includes(noConstraint) && values.length > 1) return { reask: text('reask_exclusive', { none: labelOf('constraints', noConstraint) }) };
  return withProfile(state, { constraints: values.filter((value) => value !== noConstraint) as Constraint[] });
}

function answerItem(state: PlanningState, input: string): Answer {
  const read = readSingle(choiceList('scale'), input);
  const item = askingOrder()[state.item]!;
  return 'value' in read ? { state: { ...state, answers: { ...state.answers, [item.id]: Number(read.value) } } } : { reask: text('reask_scale') };
}

/** The line that introduces a new part of the dialogue, when the step moves into one. */
function leadIn(from: PlanningState, to: PlanningState): string | null {
  if (from.step === 'intention' && to.step === 'assessment') return text('assessment_intro', { total: total() });
  if (from.step === 'assessment' && to.step === 'priority') {
    const assessment = scoreAssessment(to.answers);
    return text('assessment_done', { code: assessment.code, letters: codeSummary({ assessment }) });
  }
  return null;
}

/** Moves on from an answered (or skipped) step to the next question. */
function advance(answered: PlanningState): Turn {
  const position = nextPosition(answered);
  if (!position) throw new Error(`advance: no step after ${answered.step}`);
  const next: PlanningState = { ...answered, ...position };
  const lead = leadIn(answered, next);
  return { state: next, reply: lead ? after(lead, question(next)) : question(next) };
}

/** The plan, once the priority is chosen. */
function finish(state: PlanningState, priority: Priority, now: Date): Turn {
  const { school, grade, major, location, interests, constraints, intention } = state.profile;
  if (!school || !grade || !major || !location || interests === undefined || !constraints || !intention) {
    throw new Error('finish: the profile is incomplete');
  }
  const plan = buildPlan(
    { school, grade, major, location, interests, constraints, intention, priority },
    state.answers,
    now,
  );
  return { state: null, reply: { text: text('done') }, outcome: 'done', plan };
}

const stay = (state: PlanningState, lead: string): Turn => ({ state, reply: after(lead, question(state)) });

function back(state: PlanningState): Turn {
  const position = previousPosition(state);
  if (!position) return stay(state, text('back_at_start'));
  return stay({ ...state, ...position }, text('back'));
}

function redo(state: PlanningState): Turn {
  if ((intakeSteps as readonly StepName[]).includes(state.step)) return stay(state, text('redo_not_started'));
  return stay({ ...state, step: 'assessment', item: 0, answers: {} }, text('redo'));
}

function skip(state: PlanningState): Turn {
  if (state.step === 'interests') return advance({ ...state, profile: { ...state.profile, interests: null } });
  if (state.step === 'constraints') return advance({ ...state, profile: { ...state.profile, constraints: [] } });
  return stay(state, text('cannot_skip'));
}

/**
 * Begins a dialogue: the introduction and the first question (the school type) with its options.
 *
 * @example const { state, reply } = startPlanning(new Date());
 */
export function startPlanning(now: Date): { state: PlanningState; reply: DialogueReply } {
  const state = freshState(now);
  return { state, reply: after(text('intro', { items: total() }), question(state)) };
}

/**
 * Takes the student's message at the current step. An answer that is not understood asks the
 * same question again (the state is unchanged); a state that cannot be read (an old format, a
 * damaged row) starts over with an apology.
 *
 * @example
 * let turn = continuePlanning(state, '1', new Date());
 * if (!('outcome' in turn)) state = turn.state;
 */
export function continuePlanning(state: PlanningState, input: string, now: Date): Turn {
  const current = parsePlanningState(state);
  if (!current) {
    const fresh = freshState(now);
    return { state: fresh, reply: after(`${text('reset')}\n${text('intro', { items: total() })}`, question(fresh)) };
  }
  switch (controlOf(input)) {
    case 'quit':
      return { state: null, reply: { text: text('quit', { where: whereText(current) }) }, outcome: 'quit' };
    case 'back':
      return back(current);
    case 'redo':
      return redo(current);
    case 'skip':
      return skip(current);
    default:
      break;
  }
  const answered = answer(current, input);
  if ('reask' in answered) return stay(current, answered.reask);
  return 'priority' in answered ? finish(current, answered.priority, now) : advance(answered.state);
}

/**
 * The current question again, with its options, for a dialogue paused by 退出 (the core says
 * "welcome back" itself). A state that cannot be read gets the reset apology and the first question.
 */
export function resumePrompt(state: PlanningState): DialogueReply {
  const current = parsePlanningState(state);
  return current ? question(current) : after(text('reset'), question(freshState(new Date(0))));
}
