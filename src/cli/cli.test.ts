/**
 * The real `zhiyin` binary, run as a child process on one data directory shared by the tests of
 * this file (each start costs seconds, the first one also ingests `knowledge/`). The tests run in
 * order; the first one starts on the fresh directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../store/database.ts';
import { readDocumentDirectory } from '../knowledge/corpus.ts';
import { documentsDir } from '../testing/corpus-fixture.ts';
import type { AskLine } from './ask-lines.ts';
import { runZhiyin, zhiyinEnvironment, type ZhiyinRun } from '../testing/zhiyin-process.ts';


let dataDir: string;
let scratch: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-cli-data-'));
  scratch = await mkdtemp(path.join(tmpdir(), 'zhiyin-cli-files-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
});

/** Runs `zhiyin …args` on this file's data directory. */
const zhiyin = (args: string[], stdin = ''): Promise<ZhiyinRun> => runZhiyin(args, zhiyinEnvironment(dataDir), stdin);

function nonEmptyLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

const documentIds = async (): Promise<string[]> => (await readDocumentDirectory(documentsDir)).map((document) => document.id).sort();

describe('the zhiyin command', () => {
  it('ask --jsonl: one JSON line per question on stdout, the log on stderr', async () => {
    const input = [
      JSON.stringify({ id: 'q1', question: '实习单位能扣我身份证吗？' }),
      JSON.stringify({ id: 'q2', question: '今年高考分数线多少' }),
    ].join('\n');
    const { code, stdout, stderr } = await zhiyin(['ask', '--jsonl'], `${input}\n`);

    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(2);
    const results = lines.map((line) => JSON.parse(line) as AskLine);
    expect(results.map((result) => [result.id, result.outcome])).toEqual([
      ['q1', 'answer'],
      ['q2', 'abstain'],
    ]);
    for (const result of results) {
      expect(Object.keys(result).sort()).toEqual(['answer', 'citations', 'id', 'latency_ms', 'outcome', 'retrieved']);
    }
    expect(results[0]!.citations.map((citation) => citation.doc)).toContain('liaoning-zhongzhi-quality');

    // The first start on a fresh data directory ingests, and says so on stderr as JSON (it migrates
    // too when no data-directory template was built: `npm run build` makes one already migrated).
    const logs = nonEmptyLines(stderr).map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(logs.map((log) => log.msg)).toContain('knowledge base ingested');
    for (const log of logs) expect(log.level).toEqual(expect.any(Number));
  });

  it('ask --json "问题": prints one JSON object', async () => {
    const { code, stdout } = await zhiyin(['ask', '--json', '实习单位能扣我身份证吗？']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as AskLine;
    expect(Object.keys(result).sort()).toEqual(['answer', 'citations', 'id', 'latency_ms', 'outcome', 'retrieved']);
    expect(result.id).toBeNull();
    expect(result.outcome).toBe('answer');
    expect(result.citations.length).toBeGreaterThan(0);
  });

  it('ask --json 转人工: escalates, and says truthfully that no ticket was opened (a dry run)', async () => {
    const { code, stdout } = await zhiyin(['ask', '--json', '转人工']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as AskLine;
    expect(result.outcome).toBe('escalate');
    expect(result.answer).toContain('没有建工单');
    expect(result.answer).not.toContain('老师会在这里回复你');
  });

  it('ask "问题": prints the answer for a person to read, with the document and clause it rests on', async () => {
    const { code, stdout } = await zhiyin(['ask', '实习单位能扣我身份证吗？']);
    expect(code).toBe(0);
    expect(stdout).toContain('《关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见》');
    expect(stdout).toContain('二、11.');
    expect(stdout).toContain('居民身份证');
    expect(() => JSON.parse(stdout)).toThrow();
  });

  it('kb list: lists the five published documents', async () => {
    const { code, stdout } = await zhiyin(['kb', 'list']);
    expect(code).toBe(0);
    const [header, ...rows] = nonEmptyLines(stdout);
    expect(header).toMatch(/^知识库第 \d+ 版，5 份文件 \/ knowledge base version \d+, 5 documents$/u);
    expect(rows.map((row) => row.split('\t')[0]).sort()).toEqual(await documentIds());
  });

  it('fails with exit code 1 and a clear message when another process holds the data directory', async () => {
    const holder = await openDatabase({ dataDir });
    try {
      const { code, stdout, stderr } = await zhiyin(['kb', 'list']);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(nonEmptyLines(stderr)).toHaveLength(1);
      expect(stderr).toMatch(/^zhiyin: /u);
      expect(stderr).toContain('in use by another zhiyin process');
      expect(stderr).toContain(`pid ${process.pid}`);
      expect(stderr).toContain(path.resolve(dataDir));
    } finally {
      await holder.close();
    }
  });

  it('kb ingest of a Markdown file without front matter fails, names the file and changes nothing', async () => {
    const before = await zhiyin(['kb', 'list', '--json']);
    expect(before.code).toBe(0);

    const file = path.join(scratch, 'no-front-matter.md');
    await writeFile(file, '# 某某通知\n\n第一条 学校应当为学生提供职业指导。\n', 'utf8');
    const { code, stdout, stderr } = await zhiyin(['kb', 'ingest', file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('no-front-matter.md');
    expect(stderr).toContain('front matter');

    const after = await zhiyin(['kb', 'list', '--json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual(JSON.parse(before.stdout));
    const listed = JSON.parse(after.stdout) as { version: number; documents: { id: string }[] };
    expect(listed.documents.map((document) => document.id).sort()).toEqual(await documentIds());
  });

  it('users add: takes the password from stdin, stores only its hash, and refuses a short one', async () => {
    const added = await zhiyin(['users', 'add', 'wang.li', '--role', 'teacher', '--name', '王老师'], 'correct horse battery\n');
    expect(added.stderr).not.toContain('correct horse');
    expect(added.code).toBe(0);
    expect(added.stdout).toBe('已添加 / added teacher wang.li (王老师)\n');
    const short = await zhiyin(['users', 'add', 'zhao', '--role', 'admin'], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('10');
    const listed = await zhiyin(['users', 'list']);
    expect(nonEmptyLines(listed.stdout)).toEqual(['wang.li\tteacher\t王老师']);
    const db = await openDatabase({ dataDir });
    try {
      const { rows } = await db.query<{ password_hash: string }>(`select password_hash from users where username = 'wang.li'`);
      expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$/u);
    } finally {
      await db.close();
    }
  });
});
