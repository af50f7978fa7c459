import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Embeddings } from '@langchain/core/embeddings';
import { createTestDatabase, startPostgresOverSocket } from '../store/testing.ts';
import { openDatabase, type Database } from '../store/database.ts';
import { migrate } from '../store/migrate.ts';
import { KnowledgeBase } from './knowledge-base.ts';
import { readDocumentDirectory } from './corpus.ts';
import { knowledgeDir } from '../paths.ts';
import path from 'node:path';
import type { PolicyDocument } from './types.ts';
import type { EmbeddingModel } from '../retrieval/embeddings/provider.ts';

/** A tiny deterministic model: counts of a few characters, so tests know which vectors are near. */
class CharacterCountEmbeddings extends Embeddings {
  constructor(readonly alphabet: string[]) {
    super({});
  }
  override async embedDocuments(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.alphabet.map((ch) => text.split(ch).length - 1 + 0.01));
  }
  override async embedQuery(text: string): Promise<number[]> {
    return (await this.embedDocuments([text]))[0]!;
  }
}

function modelOf(embeddings: Embeddings, name = 'char-count'): EmbeddingModel {
  return { embeddings, name, fit: () => undefined, fusionWeight: 1 };
}

const alphabet = ['实', '习', '押', '金', '证', '教', '师', '投', '诉', '档'];

function document(id: string, body: string, overrides: Partial<PolicyDocument> = {}): PolicyDocument {
  return {
    id,
    title: `测试文件${id}`,
    issuer: '测试机关',
    region: '全国',
    date: null,
    dateNote: '文中未注明',
    status: 'in-force',
    audience: '中等职业学校',
    body,
    ...overrides,
  };
}

const backends: [string, () => Promise<{ db: Database; stop: () => Promise<void> }>][] = [
  ['pglite', async () => {
    const db = await createTestDatabase();
    return { db, stop: () => db.close() };
  }],
  ['postgres over the wire (pglite-socket)', async () => {
    const server = await startPostgresOverSocket();
    const db = await openDatabase({ url: server.url, poolSize: 1 });
    await migrate(db);
    return { db, stop: async () => { await db.close(); await server.stop(); } };
  }],
];

async function hnswIndexes(db: Database): Promise<string[]> {
  const { rows } = await db.query<{ indexname: string }>(`select indexname from pg_indexes where tablename = 'clause_embeddings' and indexname like '%hnsw%'`);
  return rows.map((row) => row.indexname);
}

describe.each(backends)('the knowledge base on %s', (_name, open) => {
  let db: Database;
  let stop: () => Promise<void>;
  let kb: KnowledgeBase;

  beforeAll(async () => {
    ({ db, stop } = await open());
    kb = new KnowledgeBase(db, modelOf(new CharacterCountEmbeddings(alphabet)));
  });
  afterAll(async () => stop());

  it('starts empty at version 0', async () => {
    expect(await kb.version()).toBe(0);
    expect((await kb.snapshot()).clauses).toEqual([]);
  });

  it('publishes the real corpus: every document, every clause, one vector per clause', async () => {
    const documents = await readDocumentDirectory(path.join(knowledgeDir, 'documents'));
    const report = await kb.publish(documents);
    expect(report.version).toBe(1);
    expect(report.added.sort()).toEqual(documents.map((d) => d.id).sort());
    const snapshot = await kb.snapshot();
    expect(snapshot.version).toBe(1);
    expect(snapshot.documents.size).toBe(5);
    expect(snapshot.clauses.length).toBe(report.clauses);
    const article15 = snapshot.clauses.find((c) => c.docId === 'moe-2018-zhongzhi-guidance' && c.locator === '第十五条');
    expect(article15?.text).toContain('至少配备1名');
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from clause_embeddings where model = $1', ['char-count']);
    expect(rows[0]!.n).toBe(report.clauses);
    const listed = await kb.list();
    expect(listed.find((d) => d.id === 'shandong-2023-guidance-workforce')).toMatchObject({ date: '2023-11-23', region: '山东省' });
  });

  it('finds through pgvector the same nearest clauses as an exact cosine scan', async () => {
    const query = await new CharacterCountEmbeddings(alphabet).embedQuery('实习押金押金');
    const { rows } = await db.query<{ clause_id: string; embedding: number[] }>(
      'select clause_id, embedding from clause_embeddings where model = $1',
      ['char-count'],
    );
    const cosine = (x: number[], y: number[]): number =>
      x.reduce((sum, v, i) => sum + v * y[i]!, 0) / (Math.hypot(...x) * Math.hypot(...y));
    const exact = rows
      .map((row) => ({ id: row.clause_id, score: cosine(query, row.embedding) }))
      .sort((x, y) => y.score - x.score);
    const hits = await kb.denseSearch(alphabet.length).search('实习押金押金', 3);
    expect(hits.map((hit) => hit.score)).toEqual(exact.slice(0, 3).map((row) => expect.closeTo(row.score, 5)));
    expect(hits[0]!.id).toBe(exact[0]!.id);
  });

  it('builds no HNSW index for a knowledge base under the exact-scan limit: dense search scans every vector', async () => {
    await kb.settled();
    expect(await hnswIndexes(db)).toEqual([]);
  });

  it('upserts one document and keeps the others; a second identical upsert changes only the version', async () => {
    const before = await kb.snapshot();
    const report = await kb.upsert([document('extra', '## 第一章 总则\n\n第一条 实习押金不得收取。')]);
    expect(report.added).toEqual(['extra']);
    expect(report.unchanged.length).toBe(5);
    const after = await kb.snapshot();
    expect(after.documents.size).toBe(6);
    expect(after.clauses.length).toBe(before.clauses.length + 1);
    const again = await kb.upsert([document('extra', '## 第一章 总则\n\n第一条 实习押金不得收取。')]);
    expect(again.unchanged).toContain('extra');
    expect(again.version).toBe(after.version + 1);
  });

  it('replaces a document’s clauses when its text changes', async () => {
    await kb.upsert([document('extra', '## 第一章 总则\n\n第一条 教师不得扣押证件。\n\n第二条 投诉五日内答复。')]);
    const clauses = (await kb.snapshot()).clauses.filter((c) => c.docId === 'extra');
    expect(clauses.map((c) => c.locator)).toEqual(['第一条', '第二条']);
    expect(clauses[0]!.text).toContain('扣押证件');
  });

  it('removes documents, and refuses unknown ids without changing anything', async () => {
    const version = await kb.version();
    await expect(kb.remove(['no-such-document'])).rejects.toThrow(/no-such-document/);
    expect(await kb.version()).toBe(version);
    const report = await kb.remove(['extra']);
    expect(report.removed).toEqual(['extra']);
    expect((await kb.snapshot()).documents.has('extra')).toBe(false);
  });

  it('leaves the previous set serving when embedding fails before the switch', async () => {
    const before = await kb.snapshot();
    const failing = new KnowledgeBase(db, modelOf(new (class extends CharacterCountEmbeddings {
      override async embedDocuments(): Promise<number[][]> {
        throw new Error('embedding service down');
      }
    })(alphabet)));
    await expect(failing.upsert([document('broken', '第一条 实习。')])).rejects.toThrow(/embedding service down/);
    const after = await kb.snapshot();
    expect(after.version).toBe(before.version);
    expect(after.clauses.map((c) => c.id)).toEqual(before.clauses.map((c) => c.id));
  });

  it('rolls the whole switch back when the database fails inside it', async () => {
    const before = await kb.snapshot();
    const tooWide = new KnowledgeBase(db, modelOf(new CharacterCountEmbeddings(Array.from({ length: 2001 }, (_, i) => String.fromCodePoint(0x4e00 + i)))));
    await expect(tooWide.upsert([document('wide', '第一条 实习。')])).rejects.toThrow();
    const after = await kb.snapshot();
    expect(after.version).toBe(before.version);
    expect(after.documents.has('wide')).toBe(false);
    expect(after.clauses.length).toBe(before.clauses.length);
    const { rows } = await db.query<{ n: number }>('select count(*)::int as n from clause_embeddings');
    expect(rows[0]!.n).toBe(before.clauses.length);
  });

  it('rejects two documents with one id', async () => {
    await expect(kb.publish([document('twin', '第一条 甲。'), document('twin', '第一条 乙。')])).rejects.toThrow(/twin/);
  });
});

describe.each(backends)('a knowledge base past the exact-scan limit on %s', (_name, open) => {
  let db: Database;
  let stop: () => Promise<void>;
  beforeAll(async () => ({ db, stop } = await open()));
  afterAll(async () => stop());

  it('switches a version in without waiting for its HNSW index, serves it by scan meanwhile, and drops the index when it shrinks back', async () => {
    let release = (): void => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const builds: string[] = [];
    // Index builds wait until released, so that the test sees the switch before the build.
    const gated: Database = {
      ...db,
      exec: async (sql: string) => {
        if (/^\s*create index/iu.test(sql)) {
          builds.push(sql);
          await held;
        }
        return db.exec(sql);
      },
    };
    const embeddings = new CharacterCountEmbeddings(alphabet);
    const kb = new KnowledgeBase(gated, modelOf(embeddings), { exactScanLimit: 3 });
    const report = await kb.publish([
      document('a', '## 第一章 总则\n\n第一条 实习押金不得收取。\n\n第二条 教师处理投诉。'),
      document('b', '## 第一章 总则\n\n第一条 证件档案由学校保管。\n\n第二条 押金押金押金。'),
    ]);
    expect(report.clauses).toBe(4);
    expect(await kb.version()).toBe(report.version);
    expect(await hnswIndexes(db)).toEqual([]);
    const hits = await kb.denseSearch(alphabet.length).search('押金', 4);
    expect(hits.map((hit) => hit.id)).toHaveLength(4);
    expect(hits[0]!.id).toBe('b#1');

    release();
    await kb.settled();
    expect(builds).toHaveLength(1);
    expect(await hnswIndexes(db)).toHaveLength(1);
    expect((await kb.denseSearch(alphabet.length).search('押金', 1))[0]!.id).toBe('b#1');

    await kb.remove(['b']);
    await kb.settled();
    expect(await hnswIndexes(db)).toEqual([]);
    expect((await kb.denseSearch(alphabet.length).search('押金', 1))[0]!.id).toBe('a#0');
    await kb.close();
  });
});
