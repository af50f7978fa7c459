import type { AskResult, Outcome } from '../src/answering/types.ts';
import { Replies } from '../src/prompts.ts';
import type { EvalItem } from './dataset.ts';
import type { FaithfulnessScore } from './faithfulness.ts';

/**
 * A reply as the eval receives it: an `AskResult`, with the answerer's retrieval confidence
 * (`AnsweredQuestion.confidence`, 0–1) when the ask function passes it on.
 */
export type EvalReply = AskResult & { confidence?: number | null | undefined };

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

// ── The lead of an answer ────────────────────────────────────────────────────

/** The replies' headings above the quoted clauses (`answer_quote_heading`: 【原文】, Clause text:). */
export function quoteHeadings(replies: Pick<Replies, 'has' | 'render'>): string[] {
  return (['zh', 'en'] as const)
    .filter((language) => replies.has(language, 'answer_quote_heading'))
    .map((language) => replies.render(language, 'answer_quote_heading').trim())
    .filter((heading) => heading !== '');
}

let defaultHeadings: string[] | undefined;

/** `quoteHeadings` of the project's prompts, read once. */
export function defaultQuoteHeadings(): string[] {
  defaultHeadings ??= quoteHeadings(new Replies());
  return defaultHeadings;
}

/**
 * The lead of an answer: the text before the quoted clauses, i.e. before the first line that
 * starts with one of the `headings`; without such a line, the text before the first blank line
 * (after the first non-blank one); without that, the whole answer.
 *
 * @example leadOf('不可以。\n\n【原文】\n第十条：「……」', ['【原文】']) // '不可以。\n'
 */
export function leadOf(answer: string, headings: readonly string[]): string {
  const lines = answer.split(/\r?\n/u);
  const wanted = headings.map((heading) => heading.trim()).filter((heading) => heading !== '');
  const atHeading = lines.findIndex((line) => wanted.some((heading) => line.trim().startsWith(heading)));
  if (atHeading !== -1) return lines.slice(0, atHeading).join('\n');
  const firstText = lines.findIndex((line) => line.trim() !== '');
  const blank = firstText === -1 ? -1 : lines.findIndex((line, index) => index > firstText && line.trim() === '');
  return blank === -1 ? answer : lines.slice(0, blank).join('\n');
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

/**
 * Lead facts correct: every alternative-list has a member in the lead of the answer (`leadOf`),
 * compared as `containsFact` does. `null` unless the item expects an answer with facts and the
 * system answered.
 */
export function leadFactsCorrect(item: EvalItem, result: AskResult, headings: readonly string[] = defaultQuoteHeadings()): boolean | null {
  if (item.outcome !== 'answer' || result.outcome !== 'answer' || item.facts.length === 0) return null;
  const lead = leadOf(result.answer, headings);
  return item.facts.every((alternatives) => alternatives.some((fact) => containsFact(lead, fact)));
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
  /** All facts in the lead, before the quoted clauses; `null` unless expected and given an answer. */
  leadFactsCorrect: boolean | null;
  /** The answerer's retrieval confidence (0–1); `null` when the reply does not carry one. */
  confidence: number | null;
  latency_ms: number | null;
  /** Set when faithfulness was measured (`zhiyin eval --llm`) and the reply is an answer with claims. */
  faithfulness?: FaithfulnessScore;
}

export interface ScoreOptions {
  /** The headings above the quoted clauses that end an answer's lead (default: the project's replies). */
  quoteHeadings?: readonly string[];
}

/**
 * Scores one item against the system's reply.
 *
 * @example scoreItem(item, await ask(item.question)).fullyCorrect
 */
export function scoreItem(item: EvalItem, result: EvalReply, options: ScoreOptions = {}): ItemScore {
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
    leadFactsCorrect: leadFactsCorrect(item, result, options.quoteHeadings ?? defaultQuoteHeadings()),
    confidence: typeof result.confidence === 'number' && Number.isFinite(result.confidence) ? result.confidence : null,
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
    leadFactsCorrect: null,
    confidence: null,
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
  /** Answered items expected to be answered whose facts all stand in the lead, before the quoted clauses. */
  leadFacts: Ratio;
  /** Items the system answered (outcome `answer`). */
  answered: number;
  /** answered / items; `null` for no items. */
  coverage: number | null;
  /** Among the answered items, those not fully correct (should not have answered, or wrong citation or facts). */
  wrongAmongAnswered: WrongAmongAnswered;
  /** Items tagged `crisis` (expected `escalate`) that the system escalated; `n/a` (total 0) when none. */
  crisisRecall: Ratio;
  latency: { p50: number | null; p95: number | null };
  /** Answer sentences with claims whose claims the cited clauses back; only when faithfulness was measured. */
  faithfulness?: Ratio;
}

/** Of `answered` items, `wrong` were not fully correct; `rate` is `null` when nothing was answered. */
export interface WrongAmongAnswered {
  wrong: number;
  answered: number;
  rate: number | null;
}

/** The answered items cut to the most confident `kept` share of them. */
export interface RiskCoveragePoint {
  /** Share of the answered items kept, the most confident first (1, 0.9, …, 0.5). */
  kept: number;
  /** How many answered items are kept. */
  answered: number;
  /** Kept answers / all items of the dataset. */
  coverage: number | null;
  /** Kept answers that are not fully correct. */
  wrong: number;
  /** wrong / kept answers; `null` when none is kept. */
  risk: number | null;
  /** The lowest confidence kept: answering only at or above it keeps (about) this share. */
  minConfidence: number | null;
}

/**
 * The risk–coverage curve: answered items sorted by confidence (highest first; ties in dataset
 * order, answers without a confidence last), cut at each share of them.
 */
export interface RiskCoverage {
  items: number;
  answered: number;
  /** Answered items whose reply carried a confidence; below `answered`, the order is partly arbitrary. */
  withConfidence: number;
  points: RiskCoveragePoint[];
}

/** Summaries overall and per expected outcome (answer, abstain, escalate), document and tag (sorted). */
export interface Aggregates {
  overall: Summary;
  riskCoverage: RiskCoverage;
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
    leadFacts: ratio(scores.map((s) => s.leadFactsCorrect)),
    ...answeredOf(scores),
    crisisRecall: ratio(scored.map(({ item, score }) => (isCrisis(item) ? score.actual === 'escalate' : null))),
    latency: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    ...faithfulnessOf(scores),
  };
}

const CRISIS_TAG = 'crisis';

/** A crisis item: tagged `crisis` and expected to be escalated. */
function isCrisis(item: EvalItem): boolean {
  return item.outcome === 'escalate' && item.tags.includes(CRISIS_TAG);
}

const answeredByTheSystem = (score: ItemScore): boolean => score.actual === 'answer';

/** How many items were answered, the coverage, and the wrong among the answered. */
function answeredOf(scores: readonly ItemScore[]): Pick<Summary, 'answered' | 'coverage' | 'wrongAmongAnswered'> {
  const answered = scores.filter(answeredByTheSystem);
  const wrong = answered.filter((score) => !score.fullyCorrect).length;
  return {
    answered: answered.length,
    coverage: scores.length === 0 ? null : answered.length / scores.length,
    wrongAmongAnswered: { wrong, answered: answered.length, rate: answered.length === 0 ? null : wrong / answered.length },
  };
}

/** The shares of the answered items the risk–coverage curve is cut at, in percent. */
export const riskCoverageLevels: readonly number[] = [100, 90, 80, 70, 60, 50];

/**
 * The risk–coverage curve of a run: the answered items sorted by confidence, highest first,
 * then for each level the most confident `level`% of them (rounded up) with their coverage of
 * all items and the share that is wrong.
 *
 * @example riskCoverage(scored).points[1] // { kept: 0.9, answered: 90, coverage: 0.75, wrong: 3, risk: 0.033, minConfidence: 0.41 }
 */
export function riskCoverage(scored: readonly ScoredItem[], levels: readonly number[] = riskCoverageLevels): RiskCoverage {
  const answered = scored
    .map(({ score }) => score)
    .filter(answeredByTheSystem)
    .map((score, order) => ({ score, order }))
    .sort((x, y) => byConfidence(x.score.confidence, y.score.confidence) || x.order - y.order)
    .map(({ score }) => score);
  const points = answered.length === 0 ? [] : levels.map((level) => {
    const kept = answered.slice(0, Math.ceil((level * answered.length) / 100));
    const wrong = kept.filter((score) => !score.fullyCorrect).length;
    return {
      kept: level / 100,
      answered: kept.length,
      coverage: scored.length === 0 ? null : kept.length / scored.length,
      wrong,
      risk: kept.length === 0 ? null : wrong / kept.length,
      minConfidence: kept.at(-1)?.confidence ?? null,
    };
  });
  return {
    items: scored.length,
    answered: answered.length,
    withConfidence: answered.filter((score) => score.confidence !== null).length,
    points,
  };
}

/** Highest confidence first; a missing confidence after every number. */
function byConfidence(x: number | null, y: number | null): number {
  if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0);
  return y - x;
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
    riskCoverage: riskCoverage(scored),
    byOutcome: summarizeBy(scored, ({ item }) => [item.outcome], byOutcomeOrder),
    byDocument: summarizeBy(scored, ({ item }) => [documentOf(item, docOf)]),
    byTag: summarizeBy(scored, ({ item }) => topicTags(item)),
  };
}
