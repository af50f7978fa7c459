import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../src/paths.ts';
import { loadDataset } from './dataset.ts';
import { runEval, type Ask, type EvalReport, type RunOptions } from './runner.ts';

/** The project's datasets: every `*.jsonl` in `eval/datasets/`. */
export const datasetsDir = path.join(repoRoot, 'eval', 'datasets');

export async function defaultDatasets(): Promise<string[]> {
  return (await readdir(datasetsDir))
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => path.join(datasetsDir, name));
}

/** Runs each dataset file and returns its report under the file's base name. */
export async function runDatasets(
  files: readonly string[],
  ask: Ask,
  options: RunOptions = {},
): Promise<{ name: string; report: EvalReport }[]> {
  const results: { name: string; report: EvalReport }[] = [];
  for (const file of files) {
    const items = await loadDataset(file);
    results.push({ name: path.basename(file, '.jsonl'), report: await runEval(items, ask, options) });
  }
  return results;
}
