import { loadOnFirstUse } from '../../load-on-first-use.ts';

const mlMatrix = loadOnFirstUse<typeof import('ml-matrix')>('ml-matrix');
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../worker-entry.ts';
import { seededRandom as seeded } from '../../seeded-random.ts';

/**
 * The numeric core of the corpus LSA: the leading eigenpairs of the Gram matrix X·Xᵀ of the
 * fitted texts' TF-IDF rows (X sparse, n × V), in this thread or in a worker thread. Both give
 * the same numbers (the same code runs in both).
 */

/** Sparse rows in compressed form: row i holds `terms[offsets[i] … offsets[i+1])` with their `weights`. */
export interface SparseRows {
  offsets: Int32Array;
  terms: Int32Array;
  weights: Float64Array;
}

/** Eigenpairs: `values[j]` with its eigenvector `vectors[j·n … (j+1)·n)`, one entry per row. */
export interface Eigenpairs {
  values: Float64Array;
  vectors: Float64Array;
}

/**
 * Up to this many rows, the eigenpairs come from the exact eigen-decomposition of the Gram matrix
 * (cubic in the rows); above it, from a block power iteration that needs only products with X
 * (seconds instead of a minute at 2,000 rows).
 */
export const exactFitLimit = 600;
const powerIterations = 10;
const oversampling = 16;

/** Sparse rows (maps of term → weight, in their insertion order) in compressed form. */
export function sparseRows(rows: readonly ReadonlyMap<number, number>[]): SparseRows {
  const offsets = new Int32Array(rows.length + 1);
  rows.forEach((row, i) => (offsets[i + 1] = offsets[i]! + row.size));
  const terms = new Int32Array(offsets[rows.length]!);
  const weights = new Float64Array(offsets[rows.length]!);
  rows.forEach((row, i) => {
    let at = offsets[i]!;
    for (const [term, value] of row) {
      terms[at] = term;
      weights[at] = value;
      at += 1;
    }
  });
  return { offsets, terms, weights };
}

const rowCount = (rows: SparseRows): number => rows.offsets.length - 1;

/**
 * The Gram matrix's eigenpairs: every one (exact) up to {@link exactFitLimit} rows, else the `k`
 * largest (and a few more) by block power iteration.
 *
 * @example const { values, vectors } = eigenpairs(sparseRows(rows), 128);
 */
export function eigenpairs(rows: SparseRows, k: number): Eigenpairs {
  return rowCount(rows) <= exactFitLimit ? exactEigenpairs(rows) : powerEigenpairs(rows, k);
}

/** Computes the eigenpairs of rows given later; see {@link eigenSolver}. */
export interface EigenSolver {
  solve(rows: SparseRows, k: number): Promise<Eigenpairs>;
}

/**
 * A solver for `expectedRows` rows still being prepared: past {@link exactFitLimit} rows it
 * starts its worker thread now, so that the thread's start-up (loading the module; from the
 * TypeScript sources that is tsx, most of a second) overlaps the caller's work until `solve`.
 * It solves once, in the worker, or in this thread when the rows are few or no worker can start.
 *
 * @example
 * const solver = eigenSolver(2000);              // the worker starts
 * const rows = sparseRows(weigh(sample));        // meanwhile
 * const { values, vectors } = await solver.solve(rows, 128);
 */
export function eigenSolver(expectedRows: number): EigenSolver {
  const entry = expectedRows > exactFitLimit ? workerEntry(import.meta.url, 'lsa-eigen-worker') : null;
  if (!entry) return { solve: async (rows, k) => eigenpairs(rows, k) };
  let worker: Worker;
  let result: Promise<Eigenpairs>;
  try {
    worker = new Worker(entry.file, { workerData: entry.workerData, stdout: false, stderr: false });
    result = new Promise<Eigenpairs>((resolve, reject) => {
      worker.once('message', (eigen: Eigenpairs) => {
        resolve(eigen);
        void worker.terminate();
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the LSA worker exited (${code}) without a result`)));
    });
    // Not solved (a fit that failed before `solve`): no unhandled rejection, and the thread ends with the process.
    result.catch(() => {});
    worker.unref();
  } catch {
    return { solve: async (rows, k) => eigenpairs(rows, k) };
  }
  return {
    solve: async (rows, k) => {
      worker.ref();
      worker.postMessage({ rows, k });
      try {
        return await result;
      } catch {
        return eigenpairs(rows, k);
      }
    },
  };
}

/** Every eigenpair of the Gram matrix (exact; cubic in the number of rows). */
function exactEigenpairs(compressed: SparseRows): Eigenpairs {
  const n = rowCount(compressed);
  const rows = Array.from({ length: n }, (_, i) => {
    const row = new Map<number, number>();
    for (let at = compressed.offsets[i]!; at < compressed.offsets[i + 1]!; at += 1) row.set(compressed.terms[at]!, compressed.weights[at]!);
    return row;
  });
  const gram = new (mlMatrix().Matrix)(n, n);
  for (let i = 0; i < n; i += 1) {
    for (let j = i; j < n; j += 1) {
      const value = dot(rows[i]!, rows[j]!);
      gram.set(i, j, value);
      gram.set(j, i, value);
    }
  }
  const decomposition = new (mlMatrix().EigenvalueDecomposition)(gram, { assumeSymmetric: true });
  const matrix = decomposition.eigenvectorMatrix;
  const values = Float64Array.from(decomposition.realEigenvalues);
  const vectors = new Float64Array(values.length * n);
  for (let j = 0; j < values.length; j += 1) vectors.set(matrix.getColumn(j), j * n);
  return { values, vectors };
}

/**
 * The `k` largest eigenpairs (and `oversampling` more) by block power iteration from a fixed
 * pseudo-random start (deterministic), with a Rayleigh–Ritz step at the end. Each step costs two
 * products with X, never the n × n matrix itself.
 */
function powerEigenpairs({ offsets, terms, weights }: SparseRows, k: number): Eigenpairs {
  const n = offsets.length - 1;
  const width = Math.min(n, k + oversampling);
  let vocabulary = 0;
  for (const term of terms) vocabulary = Math.max(vocabulary, term + 1);
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
  // Bᵀ·(G·B), accumulated row by row (contiguous reads of both blocks; each entry sums its rows in
  // the same order as a column-by-column loop would), upper triangle then mirrored.
  const sums = new Float64Array(width * width);
  for (let i = 0; i < n; i += 1) {
    const row = i * width;
    for (let a = 0; a < width; a += 1) {
      const value = block[row + a]!;
      const at = a * width;
      for (let b = a; b < width; b += 1) sums[at + b]! += value * product[row + b]!;
    }
  }
  const small = new (mlMatrix().Matrix)(width, width);
  for (let a = 0; a < width; a += 1) {
    for (let b = a; b < width; b += 1) {
      small.set(a, b, sums[a * width + b]!);
      small.set(b, a, sums[a * width + b]!);
    }
  }
  const decomposition = new (mlMatrix().EigenvalueDecomposition)(small, { assumeSymmetric: true });
  const ritz = decomposition.eigenvectorMatrix;
  const values = Float64Array.from(decomposition.realEigenvalues);
  const vectors = new Float64Array(width * n);
  for (let j = 0; j < width; j += 1) {
    const coefficients = ritz.getColumn(j);
    for (let i = 0; i < n; i += 1) {
      let sum = 0;
      for (let c = 0; c < width; c += 1) sum += block[i * width + c]! * coefficients[c]!;
      vectors[j * n + i] = sum;
    }
  }
  return { values, vectors };
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


function dot(x: ReadonlyMap<number, number>, y: ReadonlyMap<number, number>): number {
  const [small, large] = x.size <= y.size ? [x, y] : [y, x];
  let sum = 0;
  for (const [index, value] of small) {
    const other = large.get(index);
    if (other !== undefined) sum += value * other;
  }
  return sum;
}
