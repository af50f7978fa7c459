import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import type { Lexicon } from './lexicon.ts';
import { normalizeText } from './normalize.ts';

const wordLike = /[\p{L}\p{N}]/u;
const hanRun = /\p{Script=Han}+/gu;

const jiebaByDictionary = new Map<string, Jieba>();

function jiebaFor(userDictionary: string): Jieba {
  let jieba = jiebaByDictionary.get(userDictionary);
  if (!jieba) {
    jieba = Jieba.withDict(dict);
    if (userDictionary !== '') jieba.loadDict(Buffer.from(userDictionary, 'utf8'));
    jiebaByDictionary.set(userDictionary, jieba);
  }
  return jieba;
}

/**
 * Splits Chinese (and mixed) text into the terms retrieval counts: jieba's search-mode words,
 * with the domain dictionary loaded, normalised, without stopwords or punctuation.
 *
 * @example new Tokenizer(loadLexicon()).words('实习单位能扣我身份证吗？') // ['实习', '单位', '扣', '身份', '身份证']
 */
export class Tokenizer {
  readonly #jieba: Jieba;
  readonly #stopwords: Set<string>;
  readonly #hmm: boolean;

  /**
   * `hmm` turns on jieba's guessing of words it does not know; off by default, because on short
   * student questions it mostly glues a verb to its object (能扣, 人能) and hides both.
   */
  constructor(lexicon: Pick<Lexicon, 'dictionary' | 'stopwords'>, options: { hmm?: boolean } = {}) {
    this.#jieba = jiebaFor(lexicon.dictionary);
    this.#stopwords = lexicon.stopwords;
    this.#hmm = options.hmm ?? false;
  }

  /** Search-mode words of the text: whole words and the dictionary words inside them. */
  words(text: string): string[] {
    return this.wordsWithPieces(text).flatMap(({ word, pieces }) => [...pieces, word]);
  }

  /**
   * Each exact-mode word of the text but stopwords, with the dictionary words search mode finds
   * inside it (工作人员 → 工作, 作人, 人员): the pieces are other ways to find the one word, not
   * more words.
   *
   * @example tokenizer.wordsWithPieces('服务机构') // [{ word: '服务机构', pieces: ['服务', '机构'] }]
   */
  wordsWithPieces(text: string): { word: string; pieces: string[] }[] {
    const normalized = normalizeText(text);
    // search mode emits, for each exact-mode word in turn, the words inside it and then the word itself
    const exact = this.#jieba.cut(normalized, this.#hmm);
    const search = this.#jieba.cutForSearch(normalized, this.#hmm);
    const out: { word: string; pieces: string[] }[] = [];
    let pending: string[] = [];
    let next = 0;
    for (const form of search) {
      if (next < exact.length && form === exact[next]) {
        next += 1;
        const word = form.trim();
        const pieces = pending.filter((piece) => !this.#stopwords.has(piece));
        // a stopword's pieces stand as words of their own (没有 from 有没有): the shipped question
        // variants and the answerability model were built with them
        if (this.#stopwords.has(word)) out.push(...pieces.map((piece) => ({ word: piece, pieces: [] })));
        else if (word !== '' && wordLike.test(word)) out.push({ word, pieces });
        pending = [];
        continue;
      }
      const piece = form.trim();
      if (piece !== '' && wordLike.test(piece)) pending.push(piece);
    }
    // never reached while search mode keeps to exact mode's words; kept so that no word is lost if it does not
    for (const piece of pending) if (!this.#stopwords.has(piece)) out.push({ word: piece, pieces: [] });
    return out;
  }

  /** Whether jieba tags the word, read alone, as a noun (所得税, 人员; a verbal noun such as 管理), not a verb or a phrase like 在家. */
  isNoun(word: string): boolean {
    const tagged = this.#jieba.tag(normalizeText(word), this.#hmm);
    return tagged.length === 1 && /^(?:n|vn)/u.test(tagged[0]!.tag);
  }

  /** Exact-mode words (no sub-words), for picking sentences and phrases. */
  exactWords(text: string): string[] {
    return this.#jieba
      .cut(normalizeText(text), this.#hmm)
      .map((word) => word.trim())
      .filter((word) => word !== '' && wordLike.test(word) && !this.#stopwords.has(word));
  }

  /** Every exact-mode token, stopwords and punctuation included, for aligning repairs to word edges. */
  tokens(text: string): string[] {
    return this.#jieba.cut(normalizeText(text), this.#hmm).filter((token) => token.trim() !== '');
  }

  /** Overlapping pairs of Han characters, which survive typos and unknown words. */
  bigrams(text: string): string[] {
    const pairs: string[] = [];
    for (const run of normalizeText(text).match(hanRun) ?? []) {
      const chars = [...run];
      for (let i = 0; i + 1 < chars.length; i += 1) pairs.push(chars[i]! + chars[i + 1]!);
    }
    return pairs;
  }
}
