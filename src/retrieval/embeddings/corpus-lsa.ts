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
 * Up to this many fitted texts, the singular directions come from the exact eigen-decomposition
 * of the texts' Gram matrix (cubic in the texts); above it, from a block power iteration that
 * needs only products with the sparse term matrix (seconds instead of a minute at 2,000 texts).
 */
const exactFitLimit = 600;
const powerIterations = 10;
const oversampling = 16;
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
  #rows: SparseVector[] = [];
  /** k × n: row j is the j-th singular direction over the fitted texts, already divided by σ_j. */
  #projection: Float64Array[] = [];
  /** V × k, row-major: each vocabulary term's place in the fitted space (rows × projection). */
  #terms: Float64Array = new Float64Array(0);
  #fingerprint = '';
  #unknownShareAtFit = 0;

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
    const step = Math.max(1, texts.length / this.#maxFitTexts);
    const sample: string[] = [];
    for (let i = 0; i < texts.length; i += step) sample.push(texts[Math.floor(i)]!);

    this.#vocabulary = new Map();
    const counts = sample.map((text) => this.#weigh(text, true));
    const documentFrequency = new Array<number>(this.#vocabulary.size).fill(0);
    for (const row of counts) for (const index of row.keys()) documentFrequency[index]! += 1;
    this.#idf = Float64Array.from(documentFrequency, (df) => Math.log((1 + sample.length) / (1 + df)) + 1);
    this.#rows = counts.map((row) => this.#tfidf(row));

    const { values, vectors } = this.#rows.length <= exactFitLimit ? exactEigenpairs(this.#rows) : powerEigenpairs(this.#rows, this.#maxDimensions);
    const order = values
      .map((value, index) => ({ value, index }))
      .filter(({ value }) => value > 1e-9)
      .sort((x, y) => y.value - x.value)
      .slice(0, this.#maxDimensions);
    this.#projection = order.map(({ value, index }) => {
      const sigma = Math.sqrt(value);
      const column = vectors(index);
      let largest = 0;
      for (const entry of column) if (Math.abs(entry) > Math.abs(largest)) largest = entry;
      const sign = largest < 0 ? -1 : 1;
      return column.map((entry) => (sign * entry) / sigma);
    });
    this.#fingerprint = createHash('sha256')
      .update(JSON.stringify([this.#maxDimensions, [...this.#vocabulary.keys()], [...this.#idf], sample]))
      .digest('hex');
    this.#buildTermSpace();
    this.#unknownShareAtFit = sample.length === texts.length ? 0 : this.unknownShare(texts);
    return this;
  }

  /** Folds the fitted texts into one V × k matrix, so that embedding costs (terms of the text) × k. */
  #buildTermSpace(): void {
    const k = this.#projection.length;
    const terms = new Float64Array(this.#vocabulary.size * k);
    for (let i = 0; i < this.#rows.length; i += 1) {
      for (const [term, value] of this.#rows[i]!) {
        const base = term * k;
        for (let j = 0; j < k; j += 1) terms[base + j]! += this.#projection[j]![i]! * value;
      }
    }
    this.#terms = terms;
  }

  /** Embeds one text into the fitted space, unit length (all zeros when nothing is shared). */
  embed(text: string): number[] {
    if (this.#projection.length === 0) throw new Error('CorpusLsaEmbeddings: call fit() before embedding');
    const k = this.#projection.length;
    const query = this.#tfidf(this.#weigh(text, false));
    const vector = new Array<number>(k).fill(0);
    for (const [term, value] of query) {
      const base = term * k;
      for (let j = 0; j < k; j += 1) vector[j]! += this.#terms[base + j]! * value;
    }
    const norm = Math.hypot(...vector);
    return norm === 0 ? vector : vector.map((value) => value / norm);
  }

  /**
   * The share of the texts' word and bigram occurrences that the fitted vocabulary does not
   * know (0 when every one is known): how far a text set has drifted from the fitted space.
   */
  unknownShare(texts: readonly string[]): number {
    let known = 0;
    let total = 0;
    for (const text of texts) {
      for (const feature of this.#features(text)) {
        total += 1;
        if (this.#vocabulary.has(feature)) known += 1;
      }
    }
    return total === 0 ? 0 : (total - known) / total;
  }

  /** The fitted space as bytes, to store beside the vectors it made; {@link fromBytes} reads it back. */
  toBytes(): Uint8Array {
    if (!this.fitted) throw new Error('CorpusLsaEmbeddings: call fit() before storing');
    const n = this.#rows.length;
    const k = this.#projection.length;
    const offsets = new Int32Array(n + 1);
    let nnz = 0;
    for (let i = 0; i < n; i += 1) {
      nnz += this.#rows[i]!.size;
      offsets[i + 1] = nnz;
    }
    const indices = new Int32Array(nnz);
    const values = new Float64Array(nnz);
    let at = 0;
    for (const row of this.#rows) {
      for (const [term, value] of row) {
        indices[at] = term;
        values[at] = value;
        at += 1;
      }
    }
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
    lsa.#rows = Array.from({ length: n }, (_, i) => {
      const row: SparseVector = new Map();
      for (let at = offsets[i]!; at < offsets[i + 1]!; at += 1) row.set(indices[at]!, values[at]!);
      return row;
    });
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

interface Eigenpairs {
  values: number[];
  /** The eigenvector of `values[index]`, one entry per fitted text. */
  vectors: (index: number) => Float64Array;
}

/** Every eigenpair of the Gram matrix of `rows` (exact; cubic in the number of rows). */
function exactEigenpairs(rows: readonly SparseVector[]): Eigenpairs {
  const n = rows.length;
  const gram = new Matrix(n, n);
  for (let i = 0; i < n; i += 1) {
    for (let j = i; j < n; j += 1) {
      const value = dot(rows[i]!, rows[j]!);
      gram.set(i, j, value);
      gram.set(j, i, value);
    }
  }
  const decomposition = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
  const vectors = decomposition.eigenvectorMatrix;
  return { values: decomposition.realEigenvalues, vectors: (index) => Float64Array.from(vectors.getColumn(index)) };
}

/**
 * The `k` largest eigenpairs of the Gram matrix X·Xᵀ of `rows` (X sparse, n × V), by block power
 * iteration from a fixed pseudo-random start (deterministic) with a Rayleigh–Ritz step at the end.
 * Each step costs two products with X, never the n × n matrix itself.
 */
function powerEigenpairs(rows: readonly SparseVector[], k: number): Eigenpairs {
  const n = rows.length;
  const width = Math.min(n, k + oversampling);
  // The rows as compressed sparse arrays: iterating Maps in the inner loops costs more than the arithmetic.
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i += 1) offsets[i + 1] = offsets[i]! + rows[i]!.size;
  const terms = new Int32Array(offsets[n]!);
  const weights = new Float64Array(offsets[n]!);
  let vocabulary = 0;
  rows.forEach((row, i) => {
    let at = offsets[i]!;
    for (const [term, value] of row) {
      terms[at] = term;
      weights[at] = value;
      vocabulary = Math.max(vocabulary, term + 1);
      at += 1;
    }
  });
  const random = seeded(1);
  let block: Float64Array = new Float64Array(n * width);
  for (let at = 0; at < block.length; at += 1) block[at] = random() - 0.5;
  orthonormalize(block, n, width);
  const gramTimes = (input: Float64Array): Float64Array => {
    const inTermSpace = new Float64Array(vocabulary * width);
    for (let i = 0; i < n; i += 1) {
      const from = i * width;
      for (let at = offsets[i]!; at < offsets[i + 1]!; at += 1) {
        const base = terms[at]! * width;
        const value = weights[at]!;
        for (let c = 0; c < width; c += 1) inTermSpace[base + c]! += value * input[from + c]!;
      }
    }
    const output = new Float64Array(n * width);
    for (let i = 0; i < n; i += 1) {
      const to = i * width;
      for (let at = offsets[i]!; at < offsets[i + 1]!; at += 1) {
        const base = terms[at]! * width;
        const value = weights[at]!;
        for (let c = 0; c < width; c += 1) output[to + c]! += value * inTermSpace[base + c]!;
      }
    }
    return output;
  };
  // Orthonormalised every other step (and before the last): two steps stretch the block's
  // condition by (λ₁/λ_k)², which Gram–Schmidt in doubles absorbs, at half its cost.
  for (let step = 1; step <= powerIterations; step += 1) {
    block = gramTimes(block);
    if (step % 2 === 0 || step === powerIterations) orthonormalize(block, n, width);
  }
  const product = gramTimes(block);
  const small = new Matrix(width, width);
  for (let a = 0; a < width; a += 1) {
    for (let b = a; b < width; b += 1) {
      let sum = 0;
      for (let i = 0; i < n; i += 1) sum += block[i * width + a]! * product[i * width + b]!;
      small.set(a, b, sum);
      small.set(b, a, sum);
    }
  }
  const decomposition = new EigenvalueDecomposition(small, { assumeSymmetric: true });
  const ritz = decomposition.eigenvectorMatrix;
  return {
    values: decomposition.realEigenvalues,
    vectors: (index) => {
      const weights = ritz.getColumn(index);
      const vector = new Float64Array(n);
      for (let i = 0; i < n; i += 1) {
        let sum = 0;
        for (let c = 0; c < width; c += 1) sum += block[i * width + c]! * weights[c]!;
        vector[i] = sum;
      }
      return vector;
    },
  };
}

/** Modified Gram–Schmidt on the columns of a row-major n × width block, in place (on a column-major copy, for contiguous reads). */
function orthonormalize(block: Float64Array, n: number, width: number): void {
  const columns = Array.from({ length: width }, (_, c) => {
    const column = new Float64Array(n);
    for (let i = 0; i < n; i += 1) column[i] = block[i * width + c]!;
    return column;
  });
  for (let c = 0; c < width; c += 1) {
    const column = columns[c]!;
    for (let previous = 0; previous < c; previous += 1) {
      const other = columns[previous]!;
      let projection = 0;
      for (let i = 0; i < n; i += 1) projection += column[i]! * other[i]!;
      for (let i = 0; i < n; i += 1) column[i]! -= projection * other[i]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i += 1) norm += column[i]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i += 1) column[i] = norm > 1e-12 ? column[i]! / norm : 0;
  }
  for (let c = 0; c < width; c += 1) {
    const column = columns[c]!;
    for (let i = 0; i < n; i += 1) block[i * width + c] = column[i]!;
  }
}

/** mulberry32: a small deterministic pseudo-random source in [0, 1). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
