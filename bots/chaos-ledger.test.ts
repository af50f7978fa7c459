import { describe, expect, it } from 'vitest';
import { ChaosLedger, answersIn, formatTally, turnAnswersIn, type BotMessage, type ChaosChannel, type StudentMessage } from './chaos-ledger.ts';

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

  it('counts a Telegram answer by the bot\u2019s turn: the parts of a long answer and its late tail are one answer, a turn after a kill another', () => {
    const typing: BotMessage = { text: '', startsTurn: true };
    const forwarded = '已转给老师，老师的回复会发到这里（预计 12月4日 17:00 前）。如果情况紧急，请直接联系班主任或辅导员。';
    // typing again while the core works, then an answer in two parts and the rating prompt: one answer
    expect(turnAnswersIn([typing, typing, { text: answer }, { text: '【原文】第十六条……' }, { text: ratingPrompt }])).toBe(1);
    // the previous message's notice arriving late, then this one's (the same notice): one answer, not two
    expect(turnAnswersIn([{ text: forwarded }, typing, { text: forwarded }])).toBe(1);
    // answered, killed, taken up again and answered again: two turns
    expect(turnAnswersIn([typing, { text: answer }, typing, { text: answer }, { text: ratingPrompt }])).toBe(2);
    // a part sent twice within one turn (a send retried after it went through) is seen twice
    expect(turnAnswersIn([typing, { text: answer }, { text: answer }])).toBe(2);
    // typing but no answer (the core found a duplicate, or a kill), and nothing after the late tail: lost
    expect(turnAnswersIn([{ text: forwarded }, typing])).toBe(0);
    // teachers' replies and edit notices in a turn are not its answer
    expect(turnAnswersIn([typing, { text: '【老师回复】王老师：\n你好。回复编号 R3' }, { text: '修改过的消息我不会重新读取。', replyTo: 4 }, { text: answer }])).toBe(1);

    // the second message sent while the first was being answered (the student gave up waiting):
    // the first's turn began in its window and runs on into the second's
    const ledger = new ChaosLedger();
    const chat: BotMessage[] = [typing, { text: forwarded }, typing, { text: forwarded }, { text: ratingPrompt }];
    const first = ledger.record(message({ chat: '43', from: 0, sentAt: 1 }));
    ledger.record(message({ chat: '43', from: 1, sentAt: 2 }));
    expect(ledger.answersSoFar(first, chat.slice(0, 1))).toEqual([]);
    expect(ledger.tally(() => chat).total).toMatchObject({ sent: 2, answeredOnce: 2, lost: 0, answeredTwice: 0 });
  });

  it('gives each message the bot messages sent to its chat until the next one, leaving out teachers\u2019 replies and edit notices', () => {
    const ledger = new ChaosLedger();
    const typing: BotMessage = { text: '', startsTurn: true };
    const chat: BotMessage[] = [
      typing,
      { text: answer },
      { text: ratingPrompt },
      { text: '【老师回复】王老师：\n你好，明天来办公室。回复编号 R1' },
      typing,
      { text: stickerReply },
      { text: '修改过的消息我不会重新读取。', replyTo: 1 },
      typing,
      { text: stickerReply },
      typing,
    ];
    ledger.record(message({ chat: '42', from: 0, sentAt: 1 })); // answer + rating prompt
    ledger.record(message({ chat: '42', kind: 'edit', editOf: 1, from: 4, sentAt: 2 }));
    ledger.record(message({ chat: '42', kind: 'sticker', from: 4, sentAt: 3 })); // (teacher's reply left out) sticker reply
    ledger.record(message({ chat: '42', kind: 'sticker', from: 7, sentAt: 4 })); // (edit notice left out) sticker reply
    ledger.record(message({ chat: '42', from: 9, sentAt: 5 })); // taken up, never answered
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
