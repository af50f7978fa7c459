import { pinyin } from 'pinyin-pro';

/**
 * Toneless pinyin with the sounds many speakers and keyboards mix up folded together
 * (模糊音: zh/z, ch/c, sh/s, n/l, -ng/-n), so 投述 (tou shu) meets 投诉 (tou su).
 */
function fuzzyPinyin(text: string): string {
  return pinyin(text, { toneType: 'none', type: 'array' })
    .map((syllable) =>
      syllable
        .replace(/^([zcs])h/u, '$1')
        .replace(/^l/u, 'n')
        .replace(/ng$/u, 'n'),
    )
    .join(' ');
}

/**
 * Repairs the typos a pinyin keyboard makes — a word typed as its homophone (辅倒 → 辅导,
 * 投述 → 投诉, 职业知道 → 职业指导) — by matching the pinyin of unknown stretches of the question
 * against the words the knowledge base uses.
 *
 * @example new HomophoneCorrector(['辅导']).corrections(['学业', '辅', '倒'], () => false) // [{ typed: '辅倒', words: ['辅导'] }]
 */
export class HomophoneCorrector {
  readonly #wordsByPinyin = new Map<string, string[]>();

  constructor(vocabulary: Iterable<string>) {
    for (const word of vocabulary) {
      const length = [...word].length;
      if (length < 2 || length > 4 || !/^\p{Script=Han}+$/u.test(word)) continue;
      const key = fuzzyPinyin(word);
      const words = this.#wordsByPinyin.get(key);
      if (words) words.push(word);
      else this.#wordsByPinyin.set(key, [word]);
    }
  }

  /**
   * Knowledge-base words that sound like a stretch of 2–4 characters made of whole tokens of the
   * question, where that stretch is not itself a word `isKnown` accepts.
   */
  corrections(tokens: readonly string[], isKnown: (word: string) => boolean): { typed: string; words: string[] }[] {
    const found: { typed: string; words: string[] }[] = [];
    for (let start = 0; start < tokens.length; start += 1) {
      let typed = '';
      for (let end = start; end < tokens.length; end += 1) {
        typed += tokens[end]!;
        const length = [...typed].length;
        if (length > 4 || !/^\p{Script=Han}+$/u.test(typed)) break;
        if (length < 2 || isKnown(typed)) continue;
        const words = this.#wordsByPinyin.get(fuzzyPinyin(typed))?.filter((word) => word !== typed);
        if (words && words.length > 0) found.push({ typed, words });
      }
    }
    return found;
  }
}
