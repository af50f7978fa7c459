/**
 * A worker thread's job for the corpus LSA (see `eigenSolver`): the eigenpairs of the rows it is
 * given — in its `workerData`, or in the first message when it was started ahead of them — sent
 * back once (their buffers transferred).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { eigenpairs, type SparseRows } from './lsa-eigen.ts';

type Job = { rows: SparseRows; k: number };

function solve({ rows, k }: Job): void {
  const result = eigenpairs(rows, k);
  parentPort!.postMessage(result, [result.values.buffer as ArrayBuffer, result.vectors.buffer as ArrayBuffer]);
}

const given = workerData as Partial<Job> | null;
if (given?.rows && given.k !== undefined) solve(given as Job);
else parentPort!.once('message', (job: Job) => solve(job));
