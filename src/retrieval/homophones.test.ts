import { describe, expect, it } from 'vitest';
import { HomophoneCorrector } from './homophones.ts';
import { loadLexicon } from './lexicon.ts';
import { Tokenizer } from './tokenizer.ts';

const tokenizer = new Tokenizer(loadLexicon());
const vocabulary = new Set(['辅导', '学业辅导', '投诉', '职业指导', '实习', '押金']);
const corrector = new HomophoneCorrector(vocabulary);
const isKnown = (word: string): boolean => vocabulary.has(word);
const correct = (question: string): { typed: string; words: string[] }[] =>
  corrector.corrections(tokenizer.tokens(question), isKnown);

describe('HomophoneCorrector', () => {
  it('repairs a word typed as its homophone: 辅倒 → 辅导', () => {
    expect(correct('学业辅倒')).toEqual(
      expect.arrayContaining([
        { typed: '辅倒', words: ['辅导'] },
        { typed: '学业辅倒', words: ['学业辅导'] },
      ]),
    );
  });

  it('folds sounds that keyboards and accents mix up: 投述 (tou shu) → 投诉 (tou su)', () => {
    expect(correct('投述多久有结果')).toEqual([{ typed: '投述', words: ['投诉'] }]);
  });

  it('joins tokens that jieba cut apart before matching them', () => {
    expect(corrector.corrections(['学业', '辅', '倒'], () => false)).toContainEqual({ typed: '辅倒', words: ['辅导'] });
  });

  it('does not "correct" a word that is already known, even when it sounds like another one', () => {
    const soundAlikes = new HomophoneCorrector(['指导', '知道']);
    expect(soundAlikes.corrections(['知道'], (word) => word === '知道')).toEqual([]);
    expect(soundAlikes.corrections(['知道'], () => false)).toEqual([{ typed: '知道', words: ['指导'] }]);
    expect(correct('学业辅导')).toEqual([]);
  });

  it('leaves single characters, Latin text and unrelated words alone', () => {
    expect(corrector.corrections(['辅'], () => false)).toEqual([]);
    expect(corrector.corrections(['fu', 'dao'], () => false)).toEqual([]);
    expect(correct('天气很好')).toEqual([]);
  });
});
