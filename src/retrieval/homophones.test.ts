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

  it('reads a Chinese term a student spelled in pinyin inside English: dinggang → 顶岗, jianxi → 见习, lvse/luse → 绿色', () => {
    const spelled = new HomophoneCorrector(['顶岗', '见习', '绿色', '实习']);
    expect(spelled.romanized('dinggang')).toEqual(['顶岗']);
    expect(spelled.romanized('Jianxi')).toEqual(['见习']);
    expect(spelled.romanized('lvse')).toEqual(['绿色']);
    expect(spelled.romanized('luse')).toEqual(['绿色']);
  });

  it('does not read short or ordinary English words as pinyin', () => {
    const spelled = new HomophoneCorrector(['顶岗', '实习', '沙特']);
    expect(spelled.romanized('shi')).toEqual([]);
    expect(spelled.romanized('internship')).toEqual([]);
    expect(spelled.romanized('ding-gang')).toEqual([]);
  });
});
