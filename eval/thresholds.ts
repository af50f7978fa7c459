import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { Ratio, Summary } from './metrics.ts';

const share = z.number().min(0).max(1);

/**
 * One dataset's floors in `eval/thresholds.json`: minimum rates, except `maxWrongAmongAnswered`,
 * a maximum. Every key is optional (`{}` lists a dataset without floors yet); unknown keys are
 * rejected so that a misspelt key is not silently left unenforced.
 */
export const floorSchema = z.strictObject({
  fullyCorrect: share.optional(),
  outcome: share.optional(),
  hitAt5: share.optional(),
  citation: share.optional(),
  leadFacts: share.optional(),
  crisisRecall: share.optional(),
  maxWrongAmongAnswered: share.optional(),
});

export type Floor = z.infer<typeof floorSchema>;

/** Floors per dataset, keyed by the dataset file's base name (`policy` for `policy.jsonl`). */
export const thresholdsSchema = z.record(z.string(), floorSchema);

export type Thresholds = z.infer<typeof thresholdsSchema>;

export const thresholdsFile = new URL('./thresholds.json', import.meta.url);

/** Reads and checks the thresholds file. */
export async function loadThresholds(file: string | URL = thresholdsFile): Promise<Thresholds> {
  const parsed = thresholdsSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${String(file)}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}

const minimums: readonly { key: keyof Floor; label: string; of: (summary: Summary) => Ratio }[] = [
  { key: 'fullyCorrect', label: 'fully correct', of: (summary) => summary.fullyCorrect },
  { key: 'outcome', label: 'outcome accuracy', of: (summary) => summary.outcome },
  { key: 'hitAt5', label: 'hit@5', of: (summary) => summary.hitAt5 },
  { key: 'citation', label: 'citation accuracy', of: (summary) => summary.citation },
  { key: 'leadFacts', label: 'lead facts', of: (summary) => summary.leadFacts },
  { key: 'crisisRecall', label: 'crisis recall', of: (summary) => summary.crisisRecall },
];

const asPercent = (rate: number): string => `${(rate * 100).toFixed(2)}%`;

/**
 * What falls short of the floors that are set, one message each; empty when all are met. A
 * minimum set on a metric that measured nothing (no crisis items, say) is a shortfall; the
 * maximum on wrong-among-answered holds when nothing was answered.
 *
 * @example floorFailures(report.overall, { fullyCorrect: 0.95, outcome: 1 }) // ['fully correct 93.00% < floor 95.00%']
 */
export function floorFailures(summary: Summary, floor: Floor): string[] {
  const failures: string[] = [];
  for (const { key, label, of } of minimums) {
    const minimum = floor[key];
    if (minimum === undefined) continue;
    const { rate } = of(summary);
    if (rate === null) failures.push(`${label} n/a (nothing measured) but the floor is ${asPercent(minimum)}`);
    else if (rate < minimum) failures.push(`${label} ${asPercent(rate)} < floor ${asPercent(minimum)}`);
  }
  const maximum = floor.maxWrongAmongAnswered;
  const wrong = summary.wrongAmongAnswered.rate;
  if (maximum !== undefined && wrong !== null && wrong > maximum) {
    failures.push(`wrong among answered ${asPercent(wrong)} > maximum ${asPercent(maximum)}`);
  }
  return failures;
}
