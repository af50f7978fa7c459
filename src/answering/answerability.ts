import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { knowledgeDir } from '../paths.ts';
import { audienceMisses, schoolTypesIn, type HybridSearch, type RankedClause } from '../retrieval/hybrid-search.ts';
import type { AnalyzedQuery } from '../retrieval/query.ts';
import type { LeadSentence } from './lead-sentence.ts';
import type { QuestionType } from './question-type.ts';
import { holdsAnswerType } from '../retrieval/answer-types.ts';

/**
 * The evidence that an answer is right, as numbers a model weighs. None of them names a document
 * or a word of the shipped corpus, so the weights serve documents a school adds later as well.
 */
export const featureNames = [
  /** Share of the question's weight the best clause holds. */
  'coverage',
  /** Share of the question's weight the lead sentence holds. */
  'leadCoverage',
  /** The lead sentence has the shape of answer asked for (a number for 几, a rule for 能不能). */
  'leadFits',
  /** The question's words say what kind of answer they want (not `open`). */
  'typed',
  /** How far the best clause is ahead of the second, after re-ranking (0–1). */
  'margin',
  /** The lexical list ranks the best clause first. */
  'lexicalFirst',
  /** The dense list ranks it among its first three. */
  'denseTop3',
  /** The best clause's BM25 score next to the most the question's words could score (0–1). */
  'lexicalStrength',
  /** Share of the question's weight in words the knowledge base never uses. */
  'unknownShare',
  /** The weightiest concept the best clause lacks, next to the question's weightiest (0–1). */
  'missingWeight',
  /** The question names a kind of school the document's audience does not include. */
  'schoolMismatch',
  /** The document is a draft. */
  'draft',
  /** How many things the question asks about (concepts, up to 6, scaled to 0–1). */
  'concepts',
  /** The message classifier's probability that the message is out of scope or chit-chat. */
  'offTopic',
  /** Another clause holds as much of the question as the best one: which of them answers is a guess. */
  'coverageTied',
  /** The question's words ask for a kind of answer (几, 能不能, 谁) and the lead does not have its shape. */
  'leadUnfit',
  /** The question asks for a kind of answer the retriever checks and the lead sentence holds none. */
  'leadLacksAnswerType',
  /** No other clause holds enough of the question to be offered beside the best one: it is the only candidate. */
  'soleCandidate',
] as const;

export type FeatureName = (typeof featureNames)[number];

/** The evidence behind one answer, by feature name. */
export type AnswerFeatures = Record<FeatureName, number>;

/** Computes the features of answering `query` with `best` (and its `lead` sentence). */
export function answerFeatures(input: {
  query: AnalyzedQuery;
  type: QuestionType;
  results: readonly RankedClause[];
  best: RankedClause;
  lead: LeadSentence | null;
  search: HybridSearch;
  /** The router's probability that the message is off topic (out of scope or chit-chat). */
  offTopic?: number;
  /** The share of the question a clause must hold to be offered as a candidate (the answerer's confidence floor). */
  candidateFloor?: number;
}): AnswerFeatures {
  const { query, type, results, best, lead, search } = input;
  const second = results.find((candidate) => candidate.clause.id !== best.clause.id);
  return {
    coverage: best.coverage,
    leadCoverage: lead ? search.textCoverage(query, lead.judged) : 0,
    leadFits: lead?.fits ? 1 : 0,
    typed: type === 'open' ? 0 : 1,
    margin: second && best.score > 0 ? Math.max(0, Math.min(1, (best.score - second.score) / best.score)) : 1,
    lexicalFirst: best.lexicalRank === 1 ? 1 : 0,
    denseTop3: best.denseRank !== null && best.denseRank <= 3 ? 1 : 0,
    lexicalStrength: search.lexicalStrength(query, best),
    unknownShare: search.unknownShare(query),
    missingWeight: search.missingWeight(query, best),
    schoolMismatch: audienceMisses(schoolTypesIn(query.searchText), best.document.audience) ? 1 : 0,
    draft: best.document.status === 'draft' ? 1 : 0,
    concepts: Math.min(6, query.concepts.length) / 6,
    offTopic: input.offTopic ?? 0,
    coverageTied: coverageMargin(best, results) <= 0 ? 1 : 0,
    leadUnfit: type !== 'open' && !lead?.fits ? 1 : 0,
    leadLacksAnswerType: query.answerType !== null && !(lead && holdsAnswerType(query.answerType, lead.text)) ? 1 : 0,
    soleCandidate: results.some((candidate) => wholeClauseOf(candidate) !== wholeClauseOf(best) && candidate.coverage >= (input.candidateFloor ?? 0)) ? 0 : 1,
  };
}

/** The clause a split part belongs to (its parts share headings and variants, so they are one candidate here). */
const wholeClauseOf = (ranked: RankedClause): string => `${ranked.clause.docId}#${ranked.clause.ordinal - ranked.clause.part}`;

/** The best clause's coverage less the highest coverage of another clause found (−1–1; its coverage when none). */
export function coverageMargin(best: RankedClause, results: readonly RankedClause[]): number {
  const others = results.filter((candidate) => wholeClauseOf(candidate) !== wholeClauseOf(best));
  return best.coverage - Math.max(0, ...others.map((candidate) => candidate.coverage));
}

/**
 * A trained answerability model: logistic regression over some of `featureNames` (in its own
 * order), and its operating points.
 */
export interface AnswerabilityModelJson {
  features: readonly string[];
  weights: number[];
  bias: number;
  /** Answer when the probability of a right answer is at least this. */
  answerAt: number;
  /** Between `clarifyAt` and `answerAt`: ask back with the best candidate clauses; below: abstain. */
  clarifyAt: number;
  trainedOn?: Record<string, unknown>;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

const isFeatureName = (name: string): name is FeatureName => (featureNames as readonly string[]).includes(name);

/**
 * How likely an extractive answer is right, from its features, and what to do about it.
 *
 * @example model.decide(model.probability(features)) // 'answer' | 'clarify' | 'abstain'
 */
export class AnswerabilityModel {
  readonly #features: FeatureName[];

  constructor(readonly json: AnswerabilityModelJson) {
    const unknown = json.features.filter((name) => !isFeatureName(name));
    if (unknown.length > 0) throw new Error(`answerability model: this code computes no feature ${unknown.join(', ')}; retrain it`);
    if (json.weights.length !== json.features.length) throw new Error('answerability model: one weight per feature');
    this.#features = json.features.filter(isFeatureName);
  }

  probability(features: AnswerFeatures): number {
    let z = this.json.bias;
    this.#features.forEach((name, index) => {
      z += this.json.weights[index]! * features[name];
    });
    return sigmoid(z);
  }

  decide(probability: number): 'answer' | 'clarify' | 'abstain' {
    if (probability >= this.json.answerAt) return 'answer';
    return probability >= this.json.clarifyAt ? 'clarify' : 'abstain';
  }
}

export const answerabilityModelFile = path.join(knowledgeDir, 'models', 'answerability.json');

/**
 * The shipped model, or null when there is none or it weighs a feature this code does not compute
 * (then every answer that passes the confidence floor is given).
 */
export function loadAnswerabilityModel(file = answerabilityModelFile): AnswerabilityModel | null {
  if (!existsSync(file)) return null;
  const json = JSON.parse(readFileSync(file, 'utf8')) as AnswerabilityModelJson;
  // a model trained on other features is not used (`npm run train:answerability` makes a new one)
  return json.features.every(isFeatureName) && json.weights.length === json.features.length ? new AnswerabilityModel(json) : null;
}

/**
 * Fits logistic regression with L2 by full-batch gradient descent: a dozen dense features and a
 * few hundred examples need nothing bigger (and every step is deterministic).
 */
export function fitLogistic(
  examples: readonly { x: number[]; y: 0 | 1 }[],
  options: { l2?: number; rate?: number; epochs?: number } = {},
): { weights: number[]; bias: number } {
  const { l2 = 0.01, rate = 0.5, epochs = 4000 } = options;
  const width = examples[0]?.x.length ?? 0;
  const weights = new Array<number>(width).fill(0);
  let bias = 0;
  for (let epoch = 0; epoch < epochs; epoch += 1) {
    const gradient = new Array<number>(width).fill(0);
    let gradientBias = 0;
    for (const { x, y } of examples) {
      let z = bias;
      for (let index = 0; index < width; index += 1) z += weights[index]! * x[index]!;
      const error = sigmoid(z) - y;
      for (let index = 0; index < width; index += 1) gradient[index]! += error * x[index]!;
      gradientBias += error;
    }
    for (let index = 0; index < width; index += 1) {
      weights[index]! -= rate * (gradient[index]! / examples.length + l2 * weights[index]!);
    }
    bias -= rate * (gradientBias / examples.length);
  }
  return { weights, bias };
}

/** The features in the order of `names` (every feature by default). */
export function featureVector(features: AnswerFeatures, names: readonly FeatureName[] = featureNames): number[] {
  return names.map((name) => features[name]);
}
