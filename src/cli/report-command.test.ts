import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runZhiyin, zhiyinEnvironment } from '../testing/zhiyin-process.ts';

describe('zhiyin report', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'zhiyin-report-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the weekly report as Markdown with its two SVG charts, and refuses a bad --weeks', async () => {
    const env = zhiyinEnvironment(path.join(dir, 'data'), { LOG_LEVEL: 'silent' });
    const run = await runZhiyin(['report', '--weeks', '2', '--out', path.join(dir, 'out')], env);
    expect(run.code, run.stderr).toBe(0);
    const markdown = await readFile(path.join(dir, 'out', 'report.md'), 'utf8');
    expect(markdown).toMatch(/^# 职引周报 \d{4}-\d{2}-\d{2} — \d{4}-\d{2}-\d{2}/u);
    expect(markdown).toContain('![每天的提问](daily.svg)');
    expect(await readFile(path.join(dir, 'out', 'daily.svg'), 'utf8')).toMatch(/^<svg /u);
    const bad = await runZhiyin(['report', '--weeks', '0'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--weeks');
  }, 600_000);
});
