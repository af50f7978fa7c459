/**
 * The worker thread that parses one upload (see `readUpload` in ingest.ts): it gets the file's
 * bytes, name and the admin's overrides as workerData, parses them with `parseUpload` and posts
 * back the result or the error. It runs under resource limits and a time limit set by the main
 * thread, so a hostile file costs this thread, never the server.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DocumentFormatError } from './document.ts';
import { parseUpload, type DocumentOverrides } from './ingest.ts';

export interface UploadWorkerInput {
  bytes: Uint8Array;
  name: string;
  overrides: DocumentOverrides;
}

if (parentPort) {
  const port = parentPort;
  port.postMessage({ type: 'ready' });
  const { bytes, name, overrides } = workerData as UploadWorkerInput;
  try {
    port.postMessage({ type: 'result', upload: await parseUpload(bytes, name, overrides) });
  } catch (error) {
    const e = error as Error;
    port.postMessage({
      type: 'error',
      name: e?.name ?? 'Error',
      message: e?.message ?? String(error),
      source: error instanceof DocumentFormatError ? error.source : null,
    });
  }
}
