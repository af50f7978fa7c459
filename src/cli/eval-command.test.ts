/**
 * `zhiyin eval` prints the career-plan eval as its own section after the datasets' tables, and
 * adds it to `--json` under its own key, the datasets' keys unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Assistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { createTestDatabase } from '../store/testing.ts';
import type { CommandHost, CommandIo } from './command-io.ts';
import { directHost } from './direct-host.ts';
import { runEvalCommand } from './eval-command.ts';

let assistant: Assistant;
let scratch: string;

beforeAll(async () => {
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
  scratch = await mkdtemp(path.join(tmpdir(), 'zhiyin-eval-command-'));
  const [first] = (await readFile(path.join('eval', 'datasets', 'policy.jsonl'), 'utf8')).split('\n');
  await writeFile(path.join(scratch, 'one.jsonl'), `${first}\n`, 'utf8');
}, 120_000);
afterAll(async () => {
  await assistant?.close();
  await rm(scratch, { recursive: true, force: true });
});

async function evalOutput(options: { json?: boolean }): Promise<string> {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  const host: CommandHost = { ...directHost(async () => config), withAssistant: (_config, run) => run(assistant) };
  const stdout = new PassThrough();
  let output = '';
  stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const io: CommandIo = { stdin: new PassThrough(), stdout, stderr: new PassThrough(), cwd: scratch, readSecret: async () => '' };
  await runEvalCommand(host, io, { dataset: ['one.jsonl'], ...options });
  return output;
}

describe('zhiyin eval', () => {
  it('prints the career-plan table after the datasets’ tables', async () => {
    const output = await evalOutput({});
    const datasets = output.indexOf('one');
    const career = output.indexOf('职业规划评测 career plans');
    expect(datasets).toBeGreaterThanOrEqual(0);
    expect(career).toBeGreaterThan(datasets);
    expect(output).toMatch(/合计 total\s+(\d+)\s+\1\s+100\.0%/u);
    expect(output).toContain('全部约束都满足 / every constraint held');
  });

  it('adds the career eval to --json under its own key', async () => {
    const json = JSON.parse(await evalOutput({ json: true })) as Record<string, { overall: { items?: number; rate?: number | null } }>;
    expect(Object.keys(json)).toEqual(['one', 'career']);
    expect(json.one!.overall.items).toBe(1);
    expect(json.career!.overall.rate).toBe(1);
  });
});
