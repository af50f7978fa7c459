import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { createTestDatabase } from '../store/testing.ts';
import type { Database } from '../store/database.ts';
import { CorpusLsaEmbeddings } from '../retrieval/embeddings/corpus-lsa.ts';
import { corpusLsaModel } from '../retrieval/embeddings/provider.ts';
import { loadLexicon } from '../retrieval/lexicon.ts';
import { Tokenizer } from '../retrieval/tokenizer.ts';
import { knowledgeDir } from '../paths.ts';
import { readDocumentDirectory } from './corpus.ts';
import { KnowledgeBase } from './knowledge-base.ts';
import type { PolicyDocument } from './types.ts';

const tokenizer = new Tokenizer(loadLexicon());
/** Counts the fits of every corpus LSA (in this thread or off it) from now on. */
function countFits(): { count: () => number; clear: () => void; restore: () => void } {
  const spies = [vi.spyOn(CorpusLsaEmbeddings.prototype, 'fit'), vi.spyOn(CorpusLsaEmbeddings.prototype, 'fitOffThread')];
  return {
    count: () => spies.reduce((sum, spy) => sum + spy.mock.calls.length, 0),
    clear: () => spies.forEach((spy) => spy.mockClear()),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

const lsa = () => corpusLsaModel(new CorpusLsaEmbeddings({ tokenizer }));

function document(id: string, body: string): PolicyDocument {
  return { id, title: `测试文件${id}`, issuer: '测试机关', region: '全国', date: null, dateNote: '文中未注明', status: 'in-force', audience: '中等职业学校', body };
}

/** Words the shipped corpus uses, in a new combination: folded in, it lands where these words live. */
const foldedBody = '第一条 学校不得向实习学生收取实习押金，不得扣押学生居民身份证，实习报酬按时足额发放。\n\n第二条 学生投诉实习单位的，职业指导教师应当及时处理并告知投诉人。';

async function modelRows(db: Database): Promise<{ name: string; kb_version: number }[]> {
  return (await db.query<{ name: string; kb_version: number }>('select name, kb_version from embedding_models order by name')).rows;
}

describe('the embedding model stored with the knowledge-base version', () => {
  let db: Database;
  let fits: ReturnType<typeof countFits>;

  beforeEach(async () => {
    db = await createTestDatabase();
    const kb = new KnowledgeBase(db, lsa());
    await kb.publish(await readDocumentDirectory(path.join(knowledgeDir, 'documents')));
    fits = countFits();
  });

  afterEach(async () => {
    fits.restore();
    await db.close();
  });

  it('is stored once, under the name the live vectors carry', async () => {
    const kb = new KnowledgeBase(db, lsa());
    const rows = await modelRows(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.name).toBe(await kb.embeddedWith());
    expect(rows[0]!.kb_version).toBe(await kb.version());
  });

  it('is loaded by a new process, not fitted: its vectors equal the stored ones', async () => {
    const kb = new KnowledgeBase(db, lsa());
    expect(await kb.loadModel()).toBe('loaded');
    expect(fits.count()).toBe(0);
    expect(kb.model.name).toBe(await kb.embeddedWith());
    const { rows } = await db.query<{ clause_id: string; embedding: string; text: string; title: string; context: string }>(
      `select e.clause_id, e.embedding::text as embedding from clause_embeddings e where e.clause_id = (select min(id) from clauses)`,
    );
    const [clause] = (await kb.snapshot()).clauses.filter((candidate) => candidate.id === rows[0]!.clause_id);
    const { indexTextOf } = await import('../retrieval/hybrid-search.ts');
    const snapshot = await kb.snapshot();
    const vector = await kb.model.embeddings.embedQuery(indexTextOf(clause!, snapshot.documents.get(clause!.docId)));
    const stored = JSON.parse(rows[0]!.embedding) as number[];
    vector.forEach((value, index) => expect(value).toBeCloseTo(stored[index]!, 6));
    expect(await kb.loadModel()).toBe('current');
  });

  it('folds a new document into the stored model: no fit, the same model, and dense search finds it', async () => {
    const kb = new KnowledgeBase(db, lsa());
    const before = await kb.embeddedWith();
    const report = await kb.upsert([document('folded', foldedBody)], { model: lsa() });
    expect(fits.count()).toBe(0);
    expect(report.embedding).toBe('folded-in');
    expect(report.embeddingModel).toBe(before);
    expect(report.refitScheduled).toBeUndefined();
    expect(await modelRows(db)).toEqual([expect.objectContaining({ name: before })]);

    expect(await kb.loadModel()).toBe('loaded');
    const { rows } = await db.query<{ embedding_dims: number }>('select embedding_dims from kb_state');
    const hits = await kb.denseSearch(rows[0]!.embedding_dims).search('学校不得向实习学生收取实习押金，不得扣押学生居民身份证', 5);
    expect(hits.map((hit) => hit.id)).toContain('folded#1');
  });

  it('rewrites only the changed documents when the model stays: the others keep their rows', async () => {
    const kb = new KnowledgeBase(db, lsa());
    const untouched = async (): Promise<string> =>
      (await db.query<{ stamp: string }>(`select updated_at::text as stamp from documents where id = 'moe-2018-zhongzhi-guidance'`)).rows[0]!.stamp;
    const stamp = await untouched();
    const index = async (): Promise<string[]> =>
      (await db.query<{ indexname: string }>(`select indexname from pg_indexes where tablename = 'clause_embeddings' and indexname like 'clause_embeddings_hnsw_%'`)).rows.map((row) => row.indexname);
    const indexes = await index();
    await kb.upsert([document('folded', foldedBody)], { model: lsa() });
    expect(await untouched()).toBe(stamp);
    expect(await index()).toEqual(indexes);
    const { rows } = await db.query<{ count: number }>(`select count(*)::int as count from clause_embeddings e join clauses c on c.id = e.clause_id where c.doc_id = 'folded'`);
    expect(rows[0]!.count).toBe(2);
  });

  it('survives a rollback: the rolled-back set is folded into the same stored model, which a new process loads', async () => {
    const kb = new KnowledgeBase(db, lsa());
    const name = await kb.embeddedWith();
    await kb.upsert([document('folded', foldedBody)], { model: lsa() });
    await kb.upsert([document('folded', `${foldedBody}\n\n第三条 实习协议由学校、实习单位和学生三方签订。`)], { model: lsa() });
    const report = await kb.rollback('folded', undefined, { model: lsa() });
    expect(report.embedding).toBe('folded-in');
    expect(await kb.embeddedWith()).toBe(name);
    expect(fits.count()).toBe(0);

    const restarted = new KnowledgeBase(db, lsa());
    expect(await restarted.loadModel()).toBe('loaded');
    expect(restarted.model.name).toBe(name);
    expect(fits.count()).toBe(0);
  });

  it('refits in the background once new words pass the drift threshold, and stores the new model alone', async () => {
    const kb = new KnowledgeBase(db, lsa(), { refitDrift: 0.001 });
    const before = await kb.embeddedWith();
    const report = await kb.upsert([document('drifted', '第一条 氢能源燃料电池无人机编队巡检光伏阵列。\n\n第二条 区块链溯源冷链物流跨境电商直播带货。')], { model: lsa() });
    expect(report.embedding).toBe('folded-in');
    expect(report.drift).toBeGreaterThan(0.001);
    expect(report.refitScheduled).toBe(true);
    await kb.settled();
    expect(fits.count()).toBe(1);
    const after = await kb.embeddedWith();
    expect(after).not.toBe(before);
    expect(await modelRows(db)).toEqual([expect.objectContaining({ name: after })]);
    const [latest] = await kb.history(undefined, 1);
    expect(latest).toMatchObject({ action: 'reindex', actor: 'system', detail: { refit: 'drift' } });
    const { rows } = await db.query<{ embedding_drift: number }>('select embedding_drift from kb_state');
    expect(rows[0]!.embedding_drift).toBe(0);
  });

  it('a knowledge base closed while its refit runs gives the refit up before the switch', async () => {
    const kb = new KnowledgeBase(db, lsa(), { refitDrift: 0.001 });
    const version = await kb.version();
    await kb.upsert([document('drifted', '第一条 氢能源燃料电池无人机编队巡检光伏阵列。')], { model: lsa() });
    await kb.close();
    expect(await kb.version()).toBe(version + 1);
  });
});
