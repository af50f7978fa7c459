/**
 * The eval suite per knowledge-base version: before a publish switches a candidate set in, the
 * single-turn datasets are answered over the live set and over the candidate (a temporary
 * HybridSearch and answerer over the candidate snapshot and its in-memory vectors — nothing is
 * switched), and the change in accuracy is shown; a floor on the candidate's fully-correct rate
 * (`ZHIYIN_PUBLISH_MIN_FULLY_CORRECT`, or a flag) blocks the publish. The school's own items
 * (`SchoolEvalSet`, issue 15) run beside the shipped sets, each over the live set and the
 * candidate: a school item the live set gets right and the candidate gets wrong blocks the
 * publish, whatever the floor.
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
import { runEval, type ItemResult } from './runner.ts';
import { schoolDatasetName } from './school-set.ts';
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
  /** The school's own items, when there were any: how many, and those the candidate breaks. */
  school?: { items: number; regressions: SchoolRegression[] };
  passed: boolean;
  ms: number;
}

/** A school item the live set answers fully correctly and the candidate does not. */
export interface SchoolRegression {
  id: string;
  question: string;
  expected: EvalItem['outcome'];
  /** What the candidate did (null: asking failed). */
  actual: ItemResult['actual'];
}

/** The school's own items and the live set that answers them now (measured afresh: the items change between publishes). */
export interface SchoolEvalInput {
  items: readonly EvalItem[];
  live: AskOne;
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
  /** The school's own items (`SchoolEvalSet.items()`), scored as the dataset `school`. */
  school?: SchoolEvalInput;
}): Promise<VersionEvalComparison> {
  const started = performance.now();
  const sets = await singleTurnItems(input.datasets);
  let baseline = typeof input.baseline === 'function' ? await accuracyOf(input.baseline, sets) : input.baseline;
  const answerer = candidateAnswerer(input.candidate, input.lexicon, input.tokenizer, input.replies);
  const askCandidate: AskOne = (question) => answerer.answer(question);
  let candidate = await accuracyOf(askCandidate, sets);
  let school: VersionEvalComparison['school'];
  const schoolItems = input.school?.items.filter((item) => item.session === undefined) ?? [];
  if (input.school && schoolItems.length > 0) {
    const before = await runEval(schoolItems, (question) => input.school!.live(question));
    const after = await runEval(schoolItems, askCandidate);
    baseline = withDataset(baseline, schoolDatasetName, before.items);
    candidate = withDataset(candidate, schoolDatasetName, after.items);
    const regressions = after.items
      .filter((result, index) => !result.fullyCorrect && before.items[index]!.fullyCorrect)
      .map((result): SchoolRegression => ({ id: result.id, question: result.question, expected: result.expected, actual: result.actual }));
    school = { items: schoolItems.length, regressions };
  }
  const aboveFloor = input.floor === null || candidate.fullyCorrect >= input.floor;
  return {
    baseline,
    candidate,
    delta: { fullyCorrect: candidate.fullyCorrect - baseline.fullyCorrect, outcome: candidate.outcome - baseline.outcome },
    floor: input.floor,
    ...(school ? { school } : {}),
    passed: aboveFloor && (school?.regressions.length ?? 0) === 0,
    ms: Math.round(performance.now() - started),
  };
}

/** A summary with one more dataset's results folded in (a new object: a cached baseline stays as it was). */
function withDataset(summary: AccuracySummary, name: string, results: readonly ItemResult[]): AccuracySummary {
  const fully = results.filter((result) => result.fullyCorrect).length;
  const outcome = results.filter((result) => result.actual === result.expected).length;
  const items = summary.items + results.length;
  const rate = (count: number): number => (results.length === 0 ? 0 : count / results.length);
  return {
    items,
    fullyCorrect: items === 0 ? 0 : (summary.fullyCorrect * summary.items + fully) / items,
    outcome: items === 0 ? 0 : (summary.outcome * summary.items + outcome) / items,
    datasets: { ...summary.datasets, [name]: { items: results.length, fullyCorrect: rate(fully), outcome: rate(outcome) } },
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
  for (const regression of comparison.school?.regressions ?? []) {
    lines.push(`  school item ${regression.id} broken (expected ${regression.expected}, got ${regression.actual ?? 'an error'}): ${regression.question}`);
  }
  if (floor !== null) lines.push(candidate.fullyCorrect >= floor ? `floor ${percent(floor)}: passed` : `floor ${percent(floor)}: NOT met — publish blocked`);
  if ((comparison.school?.regressions.length ?? 0) > 0) lines.push('school items broken — publish blocked');
  return lines.join('\n');
}
