import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planDirectory, savePlanFile } from './plan-file.ts';

describe('where a plan file goes', () => {
  let scratch: string | undefined;
  afterEach(async () => scratch && rm(scratch, { recursive: true, force: true }));

  it('is <data>/plans unless a directory is given, never the current directory', () => {
    expect(planDirectory('/srv/zhiyin/data')).toBe('/srv/zhiyin/data/plans');
    expect(planDirectory('./data')).toBe(path.resolve('data', 'plans'));
    expect(planDirectory('./data', '/home/teacher/规划')).toBe('/home/teacher/规划');
    expect(planDirectory('./data')).not.toBe(process.cwd());
  });

  it('makes the directory, writes the file for its owner only, and keeps a file name from leaving it', async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'zhiyin-plan-file-'));
    const directory = planDirectory(path.join(scratch, 'data'));
    const before = await readdir(process.cwd());
    const file = await savePlanFile(directory, '../职业规划-2026-12-02.md', '# 职业规划建议\n');
    expect(file).toBe(path.join(scratch, 'data', 'plans', '职业规划-2026-12-02.md'));
    expect(await readFile(file, 'utf8')).toBe('# 职业规划建议\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(process.cwd())).toEqual(before);
  });
});
