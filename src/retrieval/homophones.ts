import { loadOnFirstUse } from '../load-on-first-use.ts';

const pinyinPro = loadOnFirstUse<typeof import('pinyin-pro')>('pinyin-pro');

/**
 * Toneless pinyin with the sounds many speakers and keyboards mix up folded together
 * (模糊音: zh/z, ch/c, sh/s, n/l, -ng/-n), so 投述 (tou shu) meets 投诉 (tou su).
 */
function fuzzyPinyin(text: string): string {
  return pinyinPro().pinyin(text, { toneType: 'none', type: 'array' })
    .map((syllable) =>
      syllable
        .replace(/^([zcs])h/u, '$1')
        .replace(/^l/u, 'n')
        .replace(/ng$/u, 'n'),
    )
    .join(' ');
}

/** Toneless pinyin without spaces, ü written u, as a student types it in Latin letters (见习 → jianxi). */
function spelling(text: string): string {
  return pinyinPro().pinyin(text, { toneType: 'none', type: 'array', v: false })
    .join('')
    .replace(/ü/gu, 'u');
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
  readonly #wordsBySpelling = new Map<string, string[]>();

  constructor(vocabulary: Iterable<string>) {
    const add = (index: Map<string, string[]>, key: string, word: string): void => {
      const words = index.get(key);
      if (words) words.push(word);
      else index.set(key, [word]);
    };
    for (const word of vocabulary) {
      const length = [...word].length;
      if (length < 2 || length > 4 || !/^\p{Script=Han}+$/u.test(word)) continue;
      add(this.#wordsByPinyin, fuzzyPinyin(word), word);
      add(this.#wordsBySpelling, spelling(word), word);
    }
  }

  /**
   * Knowledge-base words a Latin word spells in pinyin: a student writing English often types
   * the Chinese term itself (a "dinggang internship", "jianxi" bases, "hukou"). Only words of two
   * or more syllables are matched, spelled without tones or spaces (ü as v or u).
   *
   * @example new HomophoneCorrector(['顶岗', '见习']).romanized('dinggang') // ['顶岗']
   */
  romanized(latin: string): string[] {
    const key = latin.toLowerCase();
    if (key.length < 4 || !/^[a-z]+$/u.test(key)) return [];
    return this.#wordsBySpelling.get(key) ?? this.#wordsBySpelling.get(key.replace(/v/gu, 'u')) ?? [];
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
