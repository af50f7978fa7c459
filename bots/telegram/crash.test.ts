/**
 * `zhiyin serve` as a real process polling the local fake Bot API, killed with SIGKILL in the
 * middle of a burst and started again: every update is answered — an update is stored in the
 * inbox before its offset is confirmed, and the inbox is taken up again at start. An update is
 * answered twice only when it was being handled at the kill (its inbox row was attempted twice).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Update } from 'grammy/types';
import { openDatabase } from '../../src/store/database.ts';
import { zhiyinBin, zhiyinEnvironment } from '../../src/testing/zhiyin-process.ts';
import { repoRoot } from '../../src/paths.ts';
import { FakeBotApi } from './fake-bot-api.ts';

/** A running `zhiyin serve`. */
interface Served {
  /** Resolves with the exit code or signal. */
  exited: Promise<number | string | null>;
  kill(signal: NodeJS.Signals): Promise<number | string | null>;
}

/** Starts `zhiyin serve`; resolves once it logs that it serves (its channels are started by then). */
async function startServe(env: Record<string, string>): Promise<Served> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [zhiyinBin, 'serve'], { cwd: repoRoot, env });
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  child.stdout.resume();
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    void exited.then((code) => reject(new Error(`zhiyin serve exited (${code}) before serving:\n${stderr}`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderr += `${line}\n`;
      if (line.includes('"msg":"zhiyin is serving"')) resolve();
    });
  });
  return {
    exited,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

describe('zhiyin serve killed with SIGKILL mid-burst, then restarted', () => {
  let dataDir: string;
  let fake: FakeBotApi;
  let served: Served | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-crash-'));
    fake = await FakeBotApi.start();
  });
  afterAll(async () => {
    await served?.kill('SIGKILL');
    await fake?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers every update at least once, and twice only those being handled at the kill', { timeout: 300_000 }, async () => {
    const env = zhiyinEnvironment(dataDir, { TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url, PORT: '0', HOST: '127.0.0.1' });
    const started = performance.now();
    served = await startServe(env);
    const firstStartMs = performance.now() - started;

    // 30 groups, 4 messages from one student in each: the bot answers each as a reply to it.
    const groups = Array.from({ length: 30 }, (_, index) => -5_000 - index);
    const updates: Update[] = [];
    for (let round = 0; round < 4; round += 1) {
      for (const [index, chatId] of groups.entries()) updates.push(fake.pushGroupText(chatId, 100 + index, '@zhiyin_test_bot 帮助'));
    }
    const answersTo = (update: Update): number =>
      fake.sent(update.message!.chat.id).filter((sent) => sent.replyTo === update.message!.message_id).length;
    const answered = (): number => updates.filter((update) => answersTo(update) > 0).length;

    await fake.waitFor(() => answered() >= 10, 120_000, () => `${answered()} answered before the kill`);
    expect(await served.kill('SIGKILL')).toBe('SIGKILL');
    const answeredAtKill = answered();
    expect(answeredAtKill).toBeLessThan(updates.length); // the kill came mid-burst

    const restarted = performance.now();
    served = await startServe(env);
    const restartMs = performance.now() - restarted;
    await fake.waitFor(() => answered() === updates.length, 180_000, () => `${answered()} of ${updates.length} answered after the restart`);
    await fake.waitFor(() => fake.pending === 0, 60_000, () => `${fake.pending} updates not confirmed`);
    expect(await served.kill('SIGTERM')).toBe(0);
    served = undefined;

    const db = await openDatabase({ dataDir });
    try {
      const { rows } = await db.query<{ unfinished: number; parked: number; attemptedTwice: number; stored: number }>(
        `select count(*) filter (where finished_at is null)::int as unfinished,
                count(*) filter (where parked_at is not null)::int as parked,
                count(*) filter (where attempts > 1)::int as "attemptedTwice",
                count(*)::int as stored
         from inbound_messages where channel = 'telegram'`,
      );
      const inbox = rows[0]!;
      expect(inbox).toMatchObject({ unfinished: 0, parked: 0, stored: updates.length });
      const lost = updates.filter((update) => answersTo(update) === 0);
      const twice = updates.filter((update) => answersTo(update) > 1);
      expect(lost).toEqual([]);
      expect(twice.every((update) => answersTo(update) === 2)).toBe(true);
      expect(twice.length).toBeLessThanOrEqual(inbox.attemptedTwice);
      console.info(
        `crash test: ${updates.length} updates, ${answeredAtKill} answered before SIGKILL, ${lost.length} lost, ${twice.length} answered twice, ${inbox.attemptedTwice} inbox rows taken up again; first start ${Math.round(firstStartMs)} ms, restart ${Math.round(restartMs)} ms`,
      );
    } finally {
      await db.close();
    }
  });
});
