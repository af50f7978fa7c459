import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Assistant } from '../src/assistant.ts';
import { loadConfig } from '../src/config.ts';
import { createTestDatabase } from '../src/store/testing.ts';
import { dryRunAsk } from '../src/conversation/dry-run.ts';
import { datasetsDir, runDatasets } from './suite.ts';
import type { EvalReport } from './runner.ts';

/** Floors per dataset: the figures reached, so that a change making answers worse fails here. */
type Floors = Record<string, { fullyCorrect: number; outcome: number; hitAt5?: number; citation?: number }>;

describe('answer accuracy on the eval datasets (extractive mode, embedded store)', () => {
  let assistant: Assistant;
  let floors: Floors;
  let reports: Map<string, EvalReport>;

  beforeAll(async () => {
    floors = JSON.parse(await readFile(new URL('./thresholds.json', import.meta.url), 'utf8')) as Floors;
    assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
    const files = Object.keys(floors).map((name) => path.join(datasetsDir, `${name}.jsonl`));
    reports = new Map((await runDatasets(files, dryRunAsk(assistant))).map(({ name, report }) => [name, report]));
  });
  afterAll(async () => assistant?.close());

  it('covers every dataset in eval/datasets', async () => {
    const { readdir } = await import('node:fs/promises');
    const names = (await readdir(datasetsDir)).filter((name) => name.endsWith('.jsonl')).map((name) => name.replace(/\.jsonl$/u, ''));
    expect(Object.keys(floors).sort()).toEqual(names.sort());
  });

  it.each(['policy', 'routing', 'routing-redteam', 'holdout', 'holdout-b', 'multi-turn'])('%s stays at or above its floors', (name) => {
    const report = reports.get(name)!;
    const floor = floors[name]!;
    const { overall } = report;
    expect(overall.fullyCorrect.rate, 'fully correct').toBeGreaterThanOrEqual(floor.fullyCorrect);
    expect(overall.outcome.rate, 'outcome accuracy').toBeGreaterThanOrEqual(floor.outcome);
    if (floor.hitAt5 !== undefined) expect(overall.hitAt5.rate, 'hit@5').toBeGreaterThanOrEqual(floor.hitAt5);
    if (floor.citation !== undefined) expect(overall.citation.rate, 'citation accuracy').toBeGreaterThanOrEqual(floor.citation);
  });

  it('never answers where it must escalate or abstain on the routing sets', () => {
    for (const name of ['routing', 'routing-redteam']) {
      const misses = reports.get(name)!.items.filter((item) => item.expected !== 'answer' && item.actual !== item.expected);
      expect(misses.map((item) => `${item.id}: ${item.question}`)).toEqual([]);
    }
  });
});
