import { describe, expect, it } from 'vitest';
import { formatTally } from './chaos-ledger.ts';
import { runChaos } from './chaos.ts';

/**
 * Switch to `true` once the crash-safe inbox (issue 12: an update is stored before its offset is
 * confirmed, on every channel) has landed: from then on no message may be lost across a kill -9.
 * Until then the run does lose messages (that is what it is for), and this test checks the books.
 */
const inboxLanded = false;

describe('the chaos run, small: zhiyin serve killed twice while students on Telegram and the Official Account talk to it', () => {
  it('sends every message, accounts for each as answered once, lost or answered twice, and for every teacher\u2019s reply', async () => {
    const messages = 240;
    const { tally } = await runChaos({ students: 24, messages, kills: 2, teachers: 1, seed: 7, giveUpMs: 30_000 });
    console.log(formatTally(tally));

    expect(tally.kills).toHaveLength(2);
    expect(tally.total.sent).toBe(messages);
    for (const row of [...tally.rows, tally.total]) expect(row.answeredOnce + row.lost + row.answeredTwice).toBe(row.sent);
    expect(tally.rows.reduce((sum, row) => sum + row.sent, 0)).toBe(messages);
    expect(tally.rows.map((row) => row.label)).toEqual(expect.arrayContaining(['Telegram 文字', 'Telegram 贴纸', 'Telegram 编辑', 'Telegram 找老师', '公众号 文字']));
    expect(tally.duplicateDeliveries).toBeGreaterThan(0);
    // the server did answer under the kills: most messages once
    expect(tally.total.answeredOnce).toBeGreaterThan(messages / 2);

    // teachers replied through the dashboard; each reply arrived (or not) in its student's chat only
    expect(tally.replies.sent).toBeGreaterThan(0);
    expect(tally.replies.delivered + tally.replies.lost).toBe(tally.replies.sent);
    expect(tally.replies.duplicated).toBeLessThanOrEqual(tally.replies.delivered);
    expect(tally.replies.wrongChat).toBe(0);

    if (inboxLanded) expect(tally.total.lost).toBe(0);
  }, 20 * 60_000);
});
