import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { Outbox } from '../escalation/outbox.ts';
import { TicketDesk } from '../escalation/tickets.ts';
import { createTestDatabase } from '../store/testing.ts';
import { ConversationCore } from './core.ts';
import { SqlConversationStore } from './conversation-store.ts';
import type { InboundMessage } from './types.ts';

const text = (userId: string, message: string): InboundMessage => ({ channel: 'test', userId, kind: 'text', text: message });

describe('the conversation core with the teachers’ queue', () => {
  let assistant: Assistant;
  let store: SqlConversationStore;
  let tickets: TicketDesk;
  let core: ConversationCore;
  const now = () => new Date('2026-11-27T02:00:00Z'); // Friday 10:00 in China

  beforeAll(async () => {
    assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
    store = new SqlConversationStore(assistant.db);
    tickets = new TicketDesk(assistant.db, now);
    core = new ConversationCore(assistant, store, { rateEveryAnswers: 0, tickets, now });
    await assistant.db.query(`insert into users (username, display_name, password_hash, role) values ('wang', '王老师', 'x', 'teacher')`);
  });
  afterAll(async () => assistant?.close());

  const ticketsOf = async (userId: string) => {
    const { id } = await store.open('test', userId);
    return (await tickets.list({ status: 'active' })).filter((ticket) => ticket.conversationId === id);
  };

  it('opens one ticket for 转人工 and tells the student when to expect a teacher; asking again joins it', async () => {
    const first = await core.handle(text('amy', '转人工'));
    expect(first.outcome).toBe('escalate');
    expect(first.replies.at(-1)!.text).toContain('11月30日（周一）17:30');
    const again = await core.handle(text('amy', '我要找老师'));
    expect(again.ticketId).toBe(first.ticketId);
    expect(again.replies.at(-1)!.text).toContain('不会重复排队');
    const open = await ticketsOf('amy');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ reason: 'person', status: 'open' });
  });

  it('relays the student’s next messages to the open ticket instead of answering them, until it is closed', async () => {
    const { ticketId } = await core.handle(text('ben', '转人工'));
    const relayed = await core.handle(text('ben', '实习单位让我们周末也去上班'));
    expect(relayed.handledAs).toBe('relayed');
    expect(relayed.citations).toEqual([]);
    expect((await tickets.messages(ticketId!)).map((message) => message.text)).toEqual(['转人工', '实习单位让我们周末也去上班']);

    const [{ id: teacher }] = (await assistant.db.query<{ id: number }>(`select id from users where username = 'wang'`)).rows as [{ id: number }];
    await tickets.close(ticketId!, Number(teacher));
    const answered = await core.handle(text('ben', '实习单位能扣我身份证吗？'));
    expect(answered.handledAs).toBe('policy');
    expect(answered.outcome).toBe('answer');
  });

  it('relays a teacher’s reply to the student’s channel once and keeps it in the conversation history', async () => {
    const { ticketId } = await core.handle(text('ivy', '转人工'));
    const [{ id: teacher }] = (await assistant.db.query<{ id: number }>(`select id from users where username = 'wang'`)).rows as [{ id: number }];
    await tickets.reply(ticketId!, Number(teacher), '你好，我是王老师。');
    const delivered: [string, string][] = [];
    const outbox = new Outbox(assistant.db, { now });
    outbox.register('test', { send: async (recipient, message) => void delivered.push([recipient, message]) });
    await outbox.deliverDue();
    await outbox.deliverDue();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]![0]).toBe('ivy');
    expect(delivered[0]![1]).toContain('你好，我是王老师。');
    const { id } = await store.open('test', 'ivy');
    expect((await store.history(id)).map((message) => message.role)).toEqual(['student', 'assistant', 'assistant', 'teacher']);
  });

  it('puts a crisis at the top of the queue with hotline numbers from the hotline file, also mid-ticket', async () => {
    await core.handle(text('cat', '转人工'));
    const crisis = await core.handle(text('cat', '我不想活了'));
    expect(crisis.replies[0]!.text).toContain('12356 全国心理援助热线');
    expect(crisis.replies[0]!.text).toContain('110 或 120');
    const [ticket] = await ticketsOf('cat');
    expect(ticket).toMatchObject({ reason: 'crisis', priority: 0 });
    expect((await tickets.list())[0]!.id).toBe(ticket!.id);
  });

  it('hears a crisis anywhere in a long message, though the question it ends with is a policy question', async () => {
    const crisis = await core.handle(
      text('cleo', '我在河南读大三 最近在找实习 投了几十份都没回音 爸妈天天问 有时候真觉得活着没意思 不如一了百了 不过还是想问下 学校要不要给我们安排就业见习'),
    );
    expect(crisis.outcome).toBe('escalate');
    expect(crisis.replies[0]!.text).toContain('12356 全国心理援助热线');
    const [ticket] = await ticketsOf('cleo');
    expect(ticket).toMatchObject({ reason: 'crisis', priority: 0 });
  });

  it('asks a teacher after repeated questions the bot cannot support, and when the student says the answer was wrong', async () => {
    const unsupported = ['学校宿舍的热水几点供应', '毕业证丢了怎么补办'];
    const firstTry = await core.handle(text('dan', unsupported[0]!));
    expect(firstTry.outcome).toBe('abstain');
    const secondTry = await core.handle(text('dan', unsupported[1]!));
    expect(secondTry.outcome).toBe('escalate');
    expect((await ticketsOf('dan'))[0]).toMatchObject({ reason: 'low-confidence' });

    await core.handle(text('eve', '实习单位能扣我身份证吗？'));
    const wrong = await core.handle(text('eve', '你说的不对'));
    expect(wrong.outcome).toBe('escalate');
    const [ticket] = await ticketsOf('eve');
    expect(ticket).toMatchObject({ reason: 'low-confidence' });
    expect(ticket!.retrieved[0]).toMatchObject({ doc: 'liaoning-zhongzhi-quality', locator: '二、11.' });
  });

  it('raises a ticket of a student who says they belong to a 就业困难群体 above others of the same reason', async () => {
    await core.handle(text('fay', '转人工'));
    const noted = await core.handle(text('gus', '我家是低保户'));
    expect(noted.replies.some((reply) => reply.text.includes('优先'))).toBe(true);
    await core.handle(text('gus', '转人工'));
    const persons = (await tickets.list()).filter((ticket) => ticket.reason === 'person');
    const gus = (await ticketsOf('gus'))[0]!;
    expect(gus.difficultGroup).toBe(true);
    expect(persons[0]!.id).toBe(gus.id);
  });

  it('raises an open ticket when the student says, while waiting, that they belong to a 就业困难群体', async () => {
    await core.handle(text('hana', '转人工'));
    const relayed = await core.handle(text('hana', '我家是建档立卡贫困户'));
    expect(relayed.handledAs).toBe('relayed');
    const [ticket] = await ticketsOf('hana');
    expect(ticket).toMatchObject({ reason: 'person', difficultGroup: true });
    expect((await tickets.messages(ticket!.id)).map((message) => message.text)).toEqual(['转人工', '我家是建档立卡贫困户']);
  });

  it('makes no ticket in a dry run (no queue given)', async () => {
    const dry = new ConversationCore(assistant, store, { rateEveryAnswers: 0 });
    const turn = await dry.handle(text('hal', '转人工'));
    expect(turn.outcome).toBe('escalate');
    expect(turn.ticketId).toBeUndefined();
    expect(await ticketsOf('hal')).toEqual([]);
  });
});
