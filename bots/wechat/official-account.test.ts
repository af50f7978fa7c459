import { createHash } from 'node:crypto';
import { decrypt, encrypt, getSignature } from '@wecom/crypto';
import { XMLParser } from 'fast-xml-parser';
import { Hono } from 'hono';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../src/assistant.ts';
import { SqlConversationStore } from '../../src/conversation/conversation-store.ts';
import { ConversationCore } from '../../src/conversation/core.ts';
import { Inbox } from '../../src/conversation/inbox.ts';
import type { InboundMessage } from '../../src/conversation/types.ts';
import { loadConfig } from '../../src/config.ts';
import { Outbox } from '../../src/escalation/outbox.ts';
import { TicketDesk } from '../../src/escalation/tickets.ts';
import { ReplayGuard } from '../../src/store/replay-guard.ts';
import { createTestDatabase } from '../../src/store/testing.ts';
import { customerServiceSender } from './customer-service.ts';
import { FakeWechatApi } from './fake-wechat-api.ts';
import { utf8Bytes, wechatTexts } from './format.ts';
import { inboundOf as officialAccountInbound, officialAccountApp, officialAccountChannel, officialAccountNonceScope, officialAccountRequestScope, type OfficialAccountOptions } from './official-account.ts';

const minutes = 60_000;
const token = 'zhiyinTestToken2026';
const appId = 'wx5823bf96d3bd56c7';
const appSecret = 'test-app-secret';
const encodingAESKey = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const account = 'gh_0123456789ab';
const xmlReader = new XMLParser({ parseTagValue: false });

/** What WeChat's servers do: sign (and in safe mode encrypt) a message and POST it to the account's URL. */
class Platform {
  // Shared by every platform in the test: MsgIds are unique across the whole of WeChat.
  static #createTime = 1_700_000_000;
  static #msgId = 24_000_000_000_000_000n;

  constructor(readonly app: Hono) {}

  /** A user message's XML, with a fresh MsgId and CreateTime unless given. */
  message(openId: string, type: string, fields: Record<string, string> = {}, ids: { msgId?: string; createTime?: number } = {}): string {
    const createTime = ids.createTime ?? (Platform.#createTime += 1);
    const msgId = type === 'event' ? '' : `<MsgId>${ids.msgId ?? String((Platform.#msgId += 1n))}</MsgId>`;
    const body = Object.entries(fields)
      .map(([key, value]) => `<${key}><![CDATA[${value}]]></${key}>`)
      .join('');
    return `<xml><ToUserName><![CDATA[${account}]]></ToUserName><FromUserName><![CDATA[${openId}]]></FromUserName><CreateTime>${createTime}</CreateTime><MsgType><![CDATA[${type}]]></MsgType>${body}${msgId}</xml>`;
  }

  /**
   * A message signed (and in safe mode sealed) as WeChat does: the query and the body. The
   * timestamp is now unless given, the nonce fresh unless given; `tamper` spoils the signature.
   */
  signed(xml: string, options: { safe?: boolean; tamper?: boolean; sealFor?: string; timestamp?: number; nonce?: string } = {}): { query: URLSearchParams; body: string } {
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    const nonce = options.nonce ?? String(100_000_000 + Math.floor(Math.random() * 1_900_000_000));
    const openId = /<FromUserName><!\[CDATA\[(.*?)\]\]>/u.exec(xml)?.[1] ?? '';
    const query = new URLSearchParams({ signature: sha1Signature(options.tamper ? 'wrong' : token, timestamp, nonce), timestamp, nonce, openid: openId });
    let body = xml;
    if (options.safe) {
      const sealed = encrypt(encodingAESKey, xml, options.sealFor ?? appId);
      query.set('encrypt_type', 'aes');
      query.set('msg_signature', getSignature(options.tamper ? 'wrong' : token, timestamp, nonce, sealed));
      body = `<xml><ToUserName><![CDATA[${account}]]></ToUserName><Encrypt><![CDATA[${sealed}]]></Encrypt></xml>`;
    }
    return { query, body };
  }

  /** Sends a query and body as WeChat's servers (or someone replaying them) would. */
  async send({ query, body }: { query: URLSearchParams; body: string }, path = query.get('encrypt_type') === 'aes' ? '/wechat-safe' : '/wechat'): Promise<Response> {
    return this.app.request(`${path}?${query}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
  }

  /** POSTs a message as WeChat does. */
  async post(xml: string, options: { safe?: boolean; tamper?: boolean; sealFor?: string; timestamp?: number; nonce?: string } = {}): Promise<Response> {
    return this.send(this.signed(xml, options));
  }

  /** The text of a passive reply (opened and its signature checked in safe mode), or null for "success". */
  async replyText(response: Response): Promise<string | null> {
    expect(response.status).toBe(200);
    const body = await response.text();
    if (body === 'success' || body === '') return null;
    let xml = (xmlReader.parse(body) as { xml: Record<string, string> }).xml;
    if (xml.Encrypt) {
      expect(xml.MsgSignature).toBe(getSignature(token, xml.TimeStamp!, xml.Nonce!, xml.Encrypt));
      const opened = decrypt(encodingAESKey, xml.Encrypt);
      expect(opened.id).toBe(appId);
      xml = (xmlReader.parse(opened.message) as { xml: Record<string, string> }).xml;
    }
    expect(xml).toMatchObject({ FromUserName: account, MsgType: 'text' });
    return xml.Content!;
  }
}

const sha1Signature = (...parts: string[]): string => createHash('sha1').update(parts.sort().join('')).digest('hex');

describe('the Official Account webhook (requests as WeChat makes them, the real core)', { timeout: 3 * minutes }, () => {
  let assistant: Assistant;
  let store: SqlConversationStore;
  let core: ConversationCore;
  let tickets: TicketDesk;
  let api: FakeWechatApi;
  let platform: Platform;

  const logLines: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) });
  /** An account in plain mode at /wechat and one in safe mode (with the EncodingAESKey) at /wechat-safe, nonces in the database. */
  const mount = (options: Partial<OfficialAccountOptions> = {}, instance = 'local'): Platform => {
    const server = new Hono();
    const replays = new ReplayGuard(assistant.db);
    // each app its own inbox (one handler per channel and inbox), all in the test's database
    const inbox = (): Inbox => {
      const made = new Inbox(assistant.db, { log, instance, retryDelayMs: 50 });
      inboxes.push(made);
      return made;
    };
    server.route('/wechat', officialAccountApp({ token, appId, core, inbox: inbox(), log, replays, ...options }));
    server.route('/wechat-safe', officialAccountApp({ token, appId, encodingAESKey, core, inbox: inbox(), log, replays, ...options }));
    return new Platform(server);
  };
  const inboxes: Inbox[] = [];
  // A new app takes up unfinished rows at start: let the previous test's turns finish first.
  afterEach(async () => {
    for (const inbox of inboxes) await inbox.idle(officialAccountChannel);
  });
  const historyOf = async (openId: string) => store.history((await store.open(officialAccountChannel, openId)).id);

  beforeAll(async () => {
    assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
    store = new SqlConversationStore(assistant.db);
    tickets = new TicketDesk(assistant.db);
    core = new ConversationCore(assistant, store, { rateEveryAnswers: 0, tickets });
    api = await FakeWechatApi.start({ appId, appSecret });
    platform = mount();
    await assistant.db.query(`insert into users (username, display_name, password_hash, role) values ('wang', '王老师', 'x', 'teacher')`);
  }, 2 * minutes);
  afterAll(async () => {
    await api?.close();
    await assistant?.close();
  });

  it('passes the URL check in plain mode and refuses a wrong signature', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = '1320562132';
    const ok = await platform.app.request(`/wechat?${new URLSearchParams({ signature: sha1Signature(token, timestamp, nonce), timestamp, nonce, echostr: '5837397520665436492' })}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('5837397520665436492');
    const wrong = await platform.app.request(`/wechat?${new URLSearchParams({ signature: sha1Signature('other', timestamp, nonce), timestamp, nonce, echostr: '1' })}`);
    expect(wrong.status).toBe(401);
  });

  it('passes the URL check in safe mode: msg_signature over the encrypted echostr, answered with it decrypted', async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = '99';
    const echostr = encrypt(encodingAESKey, '7412368955', appId);
    const query = { signature: sha1Signature(token, timestamp, nonce), timestamp, nonce, echostr, msg_signature: getSignature(token, timestamp, nonce, echostr) };
    const ok = await platform.app.request(`/wechat-safe?${new URLSearchParams(query)}`);
    expect(await ok.text()).toBe('7412368955');
    const wrong = await platform.app.request(`/wechat-safe?${new URLSearchParams({ ...query, msg_signature: getSignature('other', timestamp, nonce, echostr) })}`);
    expect(wrong.status).toBe(401);
  });

  it('refuses messages with a wrong signature or sealed for another app, and bodies that are not WeChat XML', async () => {
    const xml = platform.message('o-mallory', 'text', { Content: '实习押金' });
    expect((await platform.post(xml, { tamper: true })).status).toBe(401);
    expect((await platform.post(xml, { safe: true, tamper: true })).status).toBe(401);
    expect((await platform.post(xml, { safe: true, sealFor: 'wx0000000000000000' })).status).toBe(401);
    expect((await platform.post('<!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>')).status).toBe(400);
    expect(await historyOf('o-mallory')).toEqual([]);
  });

  it('refuses a signed query replayed with another body, on any instance; the identical request again is answered "success" and handled once; a fresh one is answered', async () => {
    const original = platform.signed(platform.message('o-rita', 'text', { Content: '实习单位能扣我身份证吗？' }));
    expect(await platform.replyText(await platform.send(original))).toMatch(/《[^》]+》/u);
    const count = (await historyOf('o-rita')).length;
    // The same query with another message (plain mode does not sign the body): refused, here and on another instance.
    const forged = { query: original.query, body: platform.message('o-rita', 'text', { Content: '转人工' }) };
    expect((await platform.send(forged)).status).toBe(409);
    expect((await mount().send(forged)).status).toBe(409);
    // The identical request again (WeChat's retry: our passive reply did not reach it): the same
    // answer again, nothing handled twice.
    const again = await platform.send(original);
    expect(again.status).toBe(200);
    expect(await platform.replyText(again)).toMatch(/《[^》]+》/u);
    const sealed = platform.signed(platform.message('o-rita', 'text', { Content: '实习可以收押金吗' }), { safe: true });
    expect(await platform.replyText(await platform.send(sealed))).toContain('押金');
    expect(await platform.replyText(await platform.send(sealed))).toContain('押金');
    expect(await historyOf('o-rita')).toHaveLength(count + 2);
    // A fresh request is still answered.
    expect(await platform.replyText(await platform.post(platform.message('o-rita', 'text', { Content: '中职学校要配几名职业指导老师？' })))).toMatch(/《[^》]+》/u);
    expect(await historyOf('o-rita')).toHaveLength(count + 4);
  });

  it('answers WeChat\'s retry of a request whose nonce was claimed before a crash kept the message from being stored', async () => {
    const request = platform.signed(platform.message('o-ursula', 'text', { Content: '实习单位能扣我身份证吗？' }));
    // What the crashed process left: the claims of this very request, and no stored message.
    const replays = new ReplayGuard(assistant.db);
    const expires = new Date(Date.now() + 300_000);
    const nonce = request.query.get('nonce')!;
    await replays.claim(officialAccountRequestScope, `${nonce}:${createHash('sha256').update(request.body).digest('base64url')}`, expires);
    await replays.claim(officialAccountNonceScope, nonce, expires);
    expect(await platform.replyText(await platform.send(request))).toMatch(/《[^》]+》/u);
    expect(await historyOf('o-ursula')).toHaveLength(2);
  });

  it('refuses a correctly signed request whose timestamp is from 2001, or an hour ahead, in both modes and for the URL check', async () => {
    const in2001 = Date.UTC(2001, 8, 1) / 1000;
    const xml = platform.message('o-sam', 'text', { Content: '实习押金' });
    expect((await platform.post(xml, { timestamp: in2001 })).status).toBe(401);
    expect((await platform.post(xml, { timestamp: in2001, safe: true })).status).toBe(401);
    expect((await platform.post(xml, { timestamp: Math.floor(Date.now() / 1000) + 3600 })).status).toBe(401);
    const timestamp = String(in2001);
    const check = await platform.app.request(`/wechat?${new URLSearchParams({ signature: sha1Signature(token, timestamp, '7'), timestamp, nonce: '7', echostr: '42' })}`);
    expect(check.status).toBe(401);
    expect(await historyOf('o-sam')).toEqual([]);
    // Within the window (here four minutes old) is fine.
    expect(await platform.replyText(await platform.post(xml, { timestamp: Math.floor(Date.now() / 1000) - 240 }))).toContain('押金');
  });

  it('refuses a safe-mode body swapped under the same query, and the same query stripped to plain mode; the genuine request still goes through', async () => {
    const genuine = platform.signed(platform.message('o-tom', 'text', { Content: '实习可以收押金吗' }), { safe: true });
    const other = platform.signed(platform.message('o-tom', 'text', { Content: '转人工' }), { safe: true });
    expect((await platform.send({ query: genuine.query, body: other.body })).status).toBe(401);
    // Without encrypt_type and msg_signature the plain signature still matches: a safe-mode account refuses plain messages.
    const stripped = new URLSearchParams(genuine.query);
    stripped.delete('encrypt_type');
    stripped.delete('msg_signature');
    expect((await platform.send({ query: stripped, body: platform.message('o-tom', 'text', { Content: '转人工' }) }, '/wechat-safe')).status).toBe(401);
    expect(await historyOf('o-tom')).toEqual([]);
    expect(await platform.replyText(await platform.send(genuine))).toContain('押金');
  });

  it('warns at start that plain mode can be replayed and recommends safe mode', () => {
    const warnings = logLines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((line) => line.level === 40 && /plain mode/u.test(line.msg));
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]!.msg).toContain('safe mode');
  });

  it('answers a text message with a passive reply carrying the cited answer (plain mode)', async () => {
    const response = await platform.post(platform.message('o-amy', 'text', { Content: '实习单位能扣我身份证吗？' }));
    expect(response.headers.get('content-type')).toContain('xml');
    const body = await response.clone().text();
    expect(body).toContain('<ToUserName><![CDATA[o-amy]]></ToUserName>');
    const text = await platform.replyText(response);
    expect(text).toMatch(/《[^》]+》/u);
    expect(text).toContain('不得扣押学生的学生证、居民身份证');
    expect(utf8Bytes(text!)).toBeLessThanOrEqual(2048);
    expect((await historyOf('o-amy')).map((message) => message.role)).toEqual(['student', 'assistant']);
  });

  it('answers in safe mode with an encrypted, signed passive reply', async () => {
    const response = await platform.post(platform.message('o-ben', 'text', { Content: '实习可以收押金吗' }), { safe: true });
    const body = await response.clone().text();
    expect(body).toContain('<Encrypt>');
    expect(body).not.toContain('押金');
    const text = await platform.replyText(response);
    expect(text).toMatch(/《[^》]+》/u);
    expect(text).toContain('押金');
  });

  it('welcomes a new follower with the menu, choices numbered; a number then picks a choice', async () => {
    const welcome = await platform.replyText(await platform.post(platform.message('o-cat', 'event', { Event: 'subscribe', EventKey: '' }), { safe: true }));
    expect(welcome).toContain('职业规划');
    expect(welcome).toMatch(/\n\n1\. 职业规划\n2\. 我的规划\n3\. 转人工$/u);
    const picked = await platform.replyText(await platform.post(platform.message('o-cat', 'text', { Content: '1' }), { safe: true }));
    expect(picked).toContain('职业规划');
    expect(picked).toMatch(/1\. 中职\n2\. 高职\n3\. 本科$/u);
  });

  it('takes a CLICK menu item’s EventKey as the student’s text; ignores other events', async () => {
    const clicked = await platform.replyText(await platform.post(platform.message('o-dan', 'event', { Event: 'CLICK', EventKey: '转人工' })));
    expect(clicked).toContain('老师');
    expect(await platform.replyText(await platform.post(platform.message('o-dan', 'event', { Event: 'VIEW', EventKey: 'https://example.edu/' })))).toBeNull();
    expect(await platform.replyText(await platform.post(platform.message('o-dan', 'event', { Event: 'unsubscribe' })))).toBeNull();
  });

  it('reads recognised voice as text, and asks for text for voice without recognition and images', async () => {
    const heard = await platform.replyText(await platform.post(platform.message('o-eve', 'voice', { MediaId: 'm1', Format: 'amr', Recognition: '实习单位能扣我身份证吗' })));
    expect(heard).toMatch(/《[^》]+》/u);
    const voice = await platform.replyText(await platform.post(platform.message('o-eve', 'voice', { MediaId: 'm2', Format: 'amr' })));
    expect(voice).toContain('语音');
    const image = await platform.replyText(await platform.post(platform.message('o-eve', 'image', { PicUrl: 'http://mmbiz.qpic.cn/x', MediaId: 'm3' })));
    expect(image).toContain('图片');
  });

  it('handles a message WeChat delivers again (same MsgId) once: the retry — our passive reply did not reach WeChat — gets the recorded answer again', async () => {
    const xml = platform.message('o-fay', 'text', { Content: '中职学校要配几名职业指导老师？' }, { msgId: '24123456789012345678' });
    const first = await platform.replyText(await platform.post(xml));
    expect(first).toMatch(/《[^》]+》/u);
    const count = (await historyOf('o-fay')).length;
    const retry = await platform.post(xml);
    expect(await platform.replyText(retry)).toBe(first);
    expect(await historyOf('o-fay')).toHaveLength(count);
    // Events de-duplicate on FromUserName + CreateTime.
    const subscribe = platform.message('o-fay', 'event', { Event: 'subscribe' }, { createTime: 1_700_999_999 });
    expect(await platform.replyText(await platform.post(subscribe))).toContain('职业规划');
    const afterSubscribe = (await historyOf('o-fay')).length;
    expect(await platform.replyText(await platform.post(subscribe))).toContain('职业规划');
    expect(await historyOf('o-fay')).toHaveLength(afterSubscribe);
  });

  it('answers WeChat\'s retry of a message answered passively with the recorded answer on another server and after a restart (the mark is in the database), once, and not after a minute', async () => {
    const xml = platform.message('o-kim', 'text', { Content: '实习单位能扣我身份证吗？' }, { msgId: '24222222222222222222' });
    const first = await platform.replyText(await platform.post(xml));
    expect(first).toMatch(/《[^》]+》/u);
    for (const inbox of inboxes) await inbox.idle(officialAccountChannel);
    const count = (await historyOf('o-kim')).length;
    // The passive reply did not reach WeChat, which retries — at another server on the database,
    // or at this one started again (kill -9): no memory of the first request either way.
    const otherServer = mount({}, 'server-b');
    expect(await otherServer.replyText(await otherServer.post(xml))).toBe(first);
    const restarted = mount();
    expect(await restarted.replyText(await restarted.post(xml, { safe: true }))).toBe(first);
    expect(await historyOf('o-kim')).toHaveLength(count);
    // A repeat after the retry window is not WeChat's retry: "success", nothing handled again.
    await assistant.db.query(`update inbound_messages set answered_in_response_at = now() - interval '2 minutes' where channel = $1 and message_id = '24222222222222222222'`, [officialAccountChannel]);
    expect(await restarted.replyText(await restarted.post(xml))).toBeNull();
    expect(await historyOf('o-kim')).toHaveLength(count);
  });

  it('gives the waiting request an apology when the core fails, and the message is tried again and answered through customer service', async () => {
    let failures = 0;
    const flaky = {
      async handle(message: InboundMessage) {
        if (failures === 0) {
          failures += 1;
          throw new Error('the knowledge base is being reloaded');
        }
        return core.handle(message);
      },
    };
    const customerService = customerServiceSender({ appId, appSecret, baseUrl: api.url });
    const flakyPlatform = mount({ core: flaky, customerService });
    const before = api.messages.length;
    const apology = await flakyPlatform.replyText(await flakyPlatform.post(flakyPlatform.message('o-lee', 'text', { Content: '实习单位能扣我身份证吗？' })));
    expect(apology).toBe(wechatTexts.failed);
    const [sent] = (await api.received(before + 1)).slice(before);
    expect(sent).toMatchObject({ touser: 'o-lee', msgtype: 'text' });
    expect(sent!.content).toContain('不得扣押学生的学生证、居民身份证');
    expect(failures).toBe(1);
  });

  it('answers "success" when the core is slower than the passive window, and sends the answer through customer service', async () => {
    const slow = {
      async handle(message: InboundMessage) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        return core.handle(message);
      },
    };
    const customerService = customerServiceSender({ appId, appSecret, baseUrl: api.url });
    const slowPlatform = mount({ core: slow, replyTimeoutMs: 50, customerService });
    const before = api.messages.length;
    const response = await slowPlatform.post(slowPlatform.message('o-gus', 'text', { Content: '实习单位能扣我身份证吗？' }), { safe: true });
    expect(await slowPlatform.replyText(response)).toBeNull();
    const [sent] = (await api.received(before + 1)).slice(before);
    expect(sent).toMatchObject({ touser: 'o-gus', msgtype: 'text' });
    expect(sent!.content).toMatch(/《[^》]+》/u);
    expect(sent!.content).toContain('不得扣押学生的学生证、居民身份证');
    expect((await historyOf('o-gus')).map((message) => message.role)).toEqual(['student', 'assistant']);
  });

  it('sends what does not fit in one passive reply through customer service, cut outside citations', async () => {
    const customerService = customerServiceSender({ appId, appSecret, baseUrl: api.url });
    const narrow = mount({ replyBytes: 400, customerService });
    const before = api.messages.length;
    const passive = await narrow.replyText(await narrow.post(narrow.message('o-hal', 'text', { Content: '实习单位能扣我身份证吗？' })));
    expect(utf8Bytes(passive!)).toBeLessThanOrEqual(400);
    expect(passive).toMatch(/^不可以。根据《[^》]+》/u);
    const rest = (await api.received(before + 1)).slice(before);
    const answer = (await historyOf('o-hal')).find((message) => message.role === 'assistant')!.text;
    expect(rest.map((message) => message.touser)).toEqual(rest.map(() => 'o-hal'));
    for (const part of [passive!, ...rest.map((message) => message.content)]) expect(part.split('《').length).toBe(part.split('》').length);
    expect([passive, ...rest.map((message) => message.content)].join('').replace(/\s+/gu, '')).toBe(answer.replace(/\s+/gu, ''));
  });

  it('answers at start, through customer service, a message a stopped process stored but never answered; WeChat’s retry of it is not handled again', async () => {
    const xml = platform.message('o-joe', 'text', { Content: '实习单位能扣我身份证吗？' }, { msgId: '24999999999999999999' });
    // what the stopped process left: the message stored (WeChat had no answer yet)
    const fields = Object.fromEntries(Object.entries((xmlReader.parse(xml) as { xml: Record<string, unknown> }).xml).map(([key, value]) => [key, String(value)]));
    const inbound = officialAccountInbound(fields)!;
    expect(await new Inbox(assistant.db).receive(officialAccountChannel, inbound.messageId!, inbound.userId, inbound)).toBe('new');
    const before = api.messages.length;
    const restarted = mount({ customerService: customerServiceSender({ appId, appSecret, baseUrl: api.url }) });
    const [sent] = (await api.received(before + 1)).slice(before);
    expect(sent).toMatchObject({ touser: 'o-joe', msgtype: 'text' });
    expect(sent!.content).toContain('不得扣押学生的学生证、居民身份证');
    for (const inbox of inboxes) await inbox.idle(officialAccountChannel);
    // WeChat retries (it had no answer before the stop): "success", nothing handled or sent again
    expect(await restarted.replyText(await restarted.post(xml))).toBeNull();
    expect((await historyOf('o-joe')).map((message) => message.role)).toEqual(['student', 'assistant']);
    expect(api.messages.length).toBe(before + 1);
  });

  it('delivers a teacher’s reply to a follower through the outbox and the customer-service sender, once', async () => {
    const outbox = new Outbox(assistant.db);
    outbox.register(officialAccountChannel, customerServiceSender({ appId, appSecret, baseUrl: api.url }));
    expect(await platform.replyText(await platform.post(platform.message('o-ivy', 'text', { Content: '转人工' })))).toContain('老师');
    const ticket = await tickets.openTicketOf((await store.open(officialAccountChannel, 'o-ivy')).id);
    const [{ id: teacher }] = (await assistant.db.query<{ id: number }>(`select id from users where username = 'wang'`)).rows as [{ id: number }];
    const before = api.messages.length;
    await tickets.reply(ticket!.id, Number(teacher), '你好，我是王老师。');
    await outbox.deliverDue();
    await outbox.deliverDue();
    const sent = api.messages.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ touser: 'o-ivy', msgtype: 'text' });
    expect(sent[0]!.content).toContain('你好，我是王老师。');
  });

  it('logs what happened without message text or OpenIDs', () => {
    expect(logLines.length).toBeGreaterThan(10);
    const logged = logLines.join('\n');
    for (const secret of ['身份证', '押金', '王老师', 'o-amy', 'o-ivy', 'o-gus', token]) expect(logged).not.toContain(secret);
  });
});
