import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { TicketDesk } from '../escalation/tickets.ts';
import { createTestDatabase } from '../store/testing.ts';
import { SqlConversationStore } from './conversation-store.ts';
import { ConversationCore } from './core.ts';
import { dailyChart, ratingsChart, reportMarkdown, reportPeriod, weeklyReport } from './weekly-report.ts';

describe('the weekly report', () => {
  let assistant: Assistant;

  beforeAll(async () => {
    assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
    const desk = new TicketDesk(assistant.db);
    const core = new ConversationCore(assistant, new SqlConversationStore(assistant.db), { tickets: desk, rateEveryAnswers: 1 });
    const say = (userId: string, text: string) => core.handle({ channel: 'telegram', userId, kind: 'text', text });
    await say('a', '实习单位能扣我身份证吗？');
    await say('a', '5');
    await say('b', '中职学校要配几名职业指导老师？');
    await say('b', '2');
    await say('c', '学校食堂晚上几点关门？');
    await say('d', '我要转人工');
  }, 300_000);
  afterAll(async () => assistant?.close());

  it('counts questions, outcomes, tickets and ratings of the period, with the gaps and charts', async () => {
    const report = await weeklyReport(assistant.db, { ...reportPeriod(new Date(), 1), words: (text) => assistant.tokenizer.words(text) });
    expect(report.students).toBe(4);
    expect(report.questions).toBe(4); // the two ratings are not questions
    expect(report.outcomes.answer).toBe(2);
    expect(report.outcomes.escalate).toBe(1);
    expect(report.days).toHaveLength(7);
    expect(report.days.reduce((sum, day) => sum + day.answer + day.clarify + day.abstain + day.escalate, 0)).toBe(4);
    expect(report.tickets.opened).toBe(1);
    expect(report.tickets.byReason).toEqual({ person: 1 });
    expect(report.ratings).toMatchObject({ count: 2, average: 3.5, byScore: [0, 1, 0, 0, 1] });
    expect(report.gaps.flatMap((group) => group.examples.map((example) => example.text))).toContain('学校食堂晚上几点关门？');

    const markdown = reportMarkdown(report, { daily: 'daily.svg', ratings: 'ratings.svg' });
    expect(markdown).toMatch(/^# 职引周报 \d{4}-\d{2}-\d{2} — \d{4}-\d{2}-\d{2}/u);
    expect(markdown).toContain('学生提问 4 次，来自 4 位学生');
    expect(markdown).toContain('| 已回答 | 2 | 50% |');
    expect(markdown).toContain('新开工单 1 张（要找老师 1）');
    expect(markdown).toContain('2 个评分，平均 3.50 分；1–2 分 1 个。');
    expect(markdown).toContain('![每天的提问](daily.svg)');
    expect(markdown).not.toMatch(/telegram|"a"|"b"/u);

    const daily = dailyChart(report);
    expect(daily).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/u);
    expect(daily.match(/<rect [^>]*fill="#0f766e"/gu)?.length).toBeGreaterThanOrEqual(1);
    expect(ratingsChart(report)).toContain('5 分');
  });

  it('covers whole China-time days, today included', () => {
    const { since, until } = reportPeriod(new Date('2026-12-02T20:30:00Z'), 1); // 04:30 on 12-03 in China
    expect(until.toISOString()).toBe('2026-12-03T16:00:00.000Z');
    expect(since.toISOString()).toBe('2026-11-26T16:00:00.000Z');
  });

  it('is empty, not broken, for a period without messages', async () => {
    const report = await weeklyReport(assistant.db, { since: new Date('2020-01-01T00:00:00Z'), until: new Date('2020-01-08T00:00:00Z'), words: (text) => assistant.tokenizer.words(text) });
    expect(report).toMatchObject({ questions: 0, students: 0, tickets: { opened: 0, slaMet: null }, ratings: { count: 0, average: null } });
    expect(reportMarkdown(report)).toContain('本周没有评分。');
    expect(dailyChart(report)).toContain('</svg>');
  });
});
