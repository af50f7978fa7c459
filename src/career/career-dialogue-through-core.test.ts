import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { SqlConversationStore } from '../conversation/conversation-store.ts';
import { ConversationCore } from '../conversation/core.ts';
import type { InboundMessage } from '../conversation/types.ts';
import { createTestDatabase } from '../store/testing.ts';
import { say } from './career-texts.ts';
import type { CareerPlan, PlanningState } from './planning-dialogue.ts';
import { askingOrder } from './riasec-items.ts';
import { answersFor, itemReplies } from './testing.ts';

const minutes = 60_000;
const now = new Date('2026-11-25T08:00:00Z');
const text = (userId: string, message: string): InboundMessage => ({ channel: 'test', userId, kind: 'text', text: message });
const intake = ['职业规划', '中职', '二年级', '数控技术应用', '辽宁沈阳', '修车、打篮球', '1,3', '就业'];
const items = itemReplies(answersFor({ R: [5, 5, 5, 5], I: [4, 4, 4, 4], C: [4, 4, 3, 3], E: [3, 3, 3, 3], A: [2, 2, 2, 2], S: [2, 2, 2, 2] }));
const askItem = (n: number): string => say('text', 'ask_item', { n, total: 24, text: askingOrder()[n - 1]!.text });

async function send(core: ConversationCore, userId: string, messages: readonly string[]) {
  let last: Awaited<ReturnType<ConversationCore['handle']>> | undefined;
  for (const message of messages) last = await core.handle(text(userId, message));
  return last!;
}

describe('the career dialogue through the conversation core', { timeout: 2 * minutes }, () => {
  let assistant: Assistant;
  let store: SqlConversationStore;
  let core: ConversationCore;

  beforeAll(async () => {
    assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
    store = new SqlConversationStore(assistant.db);
    core = new ConversationCore(assistant, store, { rateEveryAnswers: 0, now: () => now });
  }, 2 * minutes);
  afterAll(async () => assistant?.close());

  it('takes a student from 职业规划 to a stored plan with cited clauses and an assessment record', async () => {
    const started = await core.handle(text('wang', '职业规划'));
    expect(started.handledAs).toBe('dialogue');
    expect(started.replies[0]!.text.startsWith(say('text', 'intro', { items: 24 }))).toBe(true);
    expect(started.replies[0]!.choices?.map((choice) => choice.label)).toEqual(['中职', '高职', '本科']);

    const assessing = await send(core, 'wang', intake.slice(1));
    expect(assessing.replies[0]!.text).toContain(askItem(1));
    expect(assessing.replies[0]!.choices).toHaveLength(5);
    await send(core, 'wang', items);
    const done = await core.handle(text('wang', '收入'));

    expect(done.handledAs).toBe('dialogue');
    expect(done.replies.map((reply) => reply.text.split('\n')[0])).toEqual([
      say('text', 'done'),
      say('plan', 'chat_title'),
      assistant.replies.render('zh', 'plan_saved'),
      assistant.replies.render('zh', 'ask_rating_plan'),
    ]);
    expect(done.replies[1]!.text).toContain('·《中等职业学校职业指导工作规定》第十六条：');
    expect(done.replies[2]!.document).toMatchObject({ fileName: '职业规划-2026-11-25.md', mimeType: 'text/markdown' });

    const { id, state } = await store.open('test', 'wang');
    expect(state).toMatchObject({ mode: null, planning: null, pendingRating: 'plan' });
    const stored = await store.latestPlan(id);
    const plan = stored!.plan as CareerPlan;
    expect(plan.code).toBe('RIC');
    expect(plan.directions[0]!.id).toBe('smart-manufacturing');
    expect(plan.actions.map((action) => action.date)).toEqual(['2026-12-09', '2026-12-25', '2027-03-01']);
    expect(stored!.markdown).toBe(done.replies[2]!.document!.content);
    expect(stored!.markdown).toContain('- 《中等职业学校职业指导工作规定》第十六条（教育部｜全国｜');
    expect(stored!.markdown).toContain('  > 原文：「建立学生职业生涯档案，跟踪指导学生成长……提供有针对性的咨询服务或小组辅导」');
    expect(stored!.markdown).toContain('《关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见》二、11.');
    expect(stored!.markdown).toContain('应当保密（《高校毕业（含中职生）职业指导服务规范》6.2）');
    expect(stored!.markdown).not.toContain(say('plan', 'closing_confidential_plain'));

    const { rows } = await assistant.db.query<{ result: { code: string; answers: Record<string, number> } }>(
      'select result from assessments where conversation_id = $1',
      [id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.result.code).toBe('RIC');
    expect(Object.keys(rows[0]!.result.answers)).toHaveLength(24);
  });

  it('shows the stored plan on 我的规划, with the Markdown document attached', async () => {
    const shown = await core.handle(text('wang', '我的规划'));
    expect(shown.handledAs).toBe('command');
    expect(shown.replies[0]!.text.startsWith(say('plan', 'chat_title'))).toBe(true);
    expect(shown.replies[0]!.text).toContain('兴趣代码 RIC');
    const { id } = await store.open('test', 'wang');
    // The file name carries the row's created_at (the database clock), not the core's injected clock.
    expect(shown.replies[1]!.document).toEqual({
      fileName: expect.stringMatching(/^职业规划-\d{4}-\d{2}-\d{2}\.md$/u),
      mimeType: 'text/markdown',
      content: (await store.latestPlan(id))!.markdown,
    });
  });

  it('pauses on 退出 mid-assessment, answers a policy question meanwhile, and resumes at the same item', async () => {
    await send(core, 'li', [...intake, ...items.slice(0, 4)]);
    const quit = await core.handle(text('li', '退出'));
    expect(quit.replies[0]!.text).toBe(say('text', 'quit', { where: say('text', 'where_item', { n: 5, total: 24 }) }));
    const paused = (await store.open('test', 'li')).state;
    expect(paused.mode).toBeNull();
    expect(paused.planning).toMatchObject({ step: 'assessment', item: 4 });

    const policy = await core.handle(text('li', '实习单位能扣我身份证吗？'));
    expect(policy.handledAs).toBe('policy');

    const resumed = await core.handle(text('li', '职业规划'));
    expect(resumed.replies.map((reply) => reply.text)).toEqual([assistant.replies.render('zh', 'planning_resume'), askItem(5)]);
    expect(resumed.replies[1]!.choices).toHaveLength(5);
    const next = await core.handle(text('li', '4'));
    expect(next.replies[0]!.text).toBe(askItem(6));
  });
});

describe('the career dialogue across a restart', { timeout: 4 * minutes }, () => {
  let dataDir: string;
  afterAll(async () => rm(dataDir, { recursive: true, force: true }));

  it('continues the assessment after the process stops and starts again', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-career-restart-'));
    const config = loadConfig({ LOG_LEVEL: 'silent', ZHIYIN_DATA_DIR: dataDir });
    const first = await Assistant.open(config);
    try {
      await send(new ConversationCore(first, new SqlConversationStore(first.db), { rateEveryAnswers: 0, now: () => now }), 'zhao', [
        ...intake,
        ...items.slice(0, 10),
      ]);
    } finally {
      await first.close();
    }

    const second = await Assistant.open(config);
    try {
      const store = new SqlConversationStore(second.db);
      const core = new ConversationCore(second, store, { rateEveryAnswers: 0, now: () => now });
      expect(((await store.open('test', 'zhao')).state.planning as PlanningState).item).toBe(10);
      const next = await core.handle(text('zhao', items[10]!));
      expect(next.replies[0]!.text).toBe(askItem(12));
      const done = await send(core, 'zhao', [...items.slice(11), '稳定']);
      expect(done.replies[0]!.text).toBe(say('text', 'done'));
      const { id } = await store.open('test', 'zhao');
      expect(((await store.latestPlan(id))!.plan as CareerPlan).code).toBe('RIC');
    } finally {
      await second.close();
    }
  });
});
