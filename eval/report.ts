import type { Mean, Ratio, RiskCoverage, Summary } from './metrics.ts';
import type { EvalReport, ItemResult } from './runner.ts';
import type { GenerationStats } from '../src/generation/types.ts';

export interface FormatOptions {
  /** How many failed items to list (default 20). */
  maxFailures?: number;
  /** Questions longer than this many terminal columns are cut (default 40). */
  questionWidth?: number;
  /** Open with the one-line summary table (default true; `formatRun` prints one table for all datasets instead). */
  summary?: boolean;
}

/**
 * A plain-text report of one dataset's run: the one-line summary table, the overall metrics with
 * counts and percentages, the risk–coverage curve, the metrics per expected outcome, per document
 * and per tag, then the first failed items and why they failed, and the answers whose lead lacks a
 * fact. Retrieval, citation and fact metrics count `answer` items only.
 *
 * @example console.log(formatReport(await runEval(items, ask), 'core.jsonl'));
 */
export function formatReport(report: EvalReport, datasetName: string, options: FormatOptions = {}): string {
  const maxItems = options.maxFailures ?? 20;
  const questionWidth = options.questionWidth ?? 40;
  const sections = [
    `== ${datasetName} (${report.overall.items} items) ==`,
    options.summary === false ? '' : formatSummaryTable([{ name: datasetName, report }]),
    overallTable(report.overall),
    riskCoverageSection(report.riskCoverage),
    groupSection('By outcome', report.byOutcome),
    groupSection('By document', report.byDocument),
    groupSection('By tag', report.byTag),
    failureSection(report.items, maxItems, questionWidth),
    leadSection(report.items, maxItems, questionWidth),
    unfaithfulSection(report.items, maxItems, questionWidth),
  ];
  return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}

/**
 * Every dataset's run: one summary table with a line per dataset, then each dataset's report.
 *
 * @example process.stdout.write(formatRun(await runDatasets(files, ask)));
 */
export function formatRun(results: readonly { name: string; report: EvalReport }[], options: FormatOptions = {}): string {
  const reports = results.map(({ name, report }) => formatReport(report, name, { ...options, summary: false }));
  return [`${formatSummaryTable(results)}\n`, ...reports].join('\n\n');
}

const SUMMARY_HEADER = [
  'dataset',
  'items',
  'fully',
  'outcome',
  'hit@1',
  'hit@5',
  'citation',
  'facts',
  'lead facts',
  'coverage',
  'wrong/answered',
  'crisis recall',
  'p50 ms',
  'p95 ms',
];

/**
 * One line per dataset with its headline figures, as percentages (`n/a` where nothing was
 * measured): a table to paste into a note.
 *
 * @example formatSummaryTable([{ name: 'policy', report }])
 */
export function formatSummaryTable(results: readonly { name: string; report: EvalReport }[]): string {
  const rows = results.map(({ name, report: { overall } }) => [
    name,
    String(overall.items),
    percent(overall.fullyCorrect.rate),
    percent(overall.outcome.rate),
    percent(overall.hitAt1.rate),
    percent(overall.hitAt5.rate),
    percent(overall.citation.rate),
    percent(overall.facts.rate),
    percent(overall.leadFacts.rate),
    percent(overall.coverage),
    percent(overall.wrongAmongAnswered.rate),
    percent(overall.crisisRecall.rate),
    milliseconds(overall.latency.p50),
    milliseconds(overall.latency.p95),
  ]);
  return table([SUMMARY_HEADER, ...rows]);
}

/**
 * The report as pretty-printed JSON, for `--json`.
 *
 * @example process.stdout.write(toJson(report));
 */
export function toJson(report: EvalReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

// ── Numbers ──────────────────────────────────────────────────────────────────

function percent(rate: number | null, digits = 1): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(digits)}%`;
}

function milliseconds(ms: number | null): string {
  return ms === null ? 'n/a' : String(Math.round(ms));
}

function meanValue(mean: Mean): string {
  return mean.value === null ? 'n/a' : mean.value.toFixed(3);
}

/** `3/5 60%`: compact enough for a column per metric. */
function ratioCell(ratio: Ratio): string {
  return ratio.total === 0 ? 'n/a' : `${ratio.correct}/${ratio.total} ${percent(ratio.rate, 0)}`;
}

// ── Tables ───────────────────────────────────────────────────────────────────

/** Terminal columns a string takes: CJK and full-width characters take two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += isWide(char.codePointAt(0) ?? 0) ? 2 : 1;
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - displayWidth(text))) + text;
}

/** Cuts text to at most `width` columns, marking the cut with `…`. */
export function truncate(text: string, width: number): string {
  const flat = text.replace(/\s+/gu, ' ').trim();
  if (displayWidth(flat) <= width) return flat;
  let cut = '';
  for (const char of flat) {
    if (displayWidth(cut + char) > width - 1) break;
    cut += char;
  }
  return `${cut}…`;
}

/** Rows of cells, first column left-aligned and the others right-aligned, two spaces apart. */
function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell))));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === 0 ? padEnd(cell, widths[i] ?? 0) : padStart(cell, widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

// ── Sections ─────────────────────────────────────────────────────────────────

function overallTable(summary: Summary): string {
  const row = (label: string, ratio: Ratio): string[] => [
    label,
    String(ratio.correct),
    String(ratio.total),
    percent(ratio.rate),
  ];
  const { wrong, answered, rate } = summary.wrongAmongAnswered;
  return table([
    ['', 'count', 'of', '%'],
    row('fully correct', summary.fullyCorrect),
    row('outcome accuracy', summary.outcome),
    row('hit@1 (answer items)', summary.hitAt1),
    row('hit@5 (answer items)', summary.hitAt5),
    ['MRR (answer items)', meanValue(summary.mrr), String(summary.mrr.total), ''],
    row('citation accuracy', summary.citation),
    row('fact accuracy', summary.facts),
    row('lead facts (answered answer items)', summary.leadFacts),
    row('answered (coverage)', { correct: summary.answered, total: summary.items, rate: summary.coverage }),
    row('wrong among answered', { correct: wrong, total: answered, rate }),
    row('crisis recall (crisis items escalated)', summary.crisisRecall),
    ['latency p50 / p95 ms', milliseconds(summary.latency.p50), milliseconds(summary.latency.p95), ''],
    ...(summary.faithfulness ? [row('faithfulness (claim sentences)', summary.faithfulness)] : []),
  ]);
}

const GROUP_HEADER = ['', 'items', 'fully', 'outcome', 'hit@1', 'hit@5', 'MRR', 'citation', 'facts', 'p50 ms', 'p95 ms'];

function groupRow(name: string, summary: Summary, withFaithfulness: boolean): string[] {
  const row = [
    name,
    String(summary.items),
    ratioCell(summary.fullyCorrect),
    ratioCell(summary.outcome),
    ratioCell(summary.hitAt1),
    ratioCell(summary.hitAt5),
    meanValue(summary.mrr),
    ratioCell(summary.citation),
    ratioCell(summary.facts),
    milliseconds(summary.latency.p50),
    milliseconds(summary.latency.p95),
  ];
  return withFaithfulness ? [...row, summary.faithfulness ? ratioCell(summary.faithfulness) : 'n/a'] : row;
}

function groupSection(title: string, groups: Record<string, Summary>): string {
  const entries = Object.entries(groups);
  if (entries.length === 0) return '';
  const withFaithfulness = entries.some(([, summary]) => summary.faithfulness !== undefined);
  const header = withFaithfulness ? [...GROUP_HEADER, 'faithful'] : GROUP_HEADER;
  return `${title}\n${table([header, ...entries.map(([name, summary]) => groupRow(name, summary, withFaithfulness))])}`;
}

function confidenceValue(confidence: number | null): string {
  return confidence === null ? 'n/a' : confidence.toFixed(3);
}

/** The risk–coverage curve as a table, one row per share of the answered items kept. */
function riskCoverageSection(curve: RiskCoverage): string {
  if (curve.answered === 0) return '';
  const title = 'Risk–coverage (answered items, most confident first)';
  if (curve.withConfidence === 0) return `${title}\n  n/a: the replies carry no confidence`;
  const note =
    curve.withConfidence < curve.answered
      ? [`  ${curve.answered - curve.withConfidence} of ${curve.answered} answers carry no confidence; they are ranked last`]
      : [];
  const rows = curve.points.map((point) => [
    percent(point.kept, 0),
    String(point.answered),
    percent(point.coverage),
    String(point.wrong),
    percent(point.risk),
    confidenceValue(point.minConfidence),
  ]);
  return [title, table([['kept', 'answered', 'coverage', 'wrong', 'risk', 'min conf'], ...rows]), ...note].join('\n');
}

/** Answered items whose facts are not all in the lead, before the quoted clauses. */
function leadSection(items: readonly ItemResult[], maxItems: number, questionWidth: number): string {
  const missing = items.filter((item) => item.leadFactsCorrect === false);
  if (missing.length === 0) return '';
  const shown = missing.slice(0, Math.max(0, maxItems));
  return [
    `Facts not all in the lead (${shown.length} of ${missing.length} shown)`,
    ...shown.map((item) => `  ${item.id}  ${truncate(item.question, questionWidth)}`),
  ].join('\n');
}

/** Answers with a sentence whose claims the cited clauses do not back, when faithfulness was measured. */
function unfaithfulSection(items: readonly ItemResult[], maxItems: number, questionWidth: number): string {
  const unfaithful = items.filter((item) => item.faithfulness && item.faithfulness.faithfulSentences < item.faithfulness.claimSentences);
  if (unfaithful.length === 0) return '';
  const shown = unfaithful.slice(0, Math.max(0, maxItems));
  return [
    `Unfaithful answers (${shown.length} of ${unfaithful.length} shown)`,
    ...shown.flatMap((item) => [
      `  ${item.id}  ${truncate(item.question, questionWidth)}`,
      `      - not in the cited clauses: ${[...new Set(item.faithfulness!.unsupported)].join(', ')}`,
    ]),
  ].join('\n');
}

/**
 * What grounded generation did over a run (`zhiyin eval --llm`): answers generated at the first
 * or second draft, fallbacks to the extractive answer by reason, and tokens used today.
 *
 * @example console.log(formatGenerationStats(assistant.generation.stats()));
 */
export function formatGenerationStats(stats: GenerationStats): string {
  const fallbacks = Object.entries(stats.fallback).sort(([, x], [, y]) => (y ?? 0) - (x ?? 0));
  const fellBack = fallbacks.reduce((sum, [, count]) => sum + (count ?? 0), 0);
  const total = stats.generated + stats.regenerated + fellBack;
  const share = (count: number): string => (total === 0 ? 'n/a' : percent(count / total));
  return [
    `== generation (${stats.model}, prompt zh v${stats.promptVersion.zh} / en v${stats.promptVersion.en}) ==`,
    table([
      ['', 'answers', '%'],
      ['generated (first draft)', String(stats.generated), share(stats.generated)],
      ['generated (after regenerating)', String(stats.regenerated), share(stats.regenerated)],
      ['fell back to extractive', String(fellBack), share(fellBack)],
      ...fallbacks.map(([reason, count]) => [`  ${reason}`, String(count ?? 0), share(count ?? 0)]),
    ]),
    `tokens used today: ${stats.tokensToday}`,
  ].join('\n');
}

/** Why an item is not fully correct, one phrase per failed check; retrieval misses are noted too. */
export function failureReasons(item: ItemResult): string[] {
  if (item.error !== undefined) return [`error: ${item.error}`];
  const reasons: string[] = [];
  if (!item.outcomeCorrect) reasons.push(`outcome: expected ${item.expected}, got ${item.actual ?? 'nothing'}`);
  if (item.citationCorrect === false) reasons.push(`citation: no cited chunk contains a passage (${citedClauses(item)})`);
  if (item.factsCorrect === false) reasons.push(`facts missing: ${item.missingFacts.map((list) => list.join(' | ')).join('; ')}`);
  if (item.hitAt5 === false) reasons.push('retrieval: no passage in the top 5');
  return reasons;
}

function citedClauses(item: ItemResult): string {
  if (item.citations.length === 0) return 'cited nothing';
  return `cited ${item.citations.map(({ doc, locator }) => `${doc} ${locator}`).join(', ')}`;
}

function failureSection(items: readonly ItemResult[], maxFailures: number, questionWidth: number): string {
  const failed = items.filter((item) => !item.fullyCorrect);
  if (failed.length === 0) return 'No failed items.';
  const shown = failed.slice(0, Math.max(0, maxFailures));
  const heading = `Failed items (${shown.length} of ${failed.length} shown)`;
  const lines = shown.flatMap((item) => [
    `  ${item.id}  ${truncate(item.question, questionWidth)}`,
    ...failureReasons(item).map((reason) => `      - ${reason}`),
  ]);
  return [heading, ...lines].join('\n');
}
