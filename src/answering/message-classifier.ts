/**
 * The trained message classifier behind routing: which of seven kinds a student's message is
 * (crisis, asking for a person, a complaint, a policy question, something out of scope, small
 * talk, or a reply to a menu the bot showed). The phrase table and the router's regular
 * expressions stay on top of it as overrides; this is the signal underneath.
 *
 * Features: the message is normalised (NFKC, which folds full-width forms; lower case;
 * traditional → simplified with OpenCC's `t → cn` converter from `opencc-js`), then described by
 * Han character 1–3-grams, jieba words (the retrieval tokenizer, with the domain dictionary),
 * Latin words and their 3–5-character n-grams, numbers, punctuation and emoji, a length bucket,
 * and the whole message when it is short. Each feature counts once; the vector is scaled to unit
 * length.
 *
 * Model: multinomial logistic regression (softmax) over those sparse features, trained with
 * AdaGrad and L2 regularisation, a few epochs, in an order fixed by a seeded shuffle, so that the
 * same examples always give the same model. No maintained npm package fits: ml-logistic-regression
 * is dense and one-vs-rest (a 7 × 100k-feature dense matrix per step), @kobra-dev/js-regression
 * is dense too, and the rest are naive Bayes or TensorFlow; the implementation here is small and
 * covered by `message-classifier.test.ts`.
 *
 * A model is plain JSON (`knowledge/router/model.json`, written by `npm run train:router`):
 * its labels, feature settings, bias, per-feature weights rounded to 4 decimals, the crisis
 * threshold and the training and held-out numbers.
 *
 * @example loadMessageClassifier()?.classify('我真的撑不住了') // { label: 'crisis', crisis: true, probabilities: {…} }
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { knowledgeDir } from '../paths.ts';
import { loadLexicon } from '../retrieval/lexicon.ts';
import { toSimplified } from '../retrieval/simplified.ts';
import { Tokenizer } from '../retrieval/tokenizer.ts';
import { seededRandom } from '../seeded-random.ts';

/** What a message can be, in a fixed order (the order of a model's weight columns). */
export const messageLabels = ['crisis', 'person', 'complaint', 'policy', 'out_of_scope', 'chitchat', 'menu_reply'] as const;
export type MessageLabel = (typeof messageLabels)[number];

export function isMessageLabel(value: unknown): value is MessageLabel {
  return typeof value === 'string' && (messageLabels as readonly string[]).includes(value);
}

export interface LabelledMessage {
  text: string;
  label: MessageLabel;
  /** The file the example came from, for reports. */
  source?: string;
}

export interface Classification {
  /** The most probable label. */
  label: MessageLabel;
  /**
   * Whether the message should be treated as a crisis: the most probable label is crisis, or the
   * crisis probability reaches the model's `crisisThreshold` although another label wins.
   */
  crisis: boolean;
  probabilities: Record<MessageLabel, number>;
}

// ── Features ─────────────────────────────────────────────────────────────────

/** How a model turns text into features; stored in the model, so that it is read the same way. */
export interface FeatureSettings {
  /** Han character n-gram lengths, inclusive. */
  hanNgrams: [number, number];
  /** Pairs of Han characters one apart (想_死 from 想去死), which bridge a filler character. */
  skipBigrams?: boolean;
  /** Latin word character n-gram lengths (over `<word>`, with edge marks), inclusive. */
  latinNgrams: [number, number];
  /** jieba words (exact mode, the retrieval tokenizer with `knowledge/lexicon/dictionary.txt`). */
  jiebaWords: boolean;
  /** Messages of at most this many characters (punctuation and spaces removed) are a feature whole; 0 for none. */
  wholeMessageMax: number;
  /**
   * Each feature's value: `unit` 1/√(feature count), the vector scaled to unit length; `binary` 1,
   * so that one strong phrase counts as much in a long message as in a short one (it did not
   * separate crisis better on this data).
   */
  scaling: 'binary' | 'unit';
}

export const defaultFeatureSettings: FeatureSettings = {
  hanNgrams: [1, 3],
  latinNgrams: [3, 5],
  jiebaWords: true,
  wholeMessageMax: 6,
  scaling: 'unit',
};

/**
 * One form for the ways a message can be typed: NFKC (full-width letters, digits and punctuation
 * become half-width), lower case, traditional characters simplified, spaces between Han
 * characters removed (转 人 工 is emphasis, not three words), other white space one space.
 *
 * @example normalizeMessage('我覺得ＯＫ　轉 人 工') // '我觉得ok 转人工'
 */
export function normalizeMessage(text: string): string {
  return toSimplified(text.normalize('NFKC').toLowerCase())
    .replace(/(?<=\p{Script=Han})\s+(?=\p{Script=Han})/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

const hanRuns = /\p{Script=Han}+/gu;
const latinWords = /[a-z]+(?:'[a-z]+)?/gu;
const numbers = /\p{Nd}+/gu;
const hanWord = /\p{Script=Han}/u;
const signs = /[^\p{L}\p{N}\p{M}\s]/gu;

/** 1, 2, 3–4, 5–8, …: message length in characters, as a coarse feature. */
function lengthBucket(length: number): string {
  if (length <= 2) return String(length);
  let upper = 4;
  while (upper < length && upper < 256) upper *= 2;
  return length > 256 ? '>256' : `≤${upper}`;
}

/**
 * Turns a message into its feature names (each once). Prefixes keep the kinds apart:
 * `h:` Han n-gram, `j:` jieba word, `w:` Latin word, `l:` Latin n-gram, `n:` number,
 * `p:` punctuation or emoji, `len:` length bucket, `m:` the whole short message, `shape:` only digits/Latin.
 */
export class FeatureExtractor {
  readonly settings: FeatureSettings;
  #tokenizer: Tokenizer | undefined;

  constructor(settings: FeatureSettings = defaultFeatureSettings, tokenizer?: Tokenizer) {
    this.settings = settings;
    this.#tokenizer = tokenizer;
  }

  /** The value each of a message's features takes, from how many it has. */
  valueFor(featureCount: number): number {
    if (featureCount === 0) return 0;
    return this.settings.scaling === 'unit' ? 1 / Math.sqrt(featureCount) : 1;
  }

  features(text: string): string[] {
    const normalized = normalizeMessage(text);
    const out = new Set<string>();
    const [hanMin, hanMax] = this.settings.hanNgrams;
    for (const run of normalized.match(hanRuns) ?? []) {
      const chars = [...run];
      for (let n = hanMin; n <= hanMax; n += 1) {
        for (let i = 0; i + n <= chars.length; i += 1) out.add(`h:${chars.slice(i, i + n).join('')}`);
      }
      if (this.settings.skipBigrams) for (let i = 0; i + 2 < chars.length; i += 1) out.add(`s:${chars[i]}_${chars[i + 2]}`);
    }
    if (this.settings.jiebaWords) {
      this.#tokenizer ??= new Tokenizer(loadLexicon());
      for (const token of this.#tokenizer.tokens(normalized)) {
        // Single characters are already Han 1-grams; only words of two or more add anything.
        if (hanWord.test(token) && [...token].length > 1) out.add(`j:${token}`);
      }
    }
    const [latinMin, latinMax] = this.settings.latinNgrams;
    for (const word of normalized.match(latinWords) ?? []) {
      out.add(`w:${word}`);
      const marked = [...`<${word}>`];
      for (let n = latinMin; n <= latinMax; n += 1) {
        for (let i = 0; i + n <= marked.length; i += 1) {
          const gram = marked.slice(i, i + n).join('');
          if (gram !== `<${word}>`) out.add(`l:${gram}`);
        }
      }
    }
    for (const number of normalized.match(numbers) ?? []) out.add(`n:${number.length <= 2 ? number : `#${Math.min(number.length, 5)}`}`);
    for (const sign of normalized.match(signs) ?? []) out.add(`p:${sign}`);
    const bare = normalized.replace(signs, '').replace(/\s+/gu, '');
    const length = [...bare].length;
    out.add(`len:${lengthBucket(length)}`);
    if (length > 0 && length <= this.settings.wholeMessageMax) out.add(`m:${bare}`);
    if (length > 0 && /^\p{Nd}+$/u.test(bare)) out.add('shape:digits');
    else if (length > 0 && /^[a-z0-9']+$/u.test(bare)) out.add('shape:latin');
    return [...out];
  }
}

// ── Model ────────────────────────────────────────────────────────────────────

const modelSchema = z.object({
  format: z.literal('zhiyin-message-classifier'),
  version: z.literal(1),
  labels: z.array(z.string()).min(2),
  features: z.object({
    hanNgrams: z.tuple([z.number().int(), z.number().int()]),
    latinNgrams: z.tuple([z.number().int(), z.number().int()]),
    skipBigrams: z.boolean().optional(),
    jiebaWords: z.boolean(),
    wholeMessageMax: z.number().int().nonnegative(),
    scaling: z.enum(['binary', 'unit']),
  }),
  crisisThreshold: z.number().min(0).max(1),
  bias: z.array(z.number()),
  // ~50,000 rows: checked by the loop in parseModel, which is several times faster than a zod array per row.
  weights: z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'weights must be an object'),
  training: z.record(z.string(), z.unknown()).optional(),
  heldOut: z.record(z.string(), z.unknown()).optional(),
});

/** The JSON a model is saved as. `training` and `heldOut` are notes for people and the eval. */
export interface MessageClassifierModel {
  format: 'zhiyin-message-classifier';
  version: 1;
  labels: MessageLabel[];
  features: FeatureSettings;
  /** Crisis probability at or above which a message counts as crisis whichever label wins. */
  crisisThreshold: number;
  bias: number[];
  /** Feature name → one weight per label, in `labels` order. */
  weights: Record<string, number[]>;
  training?: Record<string, unknown>;
  heldOut?: Record<string, unknown>;
}

/** Parses and checks a model's JSON (a string or an already parsed object). */
export function parseModel(json: unknown): MessageClassifierModel {
  const model = modelSchema.parse(typeof json === 'string' ? JSON.parse(json) : json);
  const unknown = model.labels.filter((label) => !isMessageLabel(label));
  if (unknown.length > 0) throw new Error(`message classifier: unknown labels ${unknown.join(', ')}`);
  if (!model.labels.includes('crisis')) throw new Error('message classifier: the model has no crisis label');
  const width = model.labels.length;
  if (model.bias.length !== width) throw new Error(`message classifier: bias has ${model.bias.length} values for ${width} labels`);
  for (const [feature, row] of Object.entries(model.weights)) {
    if (!Array.isArray(row) || row.length !== width) {
      throw new Error(`message classifier: feature ${feature} has ${Array.isArray(row) ? row.length : 'no'} weights for ${width} labels`);
    }
    for (const weight of row) {
      if (typeof weight !== 'number' || !Number.isFinite(weight)) throw new Error(`message classifier: feature ${feature} has a weight that is not a number`);
    }
  }
  return model as MessageClassifierModel;
}

function softmax(scores: Float64Array): Float64Array {
  let max = -Infinity;
  for (const score of scores) max = Math.max(max, score);
  let sum = 0;
  const out = new Float64Array(scores.length);
  for (let k = 0; k < scores.length; k += 1) {
    out[k] = Math.exp(scores[k]! - max);
    sum += out[k]!;
  }
  for (let k = 0; k < out.length; k += 1) out[k] = out[k]! / sum;
  return out;
}

export class MessageClassifier {
  readonly labels: readonly MessageLabel[];
  readonly crisisThreshold: number;
  readonly model: MessageClassifierModel;
  readonly #extractor: FeatureExtractor;
  readonly #weights: Map<string, Float64Array>;
  readonly #bias: Float64Array;
  readonly #crisis: number;

  private constructor(model: MessageClassifierModel, tokenizer?: Tokenizer) {
    this.model = model;
    this.labels = model.labels;
    this.crisisThreshold = model.crisisThreshold;
    this.#extractor = new FeatureExtractor(model.features, tokenizer);
    this.#weights = new Map(Object.entries(model.weights).map(([feature, row]) => [feature, Float64Array.from(row)]));
    this.#bias = Float64Array.from(model.bias);
    this.#crisis = model.labels.indexOf('crisis');
  }

  /** A classifier from a model's JSON (text or parsed); throws when the model is malformed. */
  static fromJSON(model: unknown, options: { tokenizer?: Tokenizer } = {}): MessageClassifier {
    return new MessageClassifier(parseModel(model), options.tokenizer);
  }

  toJSON(): MessageClassifierModel {
    return this.model;
  }

  classify(text: string): Classification {
    const features = this.#extractor.features(text);
    const scale = this.#extractor.valueFor(features.length);
    const scores = Float64Array.from(this.#bias);
    for (const feature of features) {
      const row = this.#weights.get(feature);
      if (!row) continue;
      for (let k = 0; k < scores.length; k += 1) scores[k] = scores[k]! + row[k]! * scale;
    }
    const p = softmax(scores);
    let best = 0;
    for (let k = 1; k < p.length; k += 1) if (p[k]! > p[best]!) best = k;
    const probabilities = Object.fromEntries(messageLabels.map((label) => [label, 0])) as Record<MessageLabel, number>;
    this.labels.forEach((label, k) => {
      probabilities[label] = p[k]!;
    });
    const label = this.labels[best]!;
    return { label, crisis: label === 'crisis' || p[this.#crisis]! >= this.crisisThreshold, probabilities };
  }
}

// ── Training ─────────────────────────────────────────────────────────────────

export interface TrainOptions {
  /** Passes over the data (default 12). */
  epochs?: number;
  /** AdaGrad step size (default 0.5). */
  learningRate?: number;
  /** L2 penalty, applied to a feature's weights each time an example holds it (default 1e-4). */
  l2?: number;
  /** Loss weight per label (default 1 each; crisis is usually weighted up). */
  classWeights?: Partial<Record<MessageLabel, number>>;
  /** Features seen in fewer training messages than this are not trained on, nor saved (default 2). */
  minCount?: number;
  /** Features seen in fewer training messages than this are left out of the saved model (default `minCount`). */
  saveMinCount?: number;
  /** Shuffle seed (default 1). */
  seed?: number;
  /** Stored as the model's `crisisThreshold` (default 0.5: crisis only when it is at least half). */
  crisisThreshold?: number;
  /** Weights whose magnitude all stay below this are dropped from the saved model (default 0.0005). */
  dropBelow?: number;
  features?: FeatureSettings;
  /** Shared tokenizer (tests and cross-validation reuse one instead of loading jieba again). */
  tokenizer?: Tokenizer;
}


function shuffled(count: number, random: () => number): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

const round4 = (value: number): number => Math.round(value * 10_000) / 10_000 + 0;

/**
 * Trains a model on labelled messages. The result is the model's JSON; the same examples and
 * options always give the same JSON.
 *
 * @example const model = trainClassifier(examples, { classWeights: { crisis: 3 } });
 */
export function trainClassifier(examples: readonly LabelledMessage[], options: TrainOptions = {}): MessageClassifierModel {
  const epochs = options.epochs ?? 12;
  const learningRate = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 1e-4;
  const minCount = options.minCount ?? 2;
  const saveMinCount = options.saveMinCount ?? minCount;
  const seed = options.seed ?? 1;
  const dropBelow = options.dropBelow ?? 0.0005;
  const settings = options.features ?? defaultFeatureSettings;
  const labels = [...messageLabels];
  const K = labels.length;
  const extractor = new FeatureExtractor(settings, options.tokenizer);

  const featureLists = examples.map((example) => extractor.features(example.text));
  const documentCount = new Map<string, number>();
  for (const list of featureLists) for (const feature of list) documentCount.set(feature, (documentCount.get(feature) ?? 0) + 1);
  // Sorted, so that the vocabulary (and every index after it) does not depend on Map order quirks.
  const vocabulary = [...documentCount].filter(([, count]) => count >= minCount).map(([feature]) => feature).sort();
  const index = new Map(vocabulary.map((feature, i) => [feature, i]));

  const rows = featureLists.map((list) => {
    const ids = Int32Array.from(list.map((feature) => index.get(feature) ?? -1).filter((id) => id >= 0));
    return { ids, value: extractor.valueFor(list.length) };
  });
  const targets = examples.map((example) => labels.indexOf(example.label));
  const weightOf = examples.map((example) => options.classWeights?.[example.label] ?? 1);

  const W = new Float64Array(vocabulary.length * K);
  const G = new Float64Array(vocabulary.length * K);
  const bias = new Float64Array(K);
  const biasG = new Float64Array(K);
  const random = seededRandom(seed);
  const scores = new Float64Array(K);
  const epsilon = 1e-8;

  for (let epoch = 0; epoch < epochs; epoch += 1) {
    for (const i of shuffled(examples.length, random)) {
      const { ids, value } = rows[i]!;
      for (let k = 0; k < K; k += 1) scores[k] = bias[k]!;
      for (let f = 0; f < ids.length; f += 1) {
        const base = ids[f]! * K;
        for (let k = 0; k < K; k += 1) scores[k] = scores[k]! + W[base + k]! * value;
      }
      const p = softmax(scores);
      const target = targets[i]!;
      const weight = weightOf[i]!;
      for (let k = 0; k < K; k += 1) {
        const g = (p[k]! - (k === target ? 1 : 0)) * weight;
        biasG[k] = biasG[k]! + g * g;
        bias[k] = bias[k]! - (learningRate * g) / (Math.sqrt(biasG[k]!) + epsilon);
      }
      // Lazy L2: a feature's weights shrink when a message holds it.
      for (let f = 0; f < ids.length; f += 1) {
        const base = ids[f]! * K;
        for (let k = 0; k < K; k += 1) {
          const at = base + k;
          const grad = (p[k]! - (k === target ? 1 : 0)) * weight * value + l2 * W[at]!;
          G[at] = G[at]! + grad * grad;
          W[at] = W[at]! - (learningRate * grad) / (Math.sqrt(G[at]!) + epsilon);
        }
      }
    }
  }

  const weights: Record<string, number[]> = {};
  vocabulary.forEach((feature, id) => {
    if (documentCount.get(feature)! < saveMinCount) return;
    const row = Array.from(W.subarray(id * K, id * K + K), round4);
    if (row.some((w) => Math.abs(w) >= dropBelow)) weights[feature] = row;
  });
  const perLabel = Object.fromEntries(labels.map((label) => [label, examples.filter((example) => example.label === label).length]));
  return {
    format: 'zhiyin-message-classifier',
    version: 1,
    labels,
    features: settings,
    crisisThreshold: options.crisisThreshold ?? 0.5,
    bias: Array.from(bias, round4),
    weights,
    training: {
      examples: examples.length,
      perLabel,
      epochs,
      learningRate,
      l2,
      minCount,
      saveMinCount,
      seed,
      classWeights: options.classWeights ?? {},
      vocabulary: vocabulary.length,
      keptFeatures: Object.keys(weights).length,
    },
  };
}

/**
 * The highest threshold that still catches `recall` of the given crisis messages, from each
 * one's crisis score (its crisis probability, or `Infinity` where crisis already wins outright).
 * Never above 0.5, where a crisis probability wins by itself anyway.
 *
 * @example thresholdForRecall([0.9, 0.4, 0.2, Infinity], 0.75) // 0.4
 */
export function thresholdForRecall(crisisScores: readonly number[], recall: number): number {
  if (crisisScores.length === 0) return 0.5;
  const sorted = [...crisisScores].sort((a, b) => a - b);
  const allowedMisses = Math.floor(sorted.length * (1 - recall) + 1e-9);
  return Math.min(0.5, sorted[allowedMisses]!);
}

// ── Loading ──────────────────────────────────────────────────────────────────

/** Where `npm run train:router` writes the shipped model. */
export const defaultModelFile = path.join(knowledgeDir, 'router', 'model.json');

const loaded = new Map<string, MessageClassifier | null>();

/**
 * The shipped classifier, read once per file. `null` when there is no model file, so that the
 * router falls back to its phrase table and patterns; a file that is there but malformed throws.
 */
export function loadMessageClassifier(file = defaultModelFile): MessageClassifier | null {
  const key = path.resolve(file);
  if (loaded.has(key)) return loaded.get(key)!;
  const classifier = existsSync(key) ? MessageClassifier.fromJSON(readFileSync(key, 'utf8')) : null;
  loaded.set(key, classifier);
  return classifier;
}
