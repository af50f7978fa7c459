/**
 * The eval suite per knowledge-base version: before a publish switches a candidate set in, the
 * single-turn datasets are answered over the live set and over the candidate (a temporary
 * HybridSearch and answerer over the candidate snapshot and its in-memory vectors — nothing is
 * switched), and the change in accuracy is shown; a floor on the candidate's fully-correct rate
 * (`ZHIYIN_PUBLISH_MIN_FULLY_CORRECT`, or a flag) blocks the publish.
 */
import { loadAnswerabilityModel } from '../src/answering/answerability.ts';
import { PolicyAnswerer } from '../src/answering/answer-question.ts';
import type { AskResult } from '../src/answering/types.ts';
import type { Candidate } from '../src/knowledge/knowledge-base.ts';
import type { Replies } from '../src/prompts.ts';
import { HybridSearch, InMemoryDenseSearch } from '../src/retrieval/hybrid-search.ts';
import type { Lexicon } from '../src/retrieval/lexicon.ts';
import type { Tokenizer } from '../src/retrieval/tokenizer.ts';
import { loadDataset, type EvalItem } from './dataset.ts';
import { runEval } from './runner.ts';
import { defaultDatasets } from './suite.ts';
import path from 'node:path';

/** One set's accuracy: per dataset and over all items. */
export interface AccuracySummary {
  items: number;
  fullyCorrect: number;
  outcome: number;
  datasets: Record<string, { items: number; fullyCorrect: number; outcome: number }>;
}

/** The live set beside the candidate, and whether the candidate may be published. */
export interface VersionEvalComparison {
  baseline: AccuracySummary;
  candidate: AccuracySummary;
  /** candidate − baseline, in rate points (0–1). */
  delta: { fullyCorrect: number; outcome: number };
  /** The floor on the candidate's fully-correct rate (null: none). */
  floor: number | null;
  passed: boolean;
  ms: number;
}

/** Answers one question. */
export type AskOne = (question: string) => Promise<AskResult>;

/** The publish floor from the environment (`ZHIYIN_PUBLISH_MIN_FULLY_CORRECT`, 0–1 or a percentage), or null. */
export function publishFloor(environment: Record<string, string | undefined> = process.env): number | null {
  const raw = environment.ZHIYIN_PUBLISH_MIN_FULLY_CORRECT?.trim();
  if (!raw) return null;
  return parseFloor(raw);
}

/** `0.85`, `85` or `85%` → 0.85; anything else is an error. */
export function parseFloor(raw: string): number {
  const value = Number(raw.replace(/%$/u, ''));
  if (!Number.isFinite(value) || value < 0 || value > 100) throw new Error(`the publish floor must be a rate 0–1 or a percentage, not "${raw}"`);
  return raw.endsWith('%') || value > 1 ? value / 100 : value;
}

/** The single-turn items of the datasets (items of a multi-turn session need the conversation core). */
export async function singleTurnItems(files?: readonly string[]): Promise<{ name: string; items: EvalItem[] }[]> {
  const chosen = files ?? (await defaultDatasets());
  const sets: { name: string; items: EvalItem[] }[] = [];
  for (const file of chosen) {
    const items = (await loadDataset(file)).filter((item) => item.session === undefined);
    if (items.length > 0) sets.push({ name: path.basename(file, '.jsonl'), items });
  }
  return sets;
}

/** Accuracy of one way of answering over the datasets. */
export async function accuracyOf(ask: AskOne, sets: readonly { name: string; items: EvalItem[] }[]): Promise<AccuracySummary> {
  const summary: AccuracySummary = { items: 0, fullyCorrect: 0, outcome: 0, datasets: {} };
  let fully = 0;
  let outcome = 0;
  for (const { name, items } of sets) {
    const report = await runEval(items, (question) => ask(question));
    const { overall } = report;
    summary.datasets[name] = { items: overall.items, fullyCorrect: overall.fullyCorrect.rate ?? 0, outcome: overall.outcome.rate ?? 0 };
    summary.items += overall.items;
    fully += overall.fullyCorrect.correct;
    outcome += overall.outcome.correct;
  }
  summary.fullyCorrect = summary.items === 0 ? 0 : fully / summary.items;
  summary.outcome = summary.items === 0 ? 0 : outcome / summary.items;
  return summary;
}

/**
 * An answerer over a candidate set that is not switched in: its snapshot, BM25 built in memory,
 * and an exact cosine search over the candidate's vectors with the model that made them.
 *
 * @example const answerer = candidateAnswerer(candidate, assistant.lexicon, assistant.tokenizer, assistant.replies);
 */
export function candidateAnswerer(candidate: Candidate, lexicon: Lexicon, tokenizer: Tokenizer, replies: Replies): PolicyAnswerer {
  const { model, snapshot, vectors } = candidate;
  const dense = vectors.length > 0 ? new InMemoryDenseSearch((text) => model.embeddings.embedQuery(text), snapshot.clauses.map((clause, index) => ({ id: clause.id, vector: vectors[index]! }))) : null;
  return new PolicyAnswerer(new HybridSearch(snapshot, lexicon, tokenizer, dense, { denseWeight: model.fusionWeight }), replies, undefined, undefined, loadAnswerabilityModel());
}

/**
 * Compares the candidate with the live set on the datasets. `baseline` is the live answerer (or
 * an accuracy already measured for the live version); `floor` blocks a candidate below it.
 *
 * @example
 * const comparison = await compareWithCandidate({ baseline: (q) => live.answer(q), candidate, lexicon, tokenizer, replies, floor: 0.85 });
 * if (!comparison.passed) await kb.discard(candidate);
 */
export async function compareWithCandidate(input: {
  baseline: AskOne | AccuracySummary;
  candidate: Candidate;
  lexicon: Lexicon;
  tokenizer: Tokenizer;
  replies: Replies;
  floor: number | null;
  datasets?: readonly string[];
}): Promise<VersionEvalComparison> {
  const started = performance.now();
  const sets = await singleTurnItems(input.datasets);
  const baseline = typeof input.baseline === 'function' ? await accuracyOf(input.baseline, sets) : input.baseline;
  const answerer = candidateAnswerer(input.candidate, input.lexicon, input.tokenizer, input.replies);
  const candidate = await accuracyOf((question) => answerer.answer(question), sets);
  return {
    baseline,
    candidate,
    delta: { fullyCorrect: candidate.fullyCorrect - baseline.fullyCorrect, outcome: candidate.outcome - baseline.outcome },
    floor: input.floor,
    passed: input.floor === null || candidate.fullyCorrect >= input.floor,
    ms: Math.round(performance.now() - started),
  };
}

const percent = (rate: number): string => `${(rate * 100).toFixed(1)}%`;
const signed = (delta: number): string => `${delta >= 0 ? '+' : '−'}${Math.abs(delta * 100).toFixed(1)}`;

/** The comparison as lines for the terminal and the admin page. */
export function formatComparison(comparison: VersionEvalComparison): string {
  const { baseline, candidate, delta, floor, passed } = comparison;
  const lines = [
    `eval (${candidate.items} single-turn questions, ${(comparison.ms / 1000).toFixed(1)} s): fully correct ${percent(baseline.fullyCorrect)} → ${percent(candidate.fullyCorrect)} (${signed(delta.fullyCorrect)} pts), outcome ${percent(baseline.outcome)} → ${percent(candidate.outcome)} (${signed(delta.outcome)} pts)`,
  ];
  for (const [name, after] of Object.entries(candidate.datasets)) {
    const before = baseline.datasets[name];
    lines.push(`  ${name}: ${before ? percent(before.fullyCorrect) : 'n/a'} → ${percent(after.fullyCorrect)}`);
  }
  if (floor !== null) lines.push(passed ? `floor ${percent(floor)}: passed` : `floor ${percent(floor)}: NOT met — publish blocked`);
  return lines.join('\n');
}
