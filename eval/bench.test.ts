import { beforeAll, describe, expect, it } from 'vitest';
import { readDocumentDirectory, snapshotOf } from '../src/knowledge/corpus.ts';
import { documentsDir } from '../src/testing/corpus-fixture.ts';
import { formatBench, runBench } from './bench.ts';
import type { BenchResult } from './bench.ts';

// Only behaviour is checked here, never timings: those depend on the machine.
describe('runBench', () => {
  let result: BenchResult;
  let clauseIds: Set<string>;

  beforeAll(async () => {
    result = await runBench({ rounds: 1 });
    clauseIds = new Set(snapshotOf(await readDocumentDirectory(documentsDir)).clauses.map((clause) => clause.id));
  }, 120_000);

  it('runs zhiyin first, then the three peers, over every answer question', () => {
    expect(result.rows.map((row) => row.name)).toEqual(['zhiyin', 'Orama', 'MiniSearch', 'LangChain BM25']);
    expect(result.questions).toBeGreaterThan(0);
    for (const row of result.rows) expect(result.queries[row.name]).toHaveLength(result.questions);
  });

  it('has every retriever return at most 5 clause ids, all of existing clauses', () => {
    for (const [name, runs] of Object.entries(result.queries)) {
      for (const run of runs) {
        expect(run.ids.length, `${name} ${run.item}`).toBeLessThanOrEqual(5);
        for (const id of run.ids) expect(clauseIds.has(id), `${name} ${run.item} returned unknown clause ${id}`).toBe(true);
      }
    }
  });

  it('reports hit@5 between 0 and 1', () => {
    for (const row of result.rows) {
      expect(row.hitAt5).toBeGreaterThanOrEqual(0);
      expect(row.hitAt5).toBeLessThanOrEqual(1);
    }
  });

  it('finds the passage in the top 5 at least as often as every peer', () => {
    const [zhiyin, ...peers] = result.rows;
    for (const peer of peers) expect(zhiyin!.hitAt5, `zhiyin vs ${peer.name}`).toBeGreaterThanOrEqual(peer.hitAt5);
  });

  it('prints a table naming all four retrievers', () => {
    const table = formatBench(result);
    for (const name of ['zhiyin', 'Orama', 'MiniSearch', 'LangChain BM25']) expect(table).toContain(name);
  });
});
