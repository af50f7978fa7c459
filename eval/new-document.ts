/**
 * The new-document check: a realistic provincial 办法 (wrapped in its 印发通知) that nobody tuned
 * the bot for, uploaded as plain text through `zhiyin kb ingest --publish` — the path an
 * administrator uses, with no lexicon change — and then 40 student questions about it, scored
 * with `zhiyin eval`. Both files in eval/new-document/ were written by someone who saw only the
 * shipped documents; like the blind sets they are not tuned on.
 *
 * `npm run eval:new-document` prints the report (`-- --dev` for eval/new-document-dev, the
 * development twin, `-- --dir <folder>` for another folder of the same three files); eval/new-document.test.ts holds both to their floors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from '../src/paths.ts';
import { runZhiyin, zhiyinEnvironment } from '../src/testing/zhiyin-process.ts';

export const newDocumentDir = path.join(repoRoot, 'eval', 'new-document');
/**
 * A second added document with its questions, written the same way, that engineers may read and
 * tune on (a development set); eval/new-document stays the untuned check.
 */
export const newDocumentDevDir = path.join(repoRoot, 'eval', 'new-document-dev');
/**
 * A third added document (湖南, 就业见习), written blind from knowledge/documents/ alone and scored
 * once on 2026-12-03 before anyone read it; its floors are that scoring. Do not tune on it.
 */
export const newDocumentBlindDir = path.join(repoRoot, 'eval', 'new-document-blind');
/**
 * A fourth added document (福建, 技能竞赛奖励), written the same way and scored once on the afternoon
 * of 2026-12-03 before anyone read it; its floors are that scoring. Do not tune on it.
 */
export const newDocumentBlind2Dir = path.join(repoRoot, 'eval', 'new-document-blind-2');
export const newDocumentBlind3Dir = path.join(repoRoot, 'eval', 'new-document-blind-3');
/**
 * A fifth blind added document (安徽, 高等学校学生应征入伍优待办法), written the same way and scored once
 * on 2026-12-03 (late evening), on the session's start and final code, before anyone read it; its
 * floors are the final scoring. Do not tune on it.
 */
export const newDocumentBlind4Dir = path.join(repoRoot, 'eval', 'new-document-blind-4');
/**
 * A sixth blind added document (贵州, 中等职业学校国家助学金管理办法), written the same way and scored
 * once on 2026-12-03 (night), on the session's start and final code, before anyone read it; its
 * floors are the final scoring. Do not tune on it.
 */
export const newDocumentBlind5Dir = path.join(repoRoot, 'eval', 'new-document-blind-5');
/**
 * Two more development documents (广西, 创业担保贷款及贴息; 河北, 职业院校学生奖学金评审), written the same
 * way from knowledge/documents/ alone on 2026-12-03 (late evening) to be read and tuned on, so that
 * the blind added documents can stay unread.
 */
export const newDocumentDev2Dir = path.join(repoRoot, 'eval', 'new-document-dev-2');
export const newDocumentDev3Dir = path.join(repoRoot, 'eval', 'new-document-dev-3');

/** The files of a check folder: document.txt, questions.jsonl and floors.json (its floors, set from a scoring). */
export function newDocumentFiles(dir: string): { document: string; questions: string; floors: string } {
  return { document: path.join(dir, 'document.txt'), questions: path.join(dir, 'questions.jsonl'), floors: path.join(dir, 'floors.json') };
}

/** What the check found: how the upload was read, and the eval's report (JSON and text). */
export interface NewDocumentCheck {
  ingest: { code: number | null; output: string };
  listed: { id: string; title: string; issuer: string; region: string; date: string | null }[];
  report: Record<string, unknown>;
  text: string;
}

/** Runs the check of `dir` (default eval/new-document) in a fresh data directory (removed afterwards). */
export async function runNewDocumentCheck(dir: string = newDocumentDir): Promise<NewDocumentCheck> {
  const files = newDocumentFiles(dir);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-new-document-'));
  try {
    const env = zhiyinEnvironment(dataDir, { LOG_LEVEL: 'warn' });
    const ingest = await runZhiyin(['kb', 'ingest', files.document, '--publish'], env);
    if (ingest.code !== 0) throw new Error(`kb ingest failed (${ingest.code}): ${ingest.stderr || ingest.stdout}`);
    const list = await runZhiyin(['kb', 'list', '--json'], env);
    const listed = (JSON.parse(list.stdout) as { documents: NewDocumentCheck['listed'] }).documents;
    const json = await runZhiyin(['eval', '--dataset', files.questions, '--json'], env);
    const text = await runZhiyin(['eval', '--dataset', files.questions], env);
    return { ingest: { code: ingest.code, output: ingest.stdout }, listed, report: JSON.parse(json.stdout) as Record<string, unknown>, text: text.stdout };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `npm run eval:new-document -- --dev` checks eval/new-document-dev instead, `-- --blind`
  // eval/new-document-blind, `-- --blind-2` eval/new-document-blind-2, `-- --blind-3` eval/new-document-blind-3, `-- --blind-4` eval/new-document-blind-4, `-- --blind-5` eval/new-document-blind-5, `-- --dev-2` / `-- --dev-3` eval/new-document-dev-2 / -dev-3; `-- --dir <folder>` any
  // folder with the same three files (a new blind document, kept outside the repository until it is scored)
  const dirAt = process.argv.indexOf('--dir');
  const byFlag: ReadonlyArray<[string, string]> = [['--dev-2', newDocumentDev2Dir], ['--dev-3', newDocumentDev3Dir], ['--dev', newDocumentDevDir], ['--blind-2', newDocumentBlind2Dir], ['--blind-3', newDocumentBlind3Dir], ['--blind-4', newDocumentBlind4Dir], ['--blind-5', newDocumentBlind5Dir], ['--blind', newDocumentBlindDir]];
  const dir = dirAt > 0 ? path.resolve(process.argv[dirAt + 1] ?? '.') : (byFlag.find(([flag]) => process.argv.includes(flag))?.[1] ?? newDocumentDir);
  const check = await runNewDocumentCheck(dir);
  process.stdout.write(`${check.ingest.output}\n${check.text}\n`);
}
