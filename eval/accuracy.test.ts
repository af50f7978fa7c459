import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Assistant } from '../src/assistant.ts';
import { loadConfig } from '../src/config.ts';
import { createTestDatabase } from '../src/store/testing.ts';
import { dryRunAsk } from '../src/conversation/dry-run.ts';
import { datasetsDir, runDatasets } from './suite.ts';
import type { EvalReport } from './runner.ts';
import { floorFailures, loadThresholds, thresholdsFile, type Thresholds } from './thresholds.ts';

/** Every dataset with floors, read when the tests are collected (it.each needs the names then). */
const flooredDatasets = Object.keys(JSON.parse(readFileSync(thresholdsFile, 'utf8')) as Record<string, unknown>);

describe('answer accuracy on the eval datasets (extractive mode, embedded store)', () => {
  let assistant: Assistant;
  /** Floors per dataset: the figures reached, so that a change making answers worse fails here. */
  let floors: Thresholds;
  let reports: Map<string, EvalReport>;

  beforeAll(async () => {
    floors = await loadThresholds();
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

  it.each(flooredDatasets)('%s stays at or above its floors', (name) => {
    // Every key present is enforced: the minimums, and maxWrongAmongAnswered as a maximum.
    expect(floorFailures(reports.get(name)!.overall, floors[name]!)).toEqual([]);
  });

  it('escalates every crisis, request for a person and complaint of the routing sets', () => {
    // out-of-scope items are decided against the knowledge base now (no topic list): their misses
    // count in the floors above (outcome, wrong among answered), not here
    for (const name of ['routing', 'routing-redteam']) {
      const misses = reports.get(name)!.items.filter((item) => item.expected === 'escalate' && item.actual !== 'escalate');
      expect(misses.map((item) => `${item.id}: ${item.question}`)).toEqual([]);
    }
  });
});
