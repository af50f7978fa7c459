/**
 * A worker thread's job for the corpus LSA (see `eigenpairsOffThread`): the eigenpairs of the
 * rows it was given, sent back once (their buffers transferred).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { eigenpairs, type SparseRows } from './lsa-eigen.ts';

const { rows, k } = workerData as { rows: SparseRows; k: number };
const result = eigenpairs(rows, k);
parentPort!.postMessage(result, [result.values.buffer as ArrayBuffer, result.vectors.buffer as ArrayBuffer]);
