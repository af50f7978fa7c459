import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** The folder under the data directory where written plans are saved unless another is given. */
export const plansFolder = 'plans';

/**
 * Where plan files are saved: the directory given, else `<data directory>/plans` — never the
 * current directory.
 *
 * @example planDirectory('./data') // '/…/data/plans'
 */
export function planDirectory(dataDir: string, given?: string): string {
  return path.resolve(given ?? path.join(dataDir, plansFolder));
}

/**
 * Saves a plan file in a directory (made when missing), readable by its owner only (a plan holds
 * a student's answers), and returns its path. Only the base of `fileName` is used.
 *
 * @example await savePlanFile(planDirectory(config.ZHIYIN_DATA_DIR), '职业规划-2026-12-02.md', markdown)
 */
export async function savePlanFile(directory: string, fileName: string, content: string): Promise<string> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const file = path.join(directory, path.basename(fileName));
  await writeFile(file, content, { encoding: 'utf8', mode: 0o600 });
  return file;
}
