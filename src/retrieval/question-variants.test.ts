/**
 * Question variants in retrieval, over the real corpus (`realCorpus()`, which loads the shipped
 * variants as the store attaches them): a question in a student's words that only a clause's
 * variants share finds that clause, where the same corpus without variants does not.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotOf } from '../knowledge/corpus.ts';
import { realCorpus, type RealCorpus } from '../testing/corpus-fixture.ts';
import { CorpusLsaEmbeddings } from './embeddings/corpus-lsa.ts';
import { HybridSearch, InMemoryDenseSearch, indexTextOf } from './hybrid-search.ts';

let corpus: RealCorpus;
/** The same corpus and lexicon with no variants. */
let plain: HybridSearch;

beforeAll(async () => {
  corpus = await realCorpus();
  const snapshot = snapshotOf(corpus.documents);
  const texts = snapshot.clauses.map((clause) => indexTextOf(clause, snapshot.documents.get(clause.docId)));
  const embeddings = new CorpusLsaEmbeddings({ tokenizer: corpus.tokenizer }).fit(texts);
  const dense = new InMemoryDenseSearch((text) => embeddings.embedQuery(text), snapshot.clauses.map((clause, index) => ({ id: clause.id, vector: embeddings.embed(texts[index]!) })));
  plain = new HybridSearch(snapshot, corpus.lexicon, corpus.tokenizer, dense);
});

const top = async (search: HybridSearch, question: string, k: number): Promise<string[]> =>
  (await search.search(question, k)).results.map(({ clause }) => `${clause.docId} ${clause.locator}`);

describe('question variants reach the clause', () => {
  it('every part of a clause is indexed with its questions', () => {
    const clause = corpus.snapshot.clauses.find((c) => c.docId === 'liaoning-zhongzhi-quality' && c.locator === '二、13.')!;
    expect(clause.variants).toContain('在学校被同学欺负了怎么办？');
    expect(indexTextOf(clause, corpus.snapshot.documents.get(clause.docId))).toContain('在学校被同学欺负了怎么办？');
  });

  it.each([
    // everyday words the clause itself never uses, nor the thesaurus (被同学打了 for 校园欺凌; 一对一聊 for 面谈; 测一测 for 测评)
    ['被同学打了学校管吗', 'liaoning-zhongzhi-quality 二、13.'],
    ['想找老师一对一聊聊以后干什么工作', 'moe-2018-zhongzhi-guidance 第八条'],
    ['不知道自己适合什么工作，学校能帮我测一测吗', 'moe-2018-zhongzhi-guidance 第十二条'],
    ['残疾大学生找工作学校会特别帮助吗', 'henan-gaoxiao-employment-services 三、（二）5.'],
  ])('“%s” finds %s, which the corpus without variants misses', async (question, expected) => {
    expect((await top(corpus.search, question, 1))[0]).toBe(expected);
    expect(await top(plain, question, 3)).not.toContain(expected);
  });

  it('questions worded as in the documents still find their clause', async () => {
    expect((await top(corpus.search, '中等职业学校应在核定的编制内至少配备几名专兼职教师从事职业指导', 1))[0]).toBe('moe-2018-zhongzhi-guidance 第十五条');
    expect((await top(corpus.search, '服务机构应在几个工作日内把投诉处理情况告知投诉人', 1))[0]).toBe('lasa-draft-graduate-guidance-standard 8.5');
  });
});
