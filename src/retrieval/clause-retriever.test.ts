import { describe, expect, it } from 'vitest';
import { BaseRetriever } from '@langchain/core/retrievers';
import { realCorpus } from '../testing/corpus-fixture.ts';
import { ClauseRetriever } from './clause-retriever.ts';

describe('ClauseRetriever (LangChain retriever interface)', () => {
  it('is a BaseRetriever whose documents are clauses with citation metadata', async () => {
    const { search } = await realCorpus();
    const retriever = new ClauseRetriever(search, { k: 3 });
    expect(retriever).toBeInstanceOf(BaseRetriever);
    const documents = await retriever.invoke('实习单位能扣我身份证吗？');
    expect(documents).toHaveLength(3);
    const [first] = documents;
    expect(first!.pageContent).toContain('居民身份证');
    expect(first!.metadata).toMatchObject({ doc: 'liaoning-zhongzhi-quality', locator: '二、11.', region: '辽宁省', date: null });
    expect(first!.id).toMatch(/^liaoning-zhongzhi-quality#\d+$/);
  });

  it('returns the clauses in the same order as the hybrid search', async () => {
    const { search } = await realCorpus();
    const { results } = await search.search('投诉多久会有结果', 5);
    const documents = await new ClauseRetriever(search).invoke('投诉多久会有结果');
    expect(documents.map((document) => document.id)).toEqual(results.map((result) => result.clause.id));
  });
});
