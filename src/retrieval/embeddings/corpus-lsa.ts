import { Embeddings } from '@langchain/core/embeddings';
import { createHash } from 'node:crypto';
import type { Tokenizer } from '../tokenizer.ts';
import { eigenpairs, eigenSolver, sparseRows, type Eigenpairs, type SparseRows } from './lsa-eigen.ts';

type SparseVector = Map<number, number>;

export interface CorpusLsaOptions {
  tokenizer: Tokenizer;
  /** Dimensions kept (fewer when the corpus has fewer independent texts). */
  dimensions?: number;
  /** At most this many texts are used to fit; larger corpora are sampled evenly. */
  maxFitTexts?: number;
}

const stateFormat = 1;

/**
 * The offline default embedding: latent semantic analysis fitted on the knowledge base itself.
 * Texts become TF-IDF vectors over jieba words and Han character bigrams; a truncated SVD
 * (through the eigen-decomposition of the texts' Gram matrix) maps them to a dense space where
 * related wording lands close even without shared words. No model download is needed.
 *
 * The fitted space can be stored ({@link toBytes}) and loaded ({@link fromBytes}) instead of
 * being fitted again; a text with words the fit never saw is embedded from the words it knows,
 * and {@link unknownShare} tells how much of a text set that leaves out.
 *
 * @example
 * const lsa = new CorpusLsaEmbeddings({ tokenizer });
 * lsa.fit(clauses.map((c) => c.text));
 * const vector = await lsa.embedQuery('实习押金');
 * const again = CorpusLsaEmbeddings.fromBytes(lsa.toBytes(), { tokenizer }); // the same space
 */
export class CorpusLsaEmbeddings extends Embeddings {
  readonly #tokenizer: Tokenizer;
  readonly #maxDimensions: number;
  readonly #maxFitTexts: number;
  #vocabulary = new Map<string, number>();
  #idf: Float64Array = new Float64Array(0);
  /** The fitted texts' TF-IDF rows, compressed (as stored). */
  #rows: SparseRows = sparseRows([]);
  /** k × n: row j is the j-th singular direction over the fitted texts, already divided by σ_j. */
  #projection: Float64Array[] = [];
  /** V × k, row-major: each vocabulary term's place in the fitted space (rows × projection). */
  #terms: Float64Array = new Float64Array(0);
  #fingerprint = '';
  #unknownShareAtFit = 0;
  /**
   * The known terms (vocabulary indices in text order, repeats kept) of texts measured for the
   * embedding that follows (`unknownShare(texts, { keep: true })`), so that `embed` does not
   * tokenise them again: each is dropped once embedded, all of them at the next fit.
   */
  #measured = new Map<string, Int32Array>();

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

  get tokenizer(): Tokenizer {
    return this.#tokenizer;
  }

  /** The dimensions asked for (`dimensions` of the options). */
  get maxDimensions(): number {
    return this.#maxDimensions;
  }

  get maxFitTexts(): number {
    return this.#maxFitTexts;
  }

  /** Whether the space has been fitted or loaded. */
  get fitted(): boolean {
    return this.#projection.length > 0;
  }

  /** The share of the fitted texts' word and bigram occurrences the vocabulary lacked (above 0 only when sampled). */
  get unknownShareAtFit(): number {
    return this.#unknownShareAtFit;
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
    const sample = this.#weighSample(texts);
    return this.#finishFit(eigenpairs(this.#rows, this.#maxDimensions), sample, sample.length === texts.length ? 0 : this.unknownShare(texts));
  }

  /**
   * {@link fit} with its eigen-decomposition in a worker thread when the sample is large (more
   * than 600 texts), so that a large fit does not hold up requests: the same space as `fit`.
   */
  async fitOffThread(texts: readonly string[]): Promise<this> {
    // The worker starts first: its start-up overlaps the weighing of the sample.
    const solver = eigenSolver(Math.min(texts.length, this.#maxFitTexts));
    const sample = this.#weighSample(texts);
    const decomposed = solver.solve(this.#rows, this.#maxDimensions);
    // While the worker computes, this thread measures what the sample's vocabulary misses, and
    // keeps each text's known terms for its embedding (the vocabulary is the sample's already).
    const unknownShare = sample.length === texts.length ? 0 : this.unknownShare(texts, { keep: true });
    return this.#finishFit(await decomposed, sample, unknownShare);
  }

  /** Samples the texts evenly, builds the vocabulary and idf from the sample, and its TF-IDF rows. */
  #weighSample(texts: readonly string[]): string[] {
    const step = Math.max(1, texts.length / this.#maxFitTexts);
    const sample: string[] = [];
    for (let i = 0; i < texts.length; i += step) sample.push(texts[Math.floor(i)]!);

    this.#vocabulary = new Map();
    this.#measured = new Map();
    const counts = sample.map((text) => this.#weigh(text, true));
    const documentFrequency = new Array<number>(this.#vocabulary.size).fill(0);
    for (const row of counts) for (const index of row.keys()) documentFrequency[index]! += 1;
    this.#idf = Float64Array.from(documentFrequency, (df) => Math.log((1 + sample.length) / (1 + df)) + 1);
    this.#rows = sparseRows(counts.map((row) => this.#tfidf(row)));
    return sample;
  }

  /** Keeps the largest singular directions (each divided by σ) and names the space; `unknownShare` of all the texts, measured on the sample's vocabulary. */
  #finishFit({ values, vectors }: Eigenpairs, sample: readonly string[], unknownShare: number): this {
    const n = this.#rows.offsets.length - 1;
    const order = [...values]
      .map((value, index) => ({ value, index }))
      .filter(({ value }) => value > 1e-9)
      .sort((x, y) => y.value - x.value)
      .slice(0, this.#maxDimensions);
    this.#projection = order.map(({ value, index }) => {
      const sigma = Math.sqrt(value);
      const column = vectors.slice(index * n, (index + 1) * n);
      let largest = 0;
      for (const entry of column) if (Math.abs(entry) > Math.abs(largest)) largest = entry;
      const sign = largest < 0 ? -1 : 1;
      return column.map((entry) => (sign * entry) / sigma);
    });
    this.#fingerprint = createHash('sha256')
      .update(JSON.stringify([this.#maxDimensions, [...this.#vocabulary.keys()], [...this.#idf], sample]))
      .digest('hex');
    this.#buildTermSpace();
    this.#unknownShareAtFit = unknownShare;
    return this;
  }

  /** Folds the fitted texts into one V × k matrix, so that embedding costs (terms of the text) × k. */
  #buildTermSpace(): void {
    const k = this.#projection.length;
    const { offsets, terms: rowTerms, weights } = this.#rows;
    const n = offsets.length - 1;
    // The projection transposed (n × k), so that each row's k coefficients are read in a row.
    const byRow = new Float64Array(n * k);
    for (let j = 0; j < k; j += 1) {
      const direction = this.#projection[j]!;
      for (let i = 0; i < n; i += 1) byRow[i * k + j] = direction[i]!;
    }
    const terms = new Float64Array(this.#vocabulary.size * k);
    for (let i = 0; i < n; i += 1) {
      const from = i * k;
      for (let at = offsets[i]!; at < offsets[i + 1]!; at += 1) {
        const base = rowTerms[at]! * k;
        const value = weights[at]!;
        for (let j = 0; j < k; j += 1) terms[base + j]! += byRow[from + j]! * value;
      }
    }
    this.#terms = terms;
  }

  /** Embeds one text into the fitted space, unit length (all zeros when nothing is shared). */
  embed(text: string): number[] {
    if (this.#projection.length === 0) throw new Error('CorpusLsaEmbeddings: call fit() before embedding');
    const k = this.#projection.length;
    const query = this.#tfidf(this.#knownCounts(text));
    const vector = new Array<number>(k).fill(0);
    for (const [term, value] of query) {
      const base = term * k;
      for (let j = 0; j < k; j += 1) vector[j]! += this.#terms[base + j]! * value;
    }
    const norm = Math.hypot(...vector);
    return norm === 0 ? vector : vector.map((value) => value / norm);
  }

  /** The counts of a text's known terms, in the order `#weigh` gives them: from what `unknownShare` kept, else tokenised now. */
  #knownCounts(text: string): SparseVector {
    const kept = this.#measured.get(text);
    if (!kept) return this.#weigh(text, false);
    this.#measured.delete(text);
    const counts: SparseVector = new Map();
    for (const index of kept) counts.set(index, (counts.get(index) ?? 0) + 1);
    return counts;
  }

  /**
   * The share of the texts' word and bigram occurrences that the fitted vocabulary does not
   * know (0 when every one is known): how far a text set has drifted from the fitted space.
   * With `keep`, each text's known terms are kept for its embedding, which then does not
   * tokenise it again (for texts about to be embedded: kept until then, or the next fit).
   */
  unknownShare(texts: readonly string[], options: { keep?: boolean } = {}): number {
    let known = 0;
    let total = 0;
    for (const text of texts) {
      const features = this.#features(text);
      total += features.length;
      const terms = options.keep ? new Int32Array(features.length) : null;
      let knownHere = 0;
      for (const feature of features) {
        const index = this.#vocabulary.get(feature);
        if (index === undefined) continue;
        if (terms) terms[knownHere] = index;
        knownHere += 1;
      }
      known += knownHere;
      if (terms) this.#measured.set(text, terms.slice(0, knownHere));
    }
    return total === 0 ? 0 : (total - known) / total;
  }

  /** The fitted space as bytes, to store beside the vectors it made; {@link fromBytes} reads it back. */
  toBytes(): Uint8Array {
    if (!this.fitted) throw new Error('CorpusLsaEmbeddings: call fit() before storing');
    const { offsets, terms: indices, weights: values } = this.#rows;
    const n = offsets.length - 1;
    const k = this.#projection.length;
    const nnz = indices.length;
    const projection = new Float64Array(k * n);
    for (let j = 0; j < k; j += 1) projection.set(this.#projection[j]!, j * n);
    const header = Buffer.from(
      JSON.stringify({
        format: stateFormat,
        maxDimensions: this.#maxDimensions,
        maxFitTexts: this.#maxFitTexts,
        fingerprint: this.#fingerprint,
        unknownShareAtFit: this.#unknownShareAtFit,
        n,
        k,
        nnz,
        vocabulary: [...this.#vocabulary.keys()],
      }),
    );
    const headerSpace = Math.ceil((4 + header.length) / 8) * 8;
    const parts = [this.#idf, offsets, indices, values, projection];
    const bytes = new Uint8Array(headerSpace + parts.reduce((sum, part) => sum + Math.ceil(part.byteLength / 8) * 8, 0));
    new DataView(bytes.buffer).setUint32(0, header.length, true);
    bytes.set(header, 4);
    let offset = headerSpace;
    for (const part of parts) {
      bytes.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), offset);
      offset += Math.ceil(part.byteLength / 8) * 8;
    }
    return bytes;
  }

  /**
   * A space stored by {@link toBytes}, ready to embed with no fitting (vectors equal the ones it
   * made when it was stored).
   */
  static fromBytes(bytes: Uint8Array, options: Pick<CorpusLsaOptions, 'tokenizer'>): CorpusLsaEmbeddings {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headerLength = view.getUint32(0, true);
    const header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 4, headerLength).toString('utf8')) as {
      format: number;
      maxDimensions: number;
      maxFitTexts: number;
      fingerprint: string;
      unknownShareAtFit: number;
      n: number;
      k: number;
      nnz: number;
      vocabulary: string[];
    };
    if (header.format !== stateFormat) throw new Error(`CorpusLsaEmbeddings: stored format ${header.format} is not ${stateFormat}`);
    const { n, k, nnz, vocabulary } = header;
    // Copied into fresh, aligned buffers: the bytes may come from the database at any offset.
    let offset = bytes.byteOffset + Math.ceil((4 + headerLength) / 8) * 8;
    const take = <T extends Float64Array | Int32Array>(Type: { new (buffer: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T => {
      const size = length * Type.BYTES_PER_ELEMENT;
      const copy = new Type(bytes.buffer.slice(offset, offset + size) as ArrayBuffer);
      offset += Math.ceil(size / 8) * 8;
      return copy;
    };
    const lsa = new CorpusLsaEmbeddings({ tokenizer: options.tokenizer, dimensions: header.maxDimensions, maxFitTexts: header.maxFitTexts });
    lsa.#idf = take(Float64Array, vocabulary.length);
    const offsets = take(Int32Array, n + 1);
    const indices = take(Int32Array, nnz);
    const values = take(Float64Array, nnz);
    const projection = take(Float64Array, k * n);
    lsa.#vocabulary = new Map(vocabulary.map((feature, index) => [feature, index]));
    lsa.#rows = { offsets, terms: indices, weights: values };
    lsa.#projection = Array.from({ length: k }, (_, j) => projection.slice(j * n, (j + 1) * n));
    lsa.#fingerprint = header.fingerprint;
    lsa.#unknownShareAtFit = header.unknownShareAtFit;
    lsa.#buildTermSpace();
    return lsa;
  }

  override async embedDocuments(documents: string[]): Promise<number[][]> {
    return documents.map((document) => this.embed(document));
  }

  override async embedQuery(document: string): Promise<number[]> {
    return this.embed(document);
  }
}

