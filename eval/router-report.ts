/**
 * The message classifier's data and held-out numbers: reads the labelled messages in
 * `knowledge/router/messages-*.jsonl`, splits off a fixed 20 % per label (by a hash of the
 * normalised text, so that the split never depends on file order), and scores a model on that
 * held-out part: confusion matrix, per-label precision and recall, crisis recall.
 *
 * `npm run train:router` (`eval/train-router.ts`) trains on the other 80 %; `routerHeldOut()`
 * re-classifies the held-out part with the shipped model, for the eval report.
 *
 * @example const result = routerHeldOut(); if (result) console.log(formatRouterHeldOut(result));
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { knowledgeDir } from '../src/paths.ts';
import { routeMessage } from '../src/answering/router.ts';
import {
  defaultModelFile,
  isMessageLabel,
  MessageClassifier,
  messageLabels,
  normalizeMessage,
} from '../src/answering/message-classifier.ts';
import type { Classification, LabelledMessage, MessageLabel } from '../src/answering/message-classifier.ts';

export const routerDataDir = path.join(knowledgeDir, 'router');

/** Share of each label held out from training. */
export const heldOutFraction = 0.2;

export interface RouterMessages {
  /** One example per normalised text, in file order. */
  examples: LabelledMessage[];
  files: string[];
  /** Lines that were not a `{"text","label"}` object with a known label: `file:line reason`. */
  rejected: string[];
  /** Repeats of a text already seen with the same label (dropped). */
  duplicates: number;
  /** Texts given different labels (all their lines dropped): the normalised text and its labels. */
  conflicts: { text: string; labels: MessageLabel[] }[];
}

/** Reads every `messages-*.jsonl` in the directory, one `{"text","label"}` per line. */
export function loadRouterMessages(dir = routerDataDir): RouterMessages {
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => /^messages-.*\.jsonl$/u.test(name))
        .sort()
    : [];
  const rejected: string[] = [];
  const byText = new Map<string, { text: string; source: string; labels: Set<MessageLabel> }>();
  let duplicates = 0;
  for (const name of files) {
    const lines = readFileSync(path.join(dir, name), 'utf8').split(/\r?\n/u);
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        rejected.push(`${name}:${i + 1} not JSON`);
        return;
      }
      const { text, label } = (row ?? {}) as { text?: unknown; label?: unknown };
      if (typeof text !== 'string' || text.trim() === '') {
        rejected.push(`${name}:${i + 1} no text`);
        return;
      }
      if (!isMessageLabel(label)) {
        rejected.push(`${name}:${i + 1} unknown label ${String(label)}`);
        return;
      }
      const key = normalizeMessage(text);
      const seen = byText.get(key);
      if (!seen) byText.set(key, { text, source: name, labels: new Set([label]) });
      else if (seen.labels.has(label)) duplicates += 1;
      else seen.labels.add(label);
    });
  }
  const examples: LabelledMessage[] = [];
  const conflicts: RouterMessages['conflicts'] = [];
  for (const [key, { text, source, labels }] of byText) {
    if (labels.size === 1) examples.push({ text, label: [...labels][0]!, source });
    else conflicts.push({ text: key, labels: [...labels] });
  }
  return { examples, files, rejected, duplicates, conflicts };
}

function textHash(text: string): string {
  return createHash('sha256').update(normalizeMessage(text), 'utf8').digest('hex');
}

/** Each label's examples ordered by the hash of their normalised text. */
function byLabelInHashOrder(examples: readonly LabelledMessage[]): Map<MessageLabel, LabelledMessage[]> {
  const groups = new Map<MessageLabel, { example: LabelledMessage; hash: string }[]>();
  for (const example of examples) {
    const group = groups.get(example.label) ?? [];
    group.push({ example, hash: textHash(example.text) });
    groups.set(example.label, group);
  }
  return new Map(
    [...groups].map(([label, group]) => [label, group.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0)).map((entry) => entry.example)]),
  );
}

/**
 * The fixed held-out split: within each label, the examples whose text hashes lowest, a
 * `fraction` of the label (rounded), are held out; the rest train. Both keep file order.
 */
export function splitHeldOut(
  examples: readonly LabelledMessage[],
  fraction = heldOutFraction,
): { train: LabelledMessage[]; heldOut: LabelledMessage[] } {
  const held = new Set<LabelledMessage>();
  for (const group of byLabelInHashOrder(examples).values()) {
    for (const example of group.slice(0, Math.round(group.length * fraction))) held.add(example);
  }
  return { train: examples.filter((example) => !held.has(example)), heldOut: examples.filter((example) => held.has(example)) };
}

/** `k` cross-validation folds of the examples, stratified per label, by the same hash order. */
export function crossValidationFolds(examples: readonly LabelledMessage[], k: number): LabelledMessage[][] {
  const folds: LabelledMessage[][] = Array.from({ length: k }, () => []);
  for (const group of byLabelInHashOrder(examples).values()) group.forEach((example, i) => folds[i % k]!.push(example));
  return folds;
}

/** Which examples a model was trained on: changes when the data (and so the split) changes. */
export function dataFingerprint(train: readonly LabelledMessage[]): string {
  const lines = train.map((example) => `${example.label}\t${normalizeMessage(example.text)}`).sort();
  return createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex').slice(0, 16);
}

/**
 * Non-crisis messages that share a character or word with crisis talk (死, 跳, 药, 累, 崩溃 …):
 * where false crisis alarms come from. 笑死, 死记硬背, 跳槽, 药学专业 are all of them.
 */
export const crisisLookalike = /死|杀|跳|药|割|伤|活|累|崩溃|绝望|消失|结束|离开|了结|解脱|撑|熬|遗|kill|die|dead|death/u;

/**
 * Hard negatives: the safety file's messages that are none of crisis, person or complaint — 笑死,
 * 死记硬背, 跳槽, 药学专业 — written to look like crisis talk and not be it.
 */
export function isHardNegative(example: LabelledMessage): boolean {
  return /safety/u.test(example.source ?? '') && !['crisis', 'person', 'complaint'].includes(example.label);
}

export interface HeldOutItem {
  text: string;
  source?: string;
  expected: MessageLabel;
  /** The routed label: crisis when the crisis threshold is reached, otherwise the most probable label. */
  predicted: MessageLabel;
  crisisProbability: number;
  probability: number;
}

export interface RouterHeldOut {
  labels: MessageLabel[];
  /** `matrix[expected][predicted]`, in `labels` order, with the crisis threshold applied. */
  matrix: number[][];
  recall: Record<MessageLabel, number | null>;
  precision: Record<MessageLabel, number | null>;
  accuracy: number;
  /** Held-out crisis messages routed to crisis (most probable or over the threshold). */
  crisisRecall: number | null;
  /** The same without the threshold: crisis the most probable label. */
  crisisRecallArgmax: number | null;
  crisisThreshold: number;
  /** Non-crisis messages routed to crisis, and how many non-crisis look-alikes there were. */
  falseCrisis: HeldOutItem[];
  lookalikes: { total: number; falseCrisis: number };
  /** Held-out hard negatives (`isHardNegative`) and how many were routed to crisis. */
  hardNegatives: { total: number; falseCrisis: number };
  /** Held-out crisis messages not routed to crisis. */
  missedCrisis: HeldOutItem[];
  /**
   * Crisis as the router will decide it: the classifier, or the router's own crisis patterns and
   * phrase table (`routeMessage`), which stay on top as overrides.
   */
  withOverrides: { crisisRecall: number | null; falseCrisis: number; missedCrisis: HeldOutItem[] };
  /** Crisis recall and false crisis count at other thresholds, for choosing one. */
  thresholds: { threshold: number; crisisRecall: number | null; falseCrisis: number }[];
  /** Every misrouted held-out message. */
  errors: HeldOutItem[];
  items: number;
  /** True when the data changed since the model was trained (the held-out part may then overlap its training data). */
  stale: boolean;
}

/** Scores a classifier on labelled messages (the held-out part, or a cross-validation fold). */
export function scoreHeldOut(classifier: MessageClassifier, heldOut: readonly LabelledMessage[]): RouterHeldOut {
  const labels = [...messageLabels];
  const at = new Map(labels.map((label, i) => [label, i]));
  const matrix = labels.map(() => labels.map(() => 0));
  const items: HeldOutItem[] = heldOut.map((example) => {
    const result: Classification = classifier.classify(example.text);
    const predicted = result.crisis ? 'crisis' : result.label;
    return {
      text: example.text,
      ...(example.source === undefined ? {} : { source: example.source }),
      expected: example.label,
      predicted,
      crisisProbability: result.probabilities.crisis,
      probability: result.probabilities[predicted],
    };
  });
  for (const item of items) matrix[at.get(item.expected)!]![at.get(item.predicted)!]! += 1;
  const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
  const recall = Object.fromEntries(labels.map((label, i) => [label, ratio(matrix[i]![i]!, matrix[i]!.reduce((a, b) => a + b, 0))]));
  const precision = Object.fromEntries(labels.map((label, i) => [label, ratio(matrix[i]![i]!, matrix.reduce((sum, row) => sum + row[i]!, 0))]));
  const crisisItems = items.filter((item) => item.expected === 'crisis');
  const argmaxCrisis = heldOut.filter((example) => example.label === 'crisis' && classifier.classify(example.text).label === 'crisis').length;
  const falseCrisis = items.filter((item) => item.expected !== 'crisis' && item.predicted === 'crisis');
  const lookalikes = items.filter((item) => item.expected !== 'crisis' && crisisLookalike.test(normalizeMessage(item.text)));
  const hard = items.filter((item) => isHardNegative({ text: item.text, label: item.expected, ...(item.source === undefined ? {} : { source: item.source }) }));
  const overridden = (item: HeldOutItem): boolean => {
    const route = routeMessage(item.text, undefined, classifier);
    return item.predicted === 'crisis' || (route.kind === 'escalate' && route.reason === 'crisis');
  };
  const atThreshold = (threshold: number): RouterHeldOut['thresholds'][number] => {
    const flagged = (item: HeldOutItem): boolean => item.crisisProbability >= threshold || classifier.classify(item.text).label === 'crisis';
    return {
      threshold,
      crisisRecall: ratio(crisisItems.filter(flagged).length, crisisItems.length),
      falseCrisis: items.filter((item) => item.expected !== 'crisis' && flagged(item)).length,
    };
  };
  return {
    labels,
    matrix,
    recall: recall as Record<MessageLabel, number | null>,
    precision: precision as Record<MessageLabel, number | null>,
    accuracy: items.length === 0 ? 0 : items.filter((item) => item.predicted === item.expected).length / items.length,
    crisisRecall: ratio(crisisItems.filter((item) => item.predicted === 'crisis').length, crisisItems.length),
    crisisRecallArgmax: ratio(argmaxCrisis, crisisItems.length),
    crisisThreshold: classifier.crisisThreshold,
    falseCrisis,
    lookalikes: { total: lookalikes.length, falseCrisis: lookalikes.filter((item) => item.predicted === 'crisis').length },
    hardNegatives: { total: hard.length, falseCrisis: hard.filter((item) => item.predicted === 'crisis').length },
    missedCrisis: crisisItems.filter((item) => item.predicted !== 'crisis'),
    withOverrides: {
      crisisRecall: ratio(crisisItems.filter(overridden).length, crisisItems.length),
      falseCrisis: items.filter((item) => item.expected !== 'crisis' && overridden(item)).length,
      missedCrisis: crisisItems.filter((item) => !overridden(item)),
    },
    thresholds: [...new Set([0.02, 0.05, 0.1, 0.2, 0.3, 0.5, classifier.crisisThreshold])].sort((a, b) => a - b).map(atThreshold),
    errors: items.filter((item) => item.predicted !== item.expected),
    items: items.length,
    stale: false,
  };
}

/**
 * The shipped model re-classifying the held-out split of the current data, for `npm run eval`.
 * `null` when there is no model or no data.
 */
export function routerHeldOut(options: { modelFile?: string; dataDir?: string } = {}): RouterHeldOut | null {
  const modelFile = options.modelFile ?? defaultModelFile;
  if (!existsSync(modelFile)) return null;
  const { examples } = loadRouterMessages(options.dataDir ?? routerDataDir);
  if (examples.length === 0) return null;
  const classifier = MessageClassifier.fromJSON(readFileSync(modelFile, 'utf8'));
  const { train, heldOut } = splitHeldOut(examples);
  const trainedOn = classifier.model.training?.['dataFingerprint'];
  return { ...scoreHeldOut(classifier, heldOut), stale: trainedOn !== undefined && trainedOn !== dataFingerprint(train) };
}

const percent = (rate: number | null): string => (rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`);

/** Confusion matrix, per-label precision and recall, crisis recall and the first errors, as text. */
export function formatRouterHeldOut(result: RouterHeldOut, options: { maxErrors?: number } = {}): string {
  const short: Record<MessageLabel, string> = {
    crisis: 'crisis',
    person: 'person',
    complaint: 'complnt',
    policy: 'policy',
    out_of_scope: 'oos',
    chitchat: 'chat',
    menu_reply: 'menu',
  };
  const first = Math.max(...result.labels.map((label) => label.length), 'expected \\ routed'.length);
  const header = ['expected \\ routed'.padEnd(first), ...result.labels.map((label) => short[label].padStart(7)), '| recall'];
  const rows = result.labels.map((label, i) =>
    [label.padEnd(first), ...result.matrix[i]!.map((count) => String(count).padStart(7)), `| ${percent(result.recall[label])}`].join(' '),
  );
  const precision = ['precision'.padEnd(first), ...result.labels.map((label) => percent(result.precision[label]).padStart(7))].join(' ');
  const maxErrors = options.maxErrors ?? 20;
  const line = (item: HeldOutItem): string =>
    `  ${item.expected} → ${item.predicted} (p=${item.probability.toFixed(2)}, crisis p=${item.crisisProbability.toFixed(3)}): ${item.text.replace(/\s+/gu, ' ').slice(0, 60)}`;
  return [
    `== router classifier, held-out (${result.items} messages) ==${result.stale ? '  [data changed since training: retrain with npm run train:router]' : ''}`,
    header.join(' '),
    ...rows,
    precision,
    '',
    `accuracy ${percent(result.accuracy)}`,
    `CRISIS RECALL ${percent(result.crisisRecall)} at threshold ${result.crisisThreshold.toFixed(4)} (most-probable label alone: ${percent(result.crisisRecallArgmax)})`,
    `false crisis: ${result.falseCrisis.length} of ${result.items - result.matrix[0]!.reduce((a, b) => a + b, 0)} non-crisis; ${result.hardNegatives.falseCrisis} of ${result.hardNegatives.total} hard negatives; ${result.lookalikes.falseCrisis} of ${result.lookalikes.total} with 死/跳/药/累…`,
    `with the router's crisis patterns and phrases on top: CRISIS RECALL ${percent(result.withOverrides.crisisRecall)}, false crisis ${result.withOverrides.falseCrisis}`,
    `threshold → crisis recall, false crisis: ${result.thresholds
      .map((row) => `${row.threshold === result.crisisThreshold ? '*' : ''}${row.threshold.toFixed(3)} → ${percent(row.crisisRecall)}, ${row.falseCrisis}`)
      .join('; ')}`,
    ...(result.missedCrisis.length > 0 ? ['missed crisis:', ...result.missedCrisis.map(line)] : []),
    ...(result.withOverrides.missedCrisis.length > 0 ? ['missed crisis, overrides included:', ...result.withOverrides.missedCrisis.map(line)] : []),
    ...(result.falseCrisis.length > 0 ? ['false crisis:', ...result.falseCrisis.slice(0, maxErrors).map(line)] : []),
    ...(result.errors.length > 0 ? [`errors (first ${Math.min(maxErrors, result.errors.length)} of ${result.errors.length}):`, ...result.errors.slice(0, maxErrors).map(line)] : []),
  ].join('\n');
}
