import type { EventEmitter } from 'node:events';
import { FileBox } from 'file-box';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { types } from 'wechaty';
import { PuppetMock, mock } from 'wechaty-puppet-mock';
import { Assistant } from '../../src/assistant.ts';
import { answersFor, itemReplies } from '../../src/career/testing.ts';
import { SqlConversationStore } from '../../src/conversation/conversation-store.ts';
import { ConversationCore } from '../../src/conversation/core.ts';
import { Inbox } from '../../src/conversation/inbox.ts';
import { loadConfig } from '../../src/config.ts';
import { Outbox } from '../../src/escalation/outbox.ts';
import { TicketDesk } from '../../src/escalation/tickets.ts';
import { createTestDatabase } from '../../src/store/testing.ts';
import { startWechaty, wechatyChannel, wechatyLoginState, type WechatyHandle, type WechatyTurn } from './wechaty-bot.ts';

const minutes = 60_000;

type MockContact = ReturnType<mock.Mocker['createContact']>;
type MockRoom = ReturnType<mock.Mocker['createRoom']>;
type MockMessage = InstanceType<mock.Mocker['MessageMock']>;

/** The mock's contacts and rooms are event emitters (their typings lose that under NodeNext). */
const onMessage = (target: MockContact | MockRoom, listener: (message: MockMessage) => void): void => {
  (target as unknown as EventEmitter).on('message', listener);
};

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the wechaty channel (wechaty-puppet-mock, the real core)', { timeout: 3 * minutes }, () => {
  let assistant: Assistant;
  let store: SqlConversationStore;
  let tickets: TicketDesk;
  let outbox: Outbox;
  let mocker: mock.Mocker;
  let puppet: PuppetMock;
  let wechat: WechatyHandle;
  let self: MockContact;
  const turns: WechatyTurn[] = [];
  const logLines: string[] = [];
  const contactIds: string[] = [];

  /** What the bot sent to a contact (1:1) or a room, in order. */
  const sent = new Map<string, MockMessage[]>();
  const watch = (target: MockContact | MockRoom): void => {
    sent.set(target.id, []);
    contactIds.push(target.id);
    onMessage(target, (message) => {
      const { talkerId, listenerId, roomId } = message.payload as { talkerId?: string; listenerId?: string; roomId?: string };
      if (talkerId !== self.id) return;
      if (roomId ? roomId === target.id : listenerId === target.id) sent.get(target.id)!.push(message);
    });
  };
  const textsTo = (target: MockContact | MockRoom): string[] => sent.get(target.id)!.filter((message) => message.type() === types.Message.Text).map((message) => message.text() ?? '');

  /** Sends a message from a contact and waits until the bot has handled it. */
  const say = async (from: MockContact, text: string | FileBox, to: MockContact | MockRoom = self, mentions: MockContact[] = []): Promise<WechatyTurn> => {
    const before = turns.length;
    from.say(text, mentions).to(to);
    await waitFor(() => turns.length > before, 'the bot to handle a message');
    return turns.at(-1)!;
  };

  beforeAll(async () => {
    assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
    store = new SqlConversationStore(assistant.db);
    tickets = new TicketDesk(assistant.db);
    outbox = new Outbox(assistant.db);
    const core = new ConversationCore(assistant, store, { rateEveryAnswers: 0, tickets });
    await assistant.db.query(`insert into users (username, display_name, password_hash, role) values ('wang', '王老师', 'x', 'teacher')`);

    mocker = new mock.Mocker();
    puppet = new PuppetMock({ mocker });
    const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
    wechat = await startWechaty({ puppet, core, inbox: new Inbox(assistant.db), outbox, log, friendPolicy: 'accept', onTurn: (turn) => turns.push(turn) });
  }, 2 * minutes);

  afterAll(async () => {
    await wechat?.stop();
    await assistant?.close();
  });

  it('shows the login QR code while a scan is awaited, then logs in', async () => {
    expect(wechatyLoginState().status).toBe('starting');
    mocker.scan('https://login.weixin.qq.com/l/abc=', types.ScanStatus.Waiting);
    await waitFor(() => wechatyLoginState().status === 'scan', 'the scan state');
    expect(wechatyLoginState()).toMatchObject({
      qrcode: 'https://login.weixin.qq.com/l/abc=',
      qrUrl: 'https://wechaty.js.org/qrcode/https%3A%2F%2Flogin.weixin.qq.com%2Fl%2Fabc%3D',
      scanStatus: 'Waiting',
    });
    self = mocker.createContact({ name: '职引' });
    mocker.login(self);
    await waitFor(() => wechat.loginState().status === 'logged-in', 'the login');
    expect(wechatyLoginState()).toMatchObject({ status: 'logged-in', qrUrl: null });
  });

  it('answers a policy question in a 1:1 chat with a cited answer and keeps the conversation', async () => {
    const [amy] = mocker.createContacts(1) as [MockContact];
    watch(amy);
    const turn = await say(amy, '实习单位能扣我身份证吗？');
    expect(turn).toMatchObject({ kind: 'text', room: false, handledAs: 'policy' });
    const [answer] = textsTo(amy);
    expect(answer).toMatch(/《[^》]+》/u);
    expect(answer).toContain('不得扣押学生的学生证、居民身份证');

    const { id } = await store.open(wechatyChannel, amy.id);
    const history = await store.history(id);
    expect(history.map((message) => message.role)).toEqual(['student', 'assistant']);
    expect(history[0]!.text).toBe('实习单位能扣我身份证吗？');
  });

  it('in a room answers only when @mentioned, with the mention taken out, and @mentions the student', async () => {
    const [ben, cat] = mocker.createContacts(2) as [MockContact, MockContact];
    const room = mocker.createRoom({ memberIdList: [self.id, ben.id, cat.id], topic: '23级数控1班' });
    watch(room);
    const before = turns.length;
    ben.say('实习可以收押金吗').to(room);
    const answered = await say(cat, '@职引 实习可以收押金吗', room, [self]);
    expect(turns.length).toBe(before + 1); // the message without a mention was not handled
    expect(answered).toMatchObject({ room: true, handledAs: 'policy' });
    const texts = textsTo(room);
    expect(texts).toHaveLength(1);
    expect(texts[0]!.startsWith(`@${cat.payload.name}`)).toBe(true);
    expect(texts[0]).toContain('押金');

    const { id } = await store.open(wechatyChannel, cat.id);
    expect((await store.history(id))[0]!.text).toBe('实习可以收押金吗');
    expect(await store.history((await store.open(wechatyChannel, ben.id)).id)).toEqual([]);
  });

  it('answers an image with a clear text reply', async () => {
    const [dan] = mocker.createContacts(1) as [MockContact];
    watch(dan);
    const turn = await say(dan, FileBox.fromBase64(Buffer.from('not really a png').toString('base64'), 'photo.png'));
    expect(turn).toMatchObject({ kind: 'image', handledAs: 'unsupported' });
    expect(textsTo(dan)).toHaveLength(1);
    expect(textsTo(dan)[0]).toContain('图片');
  });

  it('answers a message delivered twice once', async () => {
    const [eve] = mocker.createContacts(1) as [MockContact];
    watch(eve);
    const ids: string[] = [];
    onMessage(eve, (message) => {
      if ((message.payload as { talkerId?: string }).talkerId === eve.id) ids.push(message.id);
    });
    await say(eve, '中职学校要配几名职业指导老师？');
    expect(textsTo(eve)).toHaveLength(1);

    const before = turns.length;
    puppet.emit('message', { messageId: ids[0]! });
    await waitFor(() => turns.length > before, 'the redelivered message');
    expect(turns.at(-1)!.handledAs).toBe('duplicate');
    expect(textsTo(eve)).toHaveLength(1);
    const { id } = await store.open(wechatyChannel, eve.id);
    expect(await store.history(id)).toHaveLength(2);
  });

  it('answers after the next login a message stored but not answered before (a stop, a crash, a logout)', async () => {
    const [gus] = mocker.createContacts(1) as [MockContact];
    watch(gus);
    await puppet.logout();
    await waitFor(() => wechat.loginState().status === 'logged-out', 'the logout');
    // what a process that stopped after storing the message left in the inbox
    const inbound = { channel: wechatyChannel, userId: gus.id, messageId: 'stored-before-1', kind: 'text' as const, text: '中职学校要配几名职业指导老师？' };
    expect(await new Inbox(assistant.db).receive(wechatyChannel, inbound.messageId, gus.id, { inbound, talkerId: gus.id })).toBe('new');
    const before = turns.length;
    mocker.login(self);
    await waitFor(() => turns.length > before, 'the stored message to be answered');
    expect(turns.at(-1)).toMatchObject({ kind: 'text', handledAs: 'policy' });
    expect(textsTo(gus)).toHaveLength(1);
    expect(textsTo(gus)[0]).toContain('《中等职业学校职业指导工作规定》');
  });

  it('delivers a teacher’s reply through the outbox sender to the student exactly once', async () => {
    const [fay] = mocker.createContacts(1) as [MockContact];
    watch(fay);
    const turn = await say(fay, '转人工');
    expect(turn.handledAs).toBe('escalation');
    const { id } = await store.open(wechatyChannel, fay.id);
    const ticket = await tickets.openTicketOf(id);
    const [{ id: teacher }] = (await assistant.db.query<{ id: number }>(`select id from users where username = 'wang'`)).rows as [{ id: number }];
    const countBefore = textsTo(fay).length;
    await tickets.reply(ticket!.id, Number(teacher), '你好，我是王老师。押金的事我来帮你问。');
    expect(outbox.channels).toContain(wechatyChannel);
    await outbox.deliverDue();
    await outbox.deliverDue();
    await waitFor(() => textsTo(fay).length > countBefore, 'the teacher’s reply');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fromTeacher = textsTo(fay).slice(countBefore);
    expect(fromTeacher).toHaveLength(1);
    expect(fromTeacher[0]).toContain('你好，我是王老师。押金的事我来帮你问。');
  });

  it('shows choices as numbered lines, takes a number as the choice, and sends the written plan as a file', async () => {
    const [gus] = mocker.createContacts(1) as [MockContact];
    watch(gus);
    await say(gus, '职业规划');
    expect(textsTo(gus)[0]).toMatch(/\n\n1\. 中职\n2\. 高职\n3\. 本科$/u);
    const intake = ['1', '二年级', '数控技术应用', '辽宁沈阳', '修车、打篮球', '1,3', '就业'];
    const items = itemReplies(answersFor({ R: [5, 5, 5, 5], I: [4, 4, 4, 4], C: [4, 4, 3, 3], E: [3, 3, 3, 3], A: [2, 2, 2, 2], S: [2, 2, 2, 2] }));
    for (const message of [...intake, ...items]) expect((await say(gus, message)).handledAs).toBe('dialogue');
    await say(gus, '收入');

    const { id } = await store.open(wechatyChannel, gus.id);
    const plan = await store.latestPlan(id);
    expect(plan).not.toBeNull();
    const files = sent.get(gus.id)!.filter((message) => message.type() !== types.Message.Text);
    expect(files).toHaveLength(1);
    const file = await puppet.messageFile(files[0]!.id);
    expect(file.name).toMatch(/^职业规划-\d{4}-\d{2}-\d{2}\.md$/u);
    expect((await file.toBuffer()).toString('utf8')).toBe(plan!.markdown);
  });

  it('accepts a friend request and greets the new friend with the menu', async () => {
    const [hal] = mocker.createContacts(1) as [MockContact];
    watch(hal);
    const accepted: string[] = [];
    puppet.friendshipAccept = async (friendshipId: string) => void accepted.push(friendshipId);
    const payloads: Record<string, unknown> = {
      'fr-1': { id: 'fr-1', contactId: hal.id, hello: '你好', ticket: 't', timestamp: Date.now(), type: types.Friendship.Receive },
      'fr-2': { id: 'fr-2', contactId: hal.id, timestamp: Date.now(), type: types.Friendship.Confirm },
    };
    puppet.friendshipRawPayload = async (id: string) => payloads[id];
    puppet.emit('friendship', { friendshipId: 'fr-1' });
    await waitFor(() => accepted.length === 1, 'the friend request to be accepted');
    expect(accepted).toEqual(['fr-1']);
    puppet.emit('friendship', { friendshipId: 'fr-2' });
    await waitFor(() => textsTo(hal).length > 0, 'the greeting');
    expect(textsTo(hal)[0]).toContain('职业规划');
    expect(textsTo(hal)[0]).toMatch(/\n1\. 职业规划\n2\. 我的规划\n3\. 转人工$/u);
  });

  it('logs what happened without message text, names or contact ids', () => {
    expect(logLines.some((line) => line.includes('https://wechaty.js.org/qrcode/'))).toBe(true);
    expect(logLines.filter((line) => line.includes('wechat message handled')).length).toBeGreaterThan(5);
    const logged = logLines.join('\n');
    for (const secret of ['身份证', '押金', '王老师', '职引', ...contactIds]) expect(logged).not.toContain(secret);
  });
});
