import { beforeAll, describe, expect, it } from 'vitest';
import { realCorpus, type RealCorpus } from '../testing/corpus-fixture.ts';
import { HybridSearch } from './hybrid-search.ts';

describe('HybridSearch start-up work', () => {
  let corpus: RealCorpus;
  beforeAll(async () => {
    corpus = await realCorpus();
  });

  it('leaves the homophone index to the first question: a start does not wait for it, and the question is repaired all the same', () => {
    const search = new HybridSearch(corpus.snapshot, corpus.lexicon, corpus.tokenizer, null);
    expect(search.prepared).toBe(false);
    expect(search.analyze('学业辅倒').repairs).toContain('辅导');
    expect(search.prepared).toBe(true);
  });

  it('builds it when a server asks, once it serves', () => {
    const search = new HybridSearch(corpus.snapshot, corpus.lexicon, corpus.tokenizer, null);
    search.prepare();
    expect(search.prepared).toBe(true);
    expect(search.analyze('Can I do a dinggang internship?').repairs).toContain('顶岗');
  });
});
