/**
 * Folds the ways one text can be typed into one form: full-width letters, digits and
 * punctuation become half-width (NFKC), Latin letters lower-case, runs of white space one space.
 *
 * @example normalizeText('ＫＴＶ　能去吗？') // 'ktv 能去吗?'
 */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Removes all white space, as the eval format compares passages. */
export function stripWhitespace(text: string): string {
  return text.replace(/[\s\u3000]+/gu, '');
}

const han = /\p{Script=Han}/u;
const latin = /[a-z]/iu;

/** True when the text reads as English: more Latin letters than Han characters. */
export function isMostlyEnglish(text: string): boolean {
  let hanCount = 0;
  let latinCount = 0;
  for (const ch of text) {
    if (han.test(ch)) hanCount += 1;
    else if (latin.test(ch)) latinCount += 1;
  }
  return latinCount > 0 && latinCount >= hanCount * 2;
}

/** Whether the text contains a letter, digit or Han character (not only emoji, symbols or punctuation). */
export function hasWordCharacters(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}
