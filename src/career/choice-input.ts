import { normalizeText } from '../retrieval/normalize.ts';
import { careerTexts, type ChoiceOption } from './career-texts.ts';

/** An instruction a student can give at any step of the dialogue (`controls` in career.zh.yaml). */
export type Control = 'quit' | 'back' | 'redo' | 'skip';

const edgePunctuation = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;
const separators = /[\s,.;/、，；。]+/u;

/**
 * One way of writing a short reply: NFKC (full-width digits and letters become half-width),
 * lower case, no white space, no punctuation at either end.
 *
 * @example fold(' ５。') // '5'
 */
export function fold(input: string): string {
  return normalizeText(input).replace(/\s+/gu, '').replace(edgePunctuation, '');
}

const isOneOf = (input: string, words: readonly string[]): boolean => {
  const folded = fold(input);
  return words.some((word) => fold(word) === folded);
};

/** The control a reply is, if it is one of the control words exactly. */
export function controlOf(input: string): Control | null {
  const { controls } = careerTexts();
  return (['quit', 'back', 'redo', 'skip'] as const).find((control) => isOneOf(input, controls[control])) ?? null;
}

/** Whether a reply to the interests question means "nothing" (`controls.nothing`). */
export function meansNothing(input: string): boolean {
  return isOneOf(input, careerTexts().controls.nothing);
}

/** The option one token names: its number (1-based), label, value or an alias. */
function optionOf(options: readonly ChoiceOption[], token: string): ChoiceOption | undefined {
  const folded = fold(token);
  if (/^\d+$/u.test(folded)) return options[Number(folded) - 1];
  return options.find((option) => [option.label, option.value, ...option.aliases].some((word) => fold(word) === folded));
}

const tokensOf = (input: string): string[] => normalizeText(input).split(separators).filter((token) => fold(token) !== '');

/** A reply to a question with one answer: the chosen value, or which re-ask applies. */
export type SingleChoice = { value: string } | { problem: 'reask_choice' | 'reask_single' };

/**
 * Reads a reply to a one-answer question: a number, a label, a value or an alias; several
 * recognisable options are `reask_single`, anything else `reask_choice`.
 *
 * @example readSingle(choiceList('school'), '２') // { value: '高职' }
 */
export function readSingle(options: readonly ChoiceOption[], input: string): SingleChoice {
  const option = optionOf(options, input);
  if (option) return { value: option.value };
  const tokens = tokensOf(input);
  const several = tokens.length > 1 && tokens.every((token) => optionOf(options, token) !== undefined);
  return { problem: several ? 'reask_single' : 'reask_choice' };
}

/**
 * Reads a reply to a many-answer question: numbers or options separated by commas, 、 or spaces
 * ("1,3", "1 3", "1、3", "离家近，想尽快工作"); the values come back in the list's order, once each.
 * Null when any part is not recognised.
 */
export function readMany(options: readonly ChoiceOption[], input: string): string[] | null {
  const whole = optionOf(options, input);
  const picked = whole ? [whole] : tokensOf(input).map((token) => optionOf(options, token));
  if (picked.length === 0 || picked.some((option) => option === undefined)) return null;
  return options.filter((option) => picked.includes(option)).map((option) => option.value);
}
