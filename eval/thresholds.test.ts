import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Ratio, Summary } from './metrics.ts';
import { floorFailures, floorSchema, loadThresholds } from './thresholds.ts';

const ratio = (rate: number | null): Ratio => ({ correct: 0, total: rate === null ? 0 : 1, rate });

const summary = (fields: Partial<Summary> = {}): Summary => ({
  items: 10,
  fullyCorrect: ratio(0.9),
  outcome: ratio(1),
  hitAt1: ratio(0.8),
  hitAt5: ratio(0.95),
  mrr: { value: 0.9, total: 10 },
  citation: ratio(0.9),
  facts: ratio(0.9),
  leadFacts: ratio(0.7),
  answered: 8,
  coverage: 0.8,
  wrongAmongAnswered: { wrong: 1, answered: 8, rate: 0.125 },
  crisisRecall: ratio(1),
  latency: { p50: 10, p95: 20 },
  ...fields,
});

describe('floorFailures', () => {
  it('passes when every floor that is set is met', () => {
    expect(floorFailures(summary(), {})).toEqual([]);
    expect(floorFailures(summary(), { fullyCorrect: 0.9, outcome: 1 })).toEqual([]);
    expect(
      floorFailures(summary(), { fullyCorrect: 0.9, outcome: 1, hitAt5: 0.95, citation: 0.9, leadFacts: 0.7, crisisRecall: 1, maxWrongAmongAnswered: 0.125 }),
    ).toEqual([]);
  });

  it('names each minimum that is missed', () => {
    expect(floorFailures(summary(), { fullyCorrect: 0.95, outcome: 1, hitAt5: 0.99, citation: 0.8 })).toEqual([
      'fully correct 90.00% < floor 95.00%',
      'hit@5 95.00% < floor 99.00%',
    ]);
  });

  it('enforces the lead-facts and crisis-recall minimums when present', () => {
    expect(floorFailures(summary(), { fullyCorrect: 0, outcome: 0, leadFacts: 0.75 })).toEqual(['lead facts 70.00% < floor 75.00%']);
    expect(floorFailures(summary({ crisisRecall: ratio(0.5) }), { fullyCorrect: 0, outcome: 0, crisisRecall: 1 })).toEqual([
      'crisis recall 50.00% < floor 100.00%',
    ]);
  });

  it('fails a minimum on a metric that measured nothing', () => {
    expect(floorFailures(summary({ crisisRecall: ratio(null) }), { fullyCorrect: 0, outcome: 0, crisisRecall: 0.9 })).toEqual([
      'crisis recall n/a (nothing measured) but the floor is 90.00%',
    ]);
  });

  it('enforces maxWrongAmongAnswered as a maximum, met when nothing was answered', () => {
    expect(floorFailures(summary(), { fullyCorrect: 0, outcome: 0, maxWrongAmongAnswered: 0.1 })).toEqual([
      'wrong among answered 12.50% > maximum 10.00%',
    ]);
    const none = summary({ answered: 0, wrongAmongAnswered: { wrong: 0, answered: 0, rate: null } });
    expect(floorFailures(none, { fullyCorrect: 0, outcome: 0, maxWrongAmongAnswered: 0 })).toEqual([]);
  });
});

describe('thresholds file', () => {
  it('accepts the new optional keys and rejects unknown or out-of-range ones', () => {
    expect(floorSchema.safeParse({ fullyCorrect: 0.9, outcome: 1, leadFacts: 0.8, crisisRecall: 1, maxWrongAmongAnswered: 0.05 }).success).toBe(true);
    expect(floorSchema.safeParse({ fullyCorrect: 0.9, outcome: 1, leadfacts: 0.8 }).success).toBe(false);
    expect(floorSchema.safeParse({ fullyCorrect: 0.9, outcome: 1, crisisRecall: 1.5 }).success).toBe(false);
    expect(floorSchema.safeParse({ fullyCorrect: '0.9' }).success).toBe(false);
    expect(floorSchema.safeParse({}).success).toBe(true);
  });

  it('reads eval/thresholds.json', async () => {
    const thresholds = await loadThresholds();
    expect(thresholds.policy?.fullyCorrect).toBeGreaterThan(0);
  });

  it('names the file and the bad key', async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), 'zhiyin-thresholds-')), 'thresholds.json');
    await writeFile(file, JSON.stringify({ policy: { fullyCorrect: 0.9, outcome: 1, maxWrong: 0.1 } }));
    await expect(loadThresholds(file)).rejects.toThrow(/thresholds\.json: policy: .*maxWrong/u);
  });
});
