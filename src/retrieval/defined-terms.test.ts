import { describe, expect, it } from 'vitest';
import { definedTerms, withDefinedTerms } from './defined-terms.ts';
import { loadLexicon } from './lexicon.ts';
import { analyzeQuery } from './query.ts';
import { Tokenizer } from './tokenizer.ts';

const lexicon = loadLexicon();
const tokenizer = new Tokenizer(lexicon);

describe('definedTerms', () => {
  it('reads the short names a document defines, with or without quotes', () => {
    const text = '对离校未就业高校毕业生参加就业见习的，给予就业见习补贴（以下简称“见习补贴”）。江西省人力资源和社会保障厅（以下简称省人社厅）负责解释。';
    expect(definedTerms(text)).toEqual([
      { short: '见习补贴', long: '就业见习补贴' },
      { short: '省人社厅', long: '江西省人力资源和社会保障厅' },
    ]);
  });

  it('leaves out a short name for the document itself', () => {
    expect(definedTerms('《江西省就业见习管理办法》（以下简称《办法》）自发布之日起施行。')).toEqual([]);
  });
});

describe('withDefinedTerms', () => {
  it('lets a question with the short name find the clauses with the long one, and the other way round', () => {
    const terms = [{ short: '省人社厅', long: '人力资源和社会保障厅' }];
    const short = withDefinedTerms(analyzeQuery('省人社厅管什么', lexicon, tokenizer), terms, tokenizer);
    expect(short.terms.get('人力资源')).toBeGreaterThan(0);
    expect(short.concepts.some((concept) => concept.phrases.includes('人力资源和社会保障厅'))).toBe(true);
    const long = withDefinedTerms(analyzeQuery('人力资源和社会保障厅管什么', lexicon, tokenizer), terms, tokenizer);
    expect(long.concepts.some((concept) => concept.phrases.includes('省人社厅'))).toBe(true);
  });

  it('leaves a question that uses neither name as it was', () => {
    const query = analyzeQuery('实习单位能扣我身份证吗', lexicon, tokenizer);
    const before = JSON.stringify([...query.terms]);
    withDefinedTerms(query, [{ short: '省人社厅', long: '人力资源和社会保障厅' }], tokenizer);
    expect(JSON.stringify([...query.terms])).toBe(before);
  });
});
