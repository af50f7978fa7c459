/**
 * `zhiyin kb …` as child processes on a temporary data directory: drafts, publish with the eval
 * shown, diff, rollback, list; and a publish killed with SIGKILL mid-ingest, after which the old
 * set is intact and answering (and a kill during the switch leaves exactly the old or the new set).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { syntheticMarkdown, sampleTxt } from '../knowledge/testing-fixtures.ts';
import { repoRoot } from '../paths.ts';
import { runZhiyin, zhiyinEnvironment, type ZhiyinRun } from '../testing/zhiyin-process.ts';

const bin = path.join(repoRoot, 'src', 'cli', 'zhiyin.js');
let dataDir: string;
let files: string;
/** Documents of the big set (20 clauses each): enough that embedding takes a moment, few enough that the corpus-fitted model fits in seconds. */
const bigSet = 25;

const internshipMd = `---
id: sd-internship
title: 关于规范学生实习管理的通知
issuer: 山东省教育厅
region: 山东省
date: 2023-05-12
status: in-force
audience: 中等职业学校
---
# 关于规范学生实习管理的通知

## 第一章 实习管理

第一条 实习单位不得向学生收取实习押金。

第二条 学生每日顶岗实习时间不超过8小时。
`;

function environment(extra: Record<string, string> = {}): Record<string, string> {
  return zhiyinEnvironment(dataDir, extra);
}

function zhiyin(args: string[], extra: Record<string, string> = {}): Promise<ZhiyinRun> {
  return runZhiyin(args, environment(extra));
}

/** Starts `zhiyin args` and SIGKILLs it as soon as stderr shows `trigger`; resolves with what it printed. */
function killWhen(args: string[], trigger: RegExp): Promise<{ killed: boolean; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env: environment(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let killed = false;
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (!killed && trigger.test(stderr)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.stdout!.resume();
    child.on('error', reject);
    child.on('close', () => resolve({ killed, stderr }));
  });
}

async function withStore<T>(run: (assistant: Assistant) => Promise<T>): Promise<T> {
  const assistant = await Assistant.open(loadConfig({ ZHIYIN_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), { skipInitialIngest: true });
  try {
    return await run(assistant);
  } finally {
    await assistant.close();
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-kb-data-'));
  files = await mkdtemp(path.join(tmpdir(), 'zhiyin-kb-files-'));
  await mkdir(path.join(files, 'v1'));
  await writeFile(path.join(files, 'v1', 'sd-internship.md'), internshipMd);
  for (let i = 1; i <= 2; i += 1) await writeFile(path.join(files, 'v1', `gen-${i}.md`), syntheticMarkdown(i, 6));
  await mkdir(path.join(files, 'big'));
  for (let i = 100; i < 100 + bigSet; i += 1) await writeFile(path.join(files, 'big', `gen-${i}.md`), syntheticMarkdown(i, 20));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(files, { recursive: true, force: true });
});

describe('zhiyin kb', () => {
  it('ingest --publish serves a set, shows the eval change and a summary; list --json keeps its shape', async () => {
    const { code, stdout, stderr } = await zhiyin(['kb', 'ingest', path.join(files, 'v1'), '--publish']);
    expect(stderr).not.toMatch(/zhiyin: /u);
    expect(code).toBe(0);
    expect(stdout).toMatch(/eval \(\d+ single-turn questions/u);
    expect(stdout).toContain('version 1: 3 documents');
    expect(stdout).toContain('published gen-00001 v1, gen-00002 v1, sd-internship v1');
    expect(stderr).toContain('"phase":"embedding"');
    const listed = await zhiyin(['kb', 'list', '--json']);
    const json = JSON.parse(listed.stdout) as { version: number; documents: { id: string; clauses: number; versionInfo: { number: number } }[] };
    expect(json.version).toBe(1);
    expect(json.documents.map((d) => d.id)).toEqual(['gen-00001', 'gen-00002', 'sd-internship']);
    expect(json.documents[2]).toMatchObject({ clauses: 2, versionInfo: { number: 1, state: 'published' } });
  }, 120_000);

  it('ingest of a .txt without --publish stores a draft of the same document; diff, publish, rollback', async () => {
    const txt = path.join(files, '实习通知.txt');
    await writeFile(txt, sampleTxt());
    const draft = await zhiyin(['kb', 'ingest', txt, '--id', 'sd-internship', '--effective', '2024-03-01']);
    expect(draft.code).toBe(0);
    expect(draft.stdout).toContain('实习通知.txt → sd-internship (txt, 5 clauses)');
    expect(draft.stdout).toContain('draft sd-internship v2');
    expect((await zhiyin(['kb', 'list'])).stdout).toContain('sd-internship\tv1\t2 clauses');

    const diff = await zhiyin(['kb', 'diff', 'sd-internship']);
    expect(diff.stdout).toContain('sd-internship: v1 → v2: 3 added, 0 removed, 2 changed, 0 unchanged');
    expect(diff.stdout).toMatch(/^~ 第一条$/mu);

    const blocked = await zhiyin(['kb', 'publish', 'sd-internship', '--min-fully-correct', '0.99']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain('publish blocked');
    expect((await zhiyin(['kb', 'list'])).stdout).toContain('sd-internship\tv1');

    const published = await zhiyin(['kb', 'publish', 'sd-internship', '--no-eval']);
    expect(published.code).toBe(0);
    expect(published.stdout).toContain('published sd-internship v2');
    const shown = await zhiyin(['kb', 'show', 'sd-internship']);
    expect(shown.stdout).toMatch(/v2\tpublished .*effective 2024-03-01\t实习通知\.txt \(txt\)/u);
    expect(shown.stdout).toMatch(/v1\tsuperseded/u);

    const rolledBack = await zhiyin(['kb', 'rollback', 'sd-internship', '--no-eval']);
    expect(rolledBack.stdout).toContain('published sd-internship v1');
    const history = await zhiyin(['kb', 'history', 'sd-internship']);
    expect(history.stdout.split('\n')[0]).toMatch(/rollback\tsd-internship v1 \(was v2\)\tcli:/u);
    // in China time, as the dashboard shows it
    const [when] = history.stdout.split('\t');
    expect(when).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/u);
    expect(Math.abs(Date.parse(when!) - Date.now())).toBeLessThan(60 * 60_000);
  }, 180_000);

  it("publish is blocked when the candidate breaks one of the school's own eval items (issue 15)", async () => {
    const { SchoolEvalSet, publishedClause } = await import('../../eval/school-set.ts');
    const item = await withStore(async (assistant) => {
      const clause = await publishedClause(assistant.knowledge, 'sd-internship', '第一条');
      expect(clause).not.toBeNull();
      return new SchoolEvalSet(assistant.db).mark('实习单位可以收我押金吗', { outcome: 'answer', clause: clause!, facts: [['押金']] });
    });
    try {
      const changed = path.join(files, 'sd-internship-v3.md');
      await writeFile(changed, internshipMd.replace('第一条 实习单位不得向学生收取实习押金。', '第一条 学生实习应当签订三方协议。'));
      expect((await zhiyin(['kb', 'ingest', changed, '--id', 'sd-internship'])).code).toBe(0);
      const blocked = await zhiyin(['kb', 'publish', 'sd-internship']);
      expect(blocked.code).toBe(1);
      expect(blocked.stdout).toContain('school item');
      expect(blocked.stderr).toContain('本校评测题');
      expect((await zhiyin(['kb', 'list'])).stdout).toContain('sd-internship\tv1');
    } finally {
      await withStore((assistant) => new SchoolEvalSet(assistant.db).remove(item.id));
    }
  }, 300_000);

  it('a malformed file fails the whole ingest, naming it; nothing is stored', async () => {
    const dir = path.join(files, 'mixed');
    await mkdir(dir);
    await writeFile(path.join(dir, 'a-good.md'), syntheticMarkdown(900, 3));
    await writeFile(path.join(dir, 'b-broken.pdf'), '%PDF-1.7 not really');
    const { code, stderr } = await zhiyin(['kb', 'ingest', dir, '--publish', '--no-eval']);
    expect(code).toBe(1);
    expect(stderr).toContain('b-broken.pdf');
    await withStore(async (assistant) => expect(await assistant.knowledge.versionsOf('gen-00900')).toEqual([]));
  }, 60_000);

  it('killed with SIGKILL mid-ingest (while embedding), the old set is intact and answering; nothing half-imported', async () => {
    const before = await withStore(async (assistant) => ({ version: await assistant.knowledge.version(), documents: (await assistant.knowledge.list()).map((d) => `${d.id}@${d.versionInfo?.number}`) }));
    const { killed, stderr } = await killWhen(['kb', 'ingest', path.join(files, 'big'), '--publish', '--no-eval'], /"phase":"embedding","done":0/u);
    expect(killed).toBe(true);
    expect(stderr).not.toContain('version ');
    await withStore(async (assistant) => {
      expect(await assistant.knowledge.version()).toBe(before.version);
      expect((await assistant.knowledge.list()).map((d) => `${d.id}@${d.versionInfo?.number}`)).toEqual(before.documents);
      expect(await assistant.knowledge.versionsOf('gen-00100')).toEqual([]);
      const answer = await assistant.ask('实习单位能收押金吗？');
      expect(answer.outcome).toBe('answer');
      expect(answer.citations[0]).toMatchObject({ doc: 'sd-internship', locator: '第一条' });
    });
  }, 180_000);

  it('killed during the switch, the store holds exactly the old set or exactly the new one', async () => {
    const { killed } = await killWhen(['kb', 'ingest', path.join(files, 'big'), '--publish', '--no-eval'], /"phase":"switching"/u);
    expect(killed).toBe(true);
    await withStore(async (assistant) => {
      const version = await assistant.knowledge.version();
      const documents = await assistant.knowledge.list();
      const { rows } = await assistant.db.query<{ clauses: number; vectors: number; versions: number }>(
        `select (select count(*)::int from clauses) as clauses, (select count(*)::int from clause_embeddings) as vectors,
                (select count(*)::int from document_versions where doc_id like 'gen-00%' and doc_id >= 'gen-00100') as versions`,
      );
      const counts = rows[0]!;
      expect(counts.vectors).toBe(counts.clauses);
      expect(documents.reduce((sum, d) => sum + d.clauses, 0)).toBe(counts.clauses);
      if (documents.length === 3) expect(counts.versions).toBe(0);
      else {
        expect(documents.length).toBe(bigSet + 3);
        expect(counts.versions).toBe(bigSet);
        expect(version).toBeGreaterThan(1);
      }
      expect((await assistant.ask('实习单位能收押金吗？')).citations[0]).toMatchObject({ doc: 'sd-internship' });
    });
  }, 180_000);
});
