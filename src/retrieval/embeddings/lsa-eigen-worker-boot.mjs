// Starts lsa-eigen-worker.ts in a worker thread when zhiyin runs from its TypeScript sources:
// a worker does not inherit the main thread's tsx loader, so it loads the entry through tsx.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.entry, import.meta.url);
