import { z } from 'zod';
import { CareerFileError, once, readCareerFile } from './career-file.ts';
import { constraints, higherEducationKey, intentions, noConstraint, priorities, schools } from './vocabulary.ts';

/** Where the student-facing texts of the career dialogue live. */
export const careerTextsFile = 'prompts/career.zh.yaml';

const templates = z.record(z.string(), z.string().min(1));

const choiceOptionSchema = z.object({
  value: z.string().min(1),
  label: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
});

/** One option of a question: the button label, the value the program uses, other ways to say it. */
export type ChoiceOption = z.infer<typeof choiceOptionSchema>;

const stepTextSchema = z.object({ title: z.string().min(1), detail: z.string().min(1) });

/** The title and detail of one step, as written for one stage. */
export type StepText = z.infer<typeof stepTextSchema>;

const actionTextSchema = stepTextSchema
  .extend({
    /** A milestone of milestones.yaml this step takes part in: the step is written as is only when the student may. */
    milestone: z.string().min(1).optional(),
    /** The step for a student who may take part only in a later year (preparation). */
    early: stepTextSchema.optional(),
    /** The step for a student who no longer may. */
    missed: stepTextSchema.optional(),
  })
  .refine((text) => text.milestone === undefined || (text.early !== undefined && text.missed !== undefined), {
    message: 'a step with a milestone needs its early and missed texts',
  });

/** The title and detail of one step of the action plan, and its milestone with the texts for the other stages. */
export type ActionText = z.infer<typeof actionTextSchema>;

const words = z.array(z.string().min(1)).min(1);

const textsSchema = z.object({
  text: templates,
  choices: z.record(z.string(), z.array(choiceOptionSchema).min(1)),
  controls: z.object({ quit: words, back: words, redo: words, skip: words, nothing: words }),
  reasons: templates,
  actions: z
    .object({
      step1: z.record(z.string(), actionTextSchema),
      step2: z.record(z.string(), actionTextSchema),
      step3: z.record(z.string(), actionTextSchema),
    })
    .catchall(z.string().min(1)),
  plan: templates,
});

/** Everything in `prompts/career.zh.yaml`. */
export type CareerTexts = z.infer<typeof textsSchema>;

/** A section whose entries are plain `{name}` templates. */
export type TemplateSection = 'text' | 'reasons' | 'plan' | 'actions';

const who = [...schools, 'graduated'] as const;

/** The keys the code looks up, so that a missing one fails at load and not in front of a student. */
function requiredKeys(): Record<TemplateSection | 'choices' | 'step1' | 'step2' | 'step3', string[]> {
  return {
    text: [
      ...['intro', 'ask_school', 'ask_grade', 'ask_major', 'ask_location', 'ask_interests', 'ask_constraints', 'ask_intention'],
      ...['assessment_intro', 'ask_item', 'assessment_done', 'ask_priority', 'done', 'quit', 'back', 'back_at_start'],
      ...['redo', 'redo_not_started', 'cannot_skip', 'reset', 'reask_choice', 'reask_single', 'reask_scale', 'reask_multi'],
      ...['reask_exclusive', 'reask_major', 'reask_location', 'reask_interests', 'letter', 'list_separator'],
      ...['school', 'grade', 'major', 'location', 'interests', 'constraints', 'intention', 'item', 'priority'].map((step) => `where_${step}`),
    ],
    choices: ['school', ...schools.map((school) => `grade_${school}`), 'constraints', 'intention', 'priority', 'scale'],
    reasons: [
      ...['code_primary', 'code_secondary', 'code_none', 'major_field', 'major_field_only', 'outside_major', 'major_unknown'],
      ...['interest', 'quick', 'pressure', 'local'],
      ...priorities.map((priority) => `priority_${priority}`),
      ...['separator', 'end'],
    ],
    actions: [
      ...['when_2w', 'when_1m', 'when_term', 'when_graduation', 'when_3m', 'when_milestone', 'extra_local'],
      ...[schools[0], higherEducationKey].map((key) => `extra_pressure_${key}`),
    ],
    step1: [...who],
    step2: who.flatMap((key) => intentions.map((intention) => `${key}_${intention}`)),
    step3: who.flatMap((key) => intentions.map((intention) => `${key}_${intention}`)),
    plan: [
      ...['title', 'created', 'heading_profile', 'profile_school', 'profile_major', 'profile_location', 'profile_interests'],
      ...['profile_interests_none', 'profile_constraints', 'profile_constraints_none', 'profile_intention', 'profile_priority'],
      ...['heading_assessment', 'assessment_code', 'scores_header', 'scores_rule', 'scores_row', 'assessment_letter'],
      ...['assessment_combination', 'note_tie', 'note_flat', 'heading_directions', 'direction', 'direction_examples'],
      ...['heading_actions', 'action', 'heading_links', 'link', 'link_unresolved', 'link_quote', 'link_quote_separator'],
      ...['link_regional', 'heading_caveats', 'caveat_line', 'caveat_direction', 'caveat_milestone', 'caveat_milestone_cited', 'caveat_source', 'caveat_link'],
      ...['chat_heading_caveats', 'chat_caveat', 'heading_closing', 'closing', 'closing_confidential'],
      ...['closing_confidential_plain', 'date', 'chat_title', 'chat_profile', 'chat_code', 'chat_heading_directions'],
      ...['chat_direction', 'chat_heading_actions', 'chat_action', 'chat_heading_links', 'chat_link', 'chat_link_unresolved'],
      'chat_closing',
    ],
  };
}

/** The choice lists must offer exactly the values the rules know. */
function valueProblems(texts: CareerTexts): string[] {
  const expect = (list: string, values: readonly string[]): string[] => {
    const offered = (texts.choices[list] ?? []).map((option) => option.value);
    return offered.join('|') === values.join('|') ? [] : [`choices.${list}: values must be ${values.join(', ')} (found ${offered.join(', ')})`];
  };
  return [
    ...expect('school', schools),
    ...expect('constraints', [...constraints, noConstraint]),
    ...expect('intention', intentions),
    ...expect('priority', priorities),
    ...expect('scale', ['1', '2', '3', '4', '5']),
  ];
}

function check(texts: CareerTexts): CareerTexts {
  const sections = {
    text: texts.text,
    choices: texts.choices,
    reasons: texts.reasons,
    actions: texts.actions,
    step1: texts.actions.step1,
    step2: texts.actions.step2,
    step3: texts.actions.step3,
    plan: texts.plan,
  };
  const missing = Object.entries(requiredKeys()).flatMap(([section, keys]) =>
    keys.filter((key) => !(key in sections[section as keyof typeof sections])).map((key) => `${section}.${key}: missing`),
  );
  const problems = [...missing, ...valueProblems(texts)];
  if (problems.length > 0) throw new CareerFileError(careerTextsFile, problems);
  return texts;
}

/** The texts of `prompts/career.zh.yaml`, read and checked on first use. */
export const careerTexts = once(() => check(readCareerFile(careerTextsFile, textsSchema)));

/**
 * Fills `{name}` placeholders; a missing value is an error, never a silent blank.
 *
 * @example fill('第 {n}/{total} 题', { n: 1, total: 24 }) // '第 1/24 题'
 */
export function fill(template: string, values: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{(\w+)\}/gu, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`${careerTextsFile}: "${template}" needs a value for {${key}}`);
    return String(value);
  });
}

/**
 * A template of one section, filled.
 *
 * @example say('text', 'ask_item', { n: 1, total: 24, text: '…' })
 */
export function say(section: TemplateSection, key: string, values: Readonly<Record<string, string | number>> = {}): string {
  const template = careerTexts()[section][key];
  if (typeof template !== 'string') throw new Error(`${careerTextsFile}: no text ${section}.${key}`);
  return fill(template, values);
}

/** The options of a choice list, e.g. `school`, `grade_高职`, `scale`. */
export function choiceList(name: string): ChoiceOption[] {
  const options = careerTexts().choices[name];
  if (!options) throw new Error(`${careerTextsFile}: no choices.${name}`);
  return options;
}

/** The label shown for a value of a choice list (the value itself when it is not listed). */
export function labelOf(list: string, value: string): string {
  return choiceList(list).find((option) => option.value === value)?.label ?? value;
}

/** Joins short items with the list separator (、). */
export function listed(items: readonly string[]): string {
  return items.join(say('text', 'list_separator'));
}
