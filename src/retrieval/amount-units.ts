import type { Tokenizer } from './tokenizer.ts';

/**
 * Units of an amount that hold a word of their own: "20个工作日" holds 工作 to jieba's search
 * mode, but says nothing about work. A question's 工作 is not found in such an amount.
 */
export const amountUnits: ReadonlySet<string> = new Set(['工作日', '自然日', '学时', '课时', '学分', '周岁']);

const amountWithUnit = new RegExp(`[\\d一二三四五六七八九十百千两]+\\s*个?(?:${[...amountUnits].join('|')})`, 'gu');

/**
 * The text with its amounts of such units blanked out, to look for a question's words in.
 *
 * @example outsideAmounts('应在20个工作日内办结') // '应在  内办结'
 */
export function outsideAmounts(text: string): string {
  return text.replace(amountWithUnit, ' ');
}

/**
 * A text's search-mode words without the pieces cut from the unit of an amount (工作 of
 * 20个工作日); the unit itself (工作日) stays a word of the text.
 *
 * @example wordsOutsideAmounts('20个工作日内', tokenizer) // ['20', '个', '工作日', '内'] (no 工作)
 */
export function wordsOutsideAmounts(text: string, tokenizer: Tokenizer): string[] {
  const words = tokenizer.words(text);
  for (const [amount] of text.matchAll(amountWithUnit)) {
    const unit = [...amountUnits].find((each) => amount.endsWith(each))!;
    for (const piece of tokenizer.words(unit)) {
      if (piece === unit) continue;
      const at = words.indexOf(piece);
      if (at !== -1) words.splice(at, 1);
    }
  }
  return words;
}
