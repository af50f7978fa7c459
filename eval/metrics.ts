import type { AskResult, Outcome } from '../src/answering/types.ts';
import type { EvalItem } from './dataset.ts';
import type { FaithfulnessScore } from './faithfulness.ts';

// ── Text comparison ──────────────────────────────────────────────────────────

/** Removes all whitespace (including the ideographic space U+3000). */
export function withoutWhitespace(text: string): string {
  return text.replace(/\s+/gu, '');
}

/** Lower-cases ASCII letters only, leaving CJK and other scripts as they are. */
function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Whether a chunk contains one of the passages, compared after removing all whitespace. */
export function containsPassage(chunkText: string, passages: readonly string[]): boolean {
  const chunk = withoutWhitespace(chunkText);
  return passages.some((passage) => chunk.includes(withoutWhitespace(passage)));
}

/**
 * Whether the answer contains a fact string, ASCII case-insensitively and ignoring whitespace on
 * both sides (so `30 门` matches `30门`). Comparing without whitespace also covers the plain
 * case-insensitive comparison: any plain match is still a match once whitespace is removed.
 */
export function containsFact(answer: string, fact: string): boolean {
  const normalise = (s: string): string => withoutWhitespace(asciiLowerCase(s));
  return normalise(answer).includes(normalise(fact));
}

// ── Per-item rules (FORMAT.md) ───────────────────────────────────────────────

/** Outcome correct: the system's outcome equals the expected one. */
export function outcomeCorrect(item: EvalItem, result: AskResult): boolean {
  return result.outcome === item.outcome;
}

/** The 1-based rank of the first retrieved chunk containing a passage, or `null` if none does. */
export function firstHitRank(item: EvalItem, result: AskResult): number | null {
  const index = result.retrieved.findIndex((clause) => containsPassage(clause.text, item.passages));
  return index === -1 ? null : index + 1;
}

/** Retrieval hit@k: some passage is contained in one of the top-k retrieved chunks. */
export function hitAt(item: EvalItem, result: AskResult, k: number): boolean {
  const rank = firstHitRank(item, result);
  return rank !== null && rank <= k;
}

/** 1 / rank of the first retrieved chunk containing a passage; 0 if no retrieved chunk does. */
export function reciprocalRank(item: EvalItem, result: AskResult): number {
  const rank = firstHitRank(item, result);
  return rank === null ? 0 : 1 / rank;
}

/** Citation correct: some passage is contained in a chunk that the answer cites. */
export function citationCorrect(item: EvalItem, result: AskResult): boolean {
  return result.citations.some((citation) => containsPassage(citation.text, item.passages));
}

/** The alternative-lists none of whose members the answer contains. */
export function missingFacts(item: EvalItem, result: AskResult): string[][] {
  return item.facts.filter((alternatives) => !alternatives.some((fact) => containsFact(result.answer, fact)));
}

/** Facts correct: every alternative-list has a member in the answer text. */
export function factsCorrect(item: EvalItem, result: AskResult): boolean {
  return missingFacts(item, result).length === 0;
}

/** Fully correct: outcome, citation and facts for `answer` items; the outcome alone otherwise. */
export function fullyCorrect(item: EvalItem, result: AskResult): boolean {
  if (item.outcome !== 'answer') return outcomeCorrect(item, result);
  return outcomeCorrect(item, result) && citationCorrect(item, result) && factsCorrect(item, result);
}

// ── One item's score ─────────────────────────────────────────────────────────

/**
 * Everything measured for one item. Retrieval, citation and fact fields are `null` for
 * abstain/escalate items, where they do not apply. `actual` is `null` when asking failed.
 */
export interface ItemScore {
  expected: Outcome;
  actual: Outcome | null;
  outcomeCorrect: boolean;
  hitAt1: boolean | null;
  hitAt5: boolean | null;
  rank: number | null;
  reciprocalRank: number | null;
  citationCorrect: boolean | null;
  factsCorrect: boolean | null;
  missingFacts: string[][];
  fullyCorrect: boolean;
  latency_ms: number | null;
  /** Set when faithfulness was measured (`zhiyin eval --llm`) and the reply is an answer with claims. */
  faithfulness?: FaithfulnessScore;
}

/**
 * Scores one item against the system's reply.
 *
 * @example scoreItem(item, await ask(item.question)).fullyCorrect
 */
export function scoreItem(item: EvalItem, result: AskResult): ItemScore {
  const isAnswer = item.outcome === 'answer';
  const onlyForAnswers = <T>(value: () => T): T | null => (isAnswer ? value() : null);
  return {
    expected: item.outcome,
    actual: result.outcome,
    outcomeCorrect: outcomeCorrect(item, result),
    hitAt1: onlyForAnswers(() => hitAt(item, result, 1)),
    hitAt5: onlyForAnswers(() => hitAt(item, result, 5)),
    rank: onlyForAnswers(() => firstHitRank(item, result)),
    reciprocalRank: onlyForAnswers(() => reciprocalRank(item, result)),
    citationCorrect: onlyForAnswers(() => citationCorrect(item, result)),
    factsCorrect: onlyForAnswers(() => factsCorrect(item, result)),
    missingFacts: isAnswer ? missingFacts(item, result) : [],
    fullyCorrect: fullyCorrect(item, result),
    latency_ms: result.latency_ms,
  };
}

/** The score of an item whose question could not be asked (the system threw): every check fails. */
export function scoreUnanswered(item: EvalItem): ItemScore {
  const isAnswer = item.outcome === 'answer';
  const failed = isAnswer ? false : null;
  return {
    expected: item.outcome,
    actual: null,
    outcomeCorrect: false,
    hitAt1: failed,
    hitAt5: failed,
    rank: null,
    reciprocalRank: isAnswer ? 0 : null,
    citationCorrect: failed,
    factsCorrect: failed,
    missingFacts: isAnswer ? item.facts : [],
    fullyCorrect: false,
    latency_ms: null,
  };
}

// ── Aggregation ──────────────────────────────────────────────────────────────

/** How many of `total` were correct; `rate` is `null` when nothing was measured. */
export interface Ratio {
  correct: number;
  total: number;
  rate: number | null;
}

/** A mean over `total` values; `null` when there were none. */
export interface Mean {
  value: number | null;
  total: number;
}

/** The metrics of a group of items. Retrieval, citation and facts count only `answer` items. */
export interface Summary {
  items: number;
  fullyCorrect: Ratio;
  outcome: Ratio;
  hitAt1: Ratio;
  hitAt5: Ratio;
  mrr: Mean;
  citation: Ratio;
  facts: Ratio;
  latency: { p50: number | null; p95: number | null };
  /** Answer sentences with claims whose claims the cited clauses back; only when faithfulness was measured. */
  faithfulness?: Ratio;
}

/** Summaries overall and per expected outcome (answer, abstain, escalate), document and tag (sorted). */
export interface Aggregates {
  overall: Summary;
  byOutcome: Record<string, Summary>;
  byDocument: Record<string, Summary>;
  byTag: Record<string, Summary>;
}

/** An item together with its score. */
export interface ScoredItem {
  item: EvalItem;
  score: ItemScore;
}

/** Maps an item to the document it is about, e.g. by finding which document contains its passages. */
export type DocOf = (item: EvalItem) => string | undefined;

const DOC_TAG = 'doc:';

/**
 * An item's document: its `doc:XXX` tag if present, else what `docOf` says, else `unknown`.
 *
 * @example documentOf({ ...item, tags: ['doc:moe-2018-zhongzhi-guidance'] }) // 'moe-2018-zhongzhi-guidance'
 */
export function documentOf(item: EvalItem, docOf?: DocOf): string {
  const tagged = item.tags.find((tag) => tag.startsWith(DOC_TAG));
  return tagged?.slice(DOC_TAG.length) || docOf?.(item) || 'unknown';
}

/** An item's tags apart from `doc:` tags, which group items by document instead. */
function topicTags(item: EvalItem): string[] {
  return item.tags.filter((tag) => !tag.startsWith(DOC_TAG));
}

/** Nearest-rank percentile (`p` in 0–100) of the values; `null` for none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

function ratio(flags: readonly (boolean | null)[]): Ratio {
  const measured = flags.filter((flag): flag is boolean => flag !== null);
  const correct = measured.filter(Boolean).length;
  return { correct, total: measured.length, rate: measured.length === 0 ? null : correct / measured.length };
}

function mean(values: readonly (number | null)[]): Mean {
  const measured = values.filter((value): value is number => value !== null);
  const sum = measured.reduce((a, b) => a + b, 0);
  return { value: measured.length === 0 ? null : sum / measured.length, total: measured.length };
}

/** The metrics of one group of scored items. */
export function summarize(scored: readonly ScoredItem[]): Summary {
  const scores = scored.map(({ score }) => score);
  const latencies = scores.map((s) => s.latency_ms).filter((ms): ms is number => ms !== null);
  return {
    items: scores.length,
    fullyCorrect: ratio(scores.map((s) => s.fullyCorrect)),
    outcome: ratio(scores.map((s) => s.outcomeCorrect)),
    hitAt1: ratio(scores.map((s) => s.hitAt1)),
    hitAt5: ratio(scores.map((s) => s.hitAt5)),
    mrr: mean(scores.map((s) => s.reciprocalRank)),
    citation: ratio(scores.map((s) => s.citationCorrect)),
    facts: ratio(scores.map((s) => s.factsCorrect)),
    latency: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    ...faithfulnessOf(scores),
  };
}

/** Faithfulness over every measured sentence of the group, when any was measured. */
function faithfulnessOf(scores: readonly ItemScore[]): Pick<Summary, 'faithfulness'> {
  const measured = scores.flatMap((score) => (score.faithfulness ? [score.faithfulness] : []));
  if (measured.length === 0) return {};
  const correct = measured.reduce((sum, score) => sum + score.faithfulSentences, 0);
  const total = measured.reduce((sum, score) => sum + score.claimSentences, 0);
  return { faithfulness: { correct, total, rate: total === 0 ? null : correct / total } };
}

const OUTCOME_ORDER: readonly string[] = ['answer', 'abstain', 'escalate'];

const byOutcomeOrder = (a: string, b: string): number => OUTCOME_ORDER.indexOf(a) - OUTCOME_ORDER.indexOf(b);

/** Summarises each group of items; an item may fall in several groups (tags). */
function summarizeBy(
  scored: readonly ScoredItem[],
  keysOf: (entry: ScoredItem) => readonly string[],
  compareKeys?: (a: string, b: string) => number,
): Record<string, Summary> {
  const groups = new Map<string, ScoredItem[]>();
  for (const entry of scored) {
    for (const key of keysOf(entry)) {
      const group = groups.get(key) ?? [];
      group.push(entry);
      groups.set(key, group);
    }
  }
  const keys = [...groups.keys()].sort(compareKeys);
  return Object.fromEntries(keys.map((key) => [key, summarize(groups.get(key) ?? [])]));
}

/**
 * Summaries overall, per expected outcome, per document (see `documentOf`) and per tag.
 *
 * @example aggregate(scored, (item) => findDocumentContaining(item.passages)).byDocument
 */
export function aggregate(scored: readonly ScoredItem[], docOf?: DocOf): Aggregates {
  return {
    overall: summarize(scored),
    byOutcome: summarizeBy(scored, ({ item }) => [item.outcome], byOutcomeOrder),
    byDocument: summarizeBy(scored, ({ item }) => [documentOf(item, docOf)]),
    byTag: summarizeBy(scored, ({ item }) => topicTags(item)),
  };
}
