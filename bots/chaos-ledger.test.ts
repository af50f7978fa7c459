import { describe, expect, it } from 'vitest';
import { ChaosLedger, answersIn, formatTally, type BotMessage, type ChaosChannel, type StudentMessage } from './chaos-ledger.ts';

const answer = '根据《职业学校学生实习管理规定》第十六条，实习单位不得扣押学生的居民身份证。';
const ratingPrompt = '这个回答有帮助吗？请打分 1–5。';
const stickerReply = '收到你发的表情了，不过我暂时只能看懂文字。能用文字把问题发给我吗？';

function message(overrides: Partial<StudentMessage> & Pick<StudentMessage, 'chat' | 'from' | 'sentAt'>): StudentMessage {
  return { channel: 'telegram', kind: 'text', duplicated: false, passive: [], resent: 0, ...overrides };
}

describe('how the chaos run matches answers to messages', () => {
  it('counts an answer with its follow-up prompt once, the same answer sent again twice, nothing as lost', () => {
    expect(answersIn([answer, ratingPrompt])).toBe(1);
    expect(answersIn([answer, ratingPrompt, answer, ratingPrompt])).toBe(2);
    // cut off by a kill after the first message, then answered in full after the restart
    expect(answersIn([answer, answer, ratingPrompt])).toBe(2);
    expect(answersIn([])).toBe(0);
  });

  it('gives each message the bot messages sent to its chat until the next one, leaving out teachers\u2019 replies and edit notices', () => {
    const ledger = new ChaosLedger();
    const chat: BotMessage[] = [
      { text: answer },
      { text: ratingPrompt },
      { text: '【老师回复】王老师：\n你好，明天来办公室。回复编号 R1' },
      { text: stickerReply },
      { text: '修改过的消息我不会重新读取。', replyTo: 1 },
      { text: stickerReply },
    ];
    ledger.record(message({ chat: '42', from: 0, sentAt: 1 })); // answer + rating prompt
    ledger.record(message({ chat: '42', kind: 'edit', editOf: 1, from: 2, sentAt: 2 }));
    ledger.record(message({ chat: '42', kind: 'sticker', from: 2, sentAt: 3 })); // (teacher's reply left out) sticker reply
    ledger.record(message({ chat: '42', kind: 'sticker', from: 4, sentAt: 4 })); // (edit notice left out) sticker reply
    ledger.record(message({ chat: '42', from: 6, sentAt: 5 })); // never answered
    ledger.replies.push({ token: 'R1', chat: '42', ticketId: 1 }, { token: 'R2', chat: '42', ticketId: 2 });
    const tally = ledger.tally(() => chat);
    expect(tally.rows.map(({ label, sent, answeredOnce, lost, answeredTwice }) => ({ label, sent, answeredOnce, lost, answeredTwice }))).toEqual([
      { label: 'Telegram 文字', sent: 2, answeredOnce: 1, lost: 1, answeredTwice: 0 },
      { label: 'Telegram 编辑', sent: 1, answeredOnce: 1, lost: 0, answeredTwice: 0 },
      { label: 'Telegram 贴纸', sent: 2, answeredOnce: 2, lost: 0, answeredTwice: 0 },
    ]);
    expect(tally.total).toMatchObject({ sent: 5, answeredOnce: 4, lost: 1, answeredTwice: 0 });
    expect(tally.replies).toEqual({ sent: 2, delivered: 1, duplicated: 0, lost: 1, wrongChat: 0 });
    expect(tally.anomalies).toEqual([expect.objectContaining({ label: 'Telegram 文字', chat: '42', answers: 0, replies: [] })]);
  });

  it('counts an Official Account message\u2019s passive replies with the customer-service messages of its window, and a teacher\u2019s reply that arrives twice or elsewhere', () => {
    const ledger = new ChaosLedger();
    const messages: Record<string, BotMessage[]> = {
      'o-1': [{ text: answer }, { text: '【老师回复】李老师：\n好的。回复编号 R7' }, { text: '【老师回复】李老师：\n好的。回复编号 R7' }],
      'o-2': [{ text: '【老师回复】李老师：\n在的。回复编号 R8' }],
    };
    // passive reply, then (a retry answered again) the same answer through customer service
    ledger.record(message({ chat: 'o-1', channel: 'wechat-oa', from: 0, sentAt: 1, passive: [answer], duplicated: true }));
    ledger.record(message({ chat: 'o-2', channel: 'wechat-oa', from: 0, sentAt: 2, passive: [stickerReply], kind: 'sticker' }));
    ledger.replies.push({ token: 'R7', chat: 'o-1', ticketId: 7 }, { token: 'R8', chat: 'o-1', ticketId: 8 });
    ledger.kills.push({ atSeconds: 0, downSeconds: 1, at: 1.5 });
    const tally = ledger.tally((_channel: ChaosChannel, chat: string) => messages[chat] ?? []);
    expect(tally.total).toMatchObject({ sent: 2, answeredOnce: 1, lost: 0, answeredTwice: 1, twiceAcrossKill: 1 });
    expect(tally.replies).toEqual({ sent: 2, delivered: 2, duplicated: 1, lost: 0, wrongChat: 1 });
    expect(formatTally(tally)).toMatch(/合计 all messages\s+2\s+1\s+0\s+1/u);
  });
});
