/**
 * The new-document check: a realistic provincial 办法 (wrapped in its 印发通知) that nobody tuned
 * the bot for, uploaded as plain text through `zhiyin kb ingest --publish` — the path an
 * administrator uses, with no lexicon change — and then 40 student questions about it, scored
 * with `zhiyin eval`. Both files in eval/new-document/ were written by someone who saw only the
 * shipped documents; like the blind sets they are not tuned on.
 *
 * `npm run eval:new-document` prints the report; eval/new-document.test.ts holds it to its floors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../src/paths.ts';
import { runZhiyin, zhiyinEnvironment } from '../src/testing/zhiyin-process.ts';

export const newDocumentDir = path.join(repoRoot, 'eval', 'new-document');
export const newDocumentFile = path.join(newDocumentDir, 'document.txt');
export const newDocumentQuestions = path.join(newDocumentDir, 'questions.jsonl');
/** Its floors, set from the one scoring at the end of the session that built it. */
export const newDocumentFloors = path.join(newDocumentDir, 'floors.json');

/** What the check found: how the upload was read, and the eval's report (JSON and text). */
export interface NewDocumentCheck {
  ingest: { code: number | null; output: string };
  listed: { id: string; title: string; issuer: string; region: string; date: string | null }[];
  report: Record<string, unknown>;
  text: string;
}

/** Runs the check in a fresh data directory (removed afterwards). */
export async function runNewDocumentCheck(): Promise<NewDocumentCheck> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-new-document-'));
  try {
    const env = zhiyinEnvironment(dataDir, { LOG_LEVEL: 'warn' });
    const ingest = await runZhiyin(['kb', 'ingest', newDocumentFile, '--publish'], env);
    if (ingest.code !== 0) throw new Error(`kb ingest failed (${ingest.code}): ${ingest.stderr || ingest.stdout}`);
    const list = await runZhiyin(['kb', 'list', '--json'], env);
    const listed = (JSON.parse(list.stdout) as { documents: NewDocumentCheck['listed'] }).documents;
    const json = await runZhiyin(['eval', '--dataset', newDocumentQuestions, '--json'], env);
    const text = await runZhiyin(['eval', '--dataset', newDocumentQuestions], env);
    return { ingest: { code: ingest.code, output: ingest.stdout }, listed, report: JSON.parse(json.stdout) as Record<string, unknown>, text: text.stdout };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = await runNewDocumentCheck();
  process.stdout.write(`${check.ingest.output}\n${check.text}\n`);
}
