import { describe, expect, it } from 'vitest';
import { formatTally } from './chaos-ledger.ts';
import { runChaos } from './chaos.ts';

/**
 * No message may be lost across a kill -9 (issue 12): the crash-safe inbox on every channel, and
 * WeChat's retry of a message answered passively getting the recorded answer again (1d0817f) —
 * `npm run chaos -- --students 200 --messages 2000 --kills 3` lost 0 after it. Set to `false` only
 * to look at the books of a run that loses messages.
 */
const inboxLanded = true;

describe('the chaos run, small: zhiyin serve killed twice while students on Telegram and the Official Account talk to it', () => {
  it('sends every message, accounts for each as answered once, lost or answered twice, and for every teacher\u2019s reply', async () => {
    const messages = 240;
    const { tally } = await runChaos({ students: 24, messages, kills: 2, teachers: 1, seed: 7, giveUpMs: 30_000 });
    console.log(formatTally(tally));

    expect(tally.kills).toHaveLength(2);
    expect(tally.total.sent).toBe(messages);
    for (const row of [...tally.rows, tally.total]) expect(row.answeredOnce + row.lost + row.answeredTwice).toBe(row.sent);
    expect(tally.rows.reduce((sum, row) => sum + row.sent, 0)).toBe(messages);
    // both channels, and every kind of message (which channel a sticker or a request for a teacher came on varies)
    const labels = tally.rows.map((row) => row.label);
    expect(labels).toEqual(expect.arrayContaining(['Telegram 文字', 'Telegram 编辑', '公众号 文字']));
    expect(labels.some((label) => label.endsWith('贴纸') || label.endsWith('图片'))).toBe(true);
    expect(labels.some((label) => label.endsWith('找老师'))).toBe(true);
    expect(tally.duplicateDeliveries).toBeGreaterThan(0);
    // the server did answer under the kills: most messages once
    expect(tally.total.answeredOnce).toBeGreaterThan(messages / 2);

    // teachers replied through the dashboard; each reply arrived (or not) in its student's chat only
    expect(tally.replies.sent).toBeGreaterThan(0);
    expect(tally.replies.delivered + tally.replies.lost).toBe(tally.replies.sent);
    expect(tally.replies.duplicated).toBeLessThanOrEqual(tally.replies.delivered);
    expect(tally.replies.wrongChat).toBe(0);

    if (inboxLanded) expect(tally.total.lost).toBe(0);
    else console.log(`lost: ${tally.total.lost} (the 0-lost check is off: see inboxLanded)`);
  }, 20 * 60_000);
});
