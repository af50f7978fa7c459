import { describe, expect, it } from 'vitest';
import { loadLexicon } from './lexicon.ts';
import { Tokenizer } from './tokenizer.ts';

const tokenizer = new Tokenizer(loadLexicon());
/** jieba as it comes, without the domain dictionary or stopwords, to compare against. */
const plainJieba = new Tokenizer({ dictionary: '', stopwords: new Set() });

describe('Tokenizer', () => {
  it.each(['顶岗实习', '实习责任保险', '营业性娱乐场所', '跟岗实习', '实习押金', '国奖', '国励', '个税'])(
    'keeps the domain word %s whole, which plain jieba would cut',
    (word) => {
      const sentence = `学生${word}的规定`;
      expect(tokenizer.exactWords(sentence)).toContain(word);
      expect(plainJieba.exactWords(sentence)).not.toContain(word);
    },
  );

  it('adds the words inside a long word in search mode, but not in exact mode', () => {
    expect(tokenizer.words('顶岗实习要买实习责任保险吗')).toEqual(
      expect.arrayContaining(['顶岗实习', '顶岗', '实习', '实习责任保险', '保险']),
    );
    const exact = tokenizer.exactWords('顶岗实习要买实习责任保险吗');
    expect(exact).toEqual(expect.arrayContaining(['顶岗实习', '实习责任保险']));
    for (const inner of ['顶岗', '实习', '保险']) expect(exact).not.toContain(inner);
  });

  it('tells the pieces search mode cuts from a word apart from the words typed', () => {
    expect(tokenizer.wordsWithPieces('服务机构的工作人员')).toEqual([
      { word: '服务机构', pieces: ['服务', '机构'] },
      { word: '工作人员', pieces: ['工作', '作人', '人员'] },
    ]);
    // the same words as search mode, in its order
    expect(tokenizer.wordsWithPieces('服务机构的工作人员').flatMap(({ word, pieces }) => [...pieces, word])).toEqual(tokenizer.words('服务机构的工作人员'));
  });

  it('drops stopwords and question padding, keeping the words that carry the question', () => {
    const words = tokenizer.words('我想问一下学校的职业指导老师有几个');
    for (const stopword of ['我', '想', '问', '一下', '的', '几个']) expect(words).not.toContain(stopword);
    expect(words).toEqual(expect.arrayContaining(['学校', '职业指导', '老师']));
  });

  it('keeps words that carry policy meaning such as 不得 and 至少', () => {
    expect(tokenizer.exactWords('不得收取押金，至少配备一名')).toEqual(expect.arrayContaining(['不得', '至少']));
  });

  it('reads full-width letters, digits and spaces as their half-width forms, in lower case', () => {
    expect(tokenizer.words('ＫＴＶ　能去吗？')).toEqual(tokenizer.words('ktv 能去吗?'));
    expect(tokenizer.words('ＫＴＶ　能去吗？')).toContain('ktv');
    expect(tokenizer.words('５个工作日')).toContain('5');
  });

  it('drops punctuation, but keeps it among the raw tokens', () => {
    expect(tokenizer.words('，。！？、…—')).toEqual([]);
    expect(tokenizer.tokens('押金吗？')).toEqual(['押金', '吗', '?']);
  });

  it('pairs neighbouring Han characters, never across punctuation or Latin letters', () => {
    expect(tokenizer.bigrams('实习押金，扣押abc证件')).toEqual(['实习', '习押', '押金', '扣押', '证件']);
    expect(tokenizer.bigrams('押')).toEqual([]);
  });
});
