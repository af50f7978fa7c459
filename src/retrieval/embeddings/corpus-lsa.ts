import { Embeddings } from '@langchain/core/embeddings';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { createHash } from 'node:crypto';
import type { Tokenizer } from '../tokenizer.ts';

type SparseVector = Map<number, number>;

export interface CorpusLsaOptions {
  tokenizer: Tokenizer;
  /** Dimensions kept (fewer when the corpus has fewer independent texts). */
  dimensions?: number;
  /** At most this many texts are used to fit; larger corpora are sampled evenly. */
  maxFitTexts?: number;
}

/**
 * The offline default embedding: latent semantic analysis fitted on the knowledge base itself.
 * Texts become TF-IDF vectors over jieba words and Han character bigrams; a truncated SVD
 * (through the eigen-decomposition of the texts' Gram matrix) maps them to a dense space where
 * related wording lands close even without shared words. No model download is needed.
 *
 * @example
 * const lsa = new CorpusLsaEmbeddings({ tokenizer });
 * lsa.fit(clauses.map((c) => c.text));
 * const vector = await lsa.embedQuery('实习押金');
 */
export class CorpusLsaEmbeddings extends Embeddings {
  readonly #tokenizer: Tokenizer;
  readonly #maxDimensions: number;
  readonly #maxFitTexts: number;
  #vocabulary = new Map<string, number>();
  #idf: number[] = [];
  #rows: SparseVector[] = [];
  /** k × n: row j is the j-th singular direction over the fitted texts, already divided by σ_j. */
  #projection: Float64Array[] = [];
  #fingerprint = '';

  constructor(options: CorpusLsaOptions) {
    super({});
    this.#tokenizer = options.tokenizer;
    this.#maxDimensions = options.dimensions ?? 128;
    this.#maxFitTexts = options.maxFitTexts ?? 2000;
  }

  /** A name that changes whenever the fitted space changes, for storing vectors per model. */
  get modelName(): string {
    return `corpus-lsa-${this.#fingerprint.slice(0, 12)}`;
  }

  get dimensions(): number {
    return this.#projection.length;
  }

  #features(text: string): string[] {
    return [...this.#tokenizer.words(text), ...this.#tokenizer.bigrams(text).map((pair) => `§${pair}`)];
  }

  #weigh(text: string, grow: boolean): SparseVector {
    const counts = new Map<number, number>();
    for (const feature of this.#features(text)) {
      let index = this.#vocabulary.get(feature);
      if (index === undefined) {
        if (!grow) continue;
        index = this.#vocabulary.size;
        this.#vocabulary.set(feature, index);
      }
      counts.set(index, (counts.get(index) ?? 0) + 1);
    }
    return counts;
  }

  #tfidf(counts: SparseVector): SparseVector {
    const vector: SparseVector = new Map();
    let norm = 0;
    for (const [index, count] of counts) {
      const value = (1 + Math.log(count)) * (this.#idf[index] ?? 0);
      if (value === 0) continue;
      vector.set(index, value);
      norm += value * value;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [index, value] of vector) vector.set(index, value / norm);
    return vector;
  }

  /** Fits the space on the given texts (the clause set); deterministic for the same texts. */
  fit(texts: readonly string[]): this {
    const step = Math.max(1, texts.length / this.#maxFitTexts);
    const sample: string[] = [];
    for (let i = 0; i < texts.length; i += step) sample.push(texts[Math.floor(i)]!);

    this.#vocabulary = new Map();
    const counts = sample.map((text) => this.#weigh(text, true));
    const documentFrequency = new Array<number>(this.#vocabulary.size).fill(0);
    for (const row of counts) for (const index of row.keys()) documentFrequency[index]! += 1;
    this.#idf = documentFrequency.map((df) => Math.log((1 + sample.length) / (1 + df)) + 1);
    this.#rows = counts.map((row) => this.#tfidf(row));

    const n = this.#rows.length;
    const gram = new Matrix(n, n);
    for (let i = 0; i < n; i += 1) {
      for (let j = i; j < n; j += 1) {
        const value = dot(this.#rows[i]!, this.#rows[j]!);
        gram.set(i, j, value);
        gram.set(j, i, value);
      }
    }
    const decomposition = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
    const eigenvalues = decomposition.realEigenvalues;
    const vectors = decomposition.eigenvectorMatrix;
    const order = eigenvalues
      .map((value, index) => ({ value, index }))
      .filter(({ value }) => value > 1e-9)
      .sort((x, y) => y.value - x.value)
      .slice(0, this.#maxDimensions);
    this.#projection = order.map(({ value, index }) => {
      const sigma = Math.sqrt(value);
      const column = Float64Array.from(vectors.getColumn(index));
      let largest = 0;
      for (const entry of column) if (Math.abs(entry) > Math.abs(largest)) largest = entry;
      const sign = largest < 0 ? -1 : 1;
      return column.map((entry) => (sign * entry) / sigma);
    });
    this.#fingerprint = createHash('sha256')
      .update(JSON.stringify([this.#maxDimensions, [...this.#vocabulary.keys()], this.#idf, sample]))
      .digest('hex');
    return this;
  }

  /** Embeds one text into the fitted space, unit length (all zeros when nothing is shared). */
  embed(text: string): number[] {
    if (this.#projection.length === 0) throw new Error('CorpusLsaEmbeddings: call fit() before embedding');
    const query = this.#tfidf(this.#weigh(text, false));
    const similarities = this.#rows.map((row) => dot(row, query));
    const vector = this.#projection.map((direction) => {
      let sum = 0;
      for (let i = 0; i < similarities.length; i += 1) sum += direction[i]! * similarities[i]!;
      return sum;
    });
    const norm = Math.hypot(...vector);
    return norm === 0 ? vector : vector.map((value) => value / norm);
  }

  override async embedDocuments(documents: string[]): Promise<number[][]> {
    return documents.map((document) => this.embed(document));
  }

  override async embedQuery(document: string): Promise<number[]> {
    return this.embed(document);
  }
}

function dot(x: SparseVector, y: SparseVector): number {
  const [small, large] = x.size <= y.size ? [x, y] : [y, x];
  let sum = 0;
  for (const [index, value] of small) {
    const other = large.get(index);
    if (other !== undefined) sum += value * other;
  }
  return sum;
}
