/**
 * The chaos run (issue 12): `zhiyin serve` as a child process, driven by the local fake Bot API
 * (Telegram, long polling) and the fake WeChat platform and API (Official Account webhook in
 * plain mode; late answers and teachers' replies through customer-service messages), while
 * `kill -9` hits it at random moments and it is started again. Students on both channels send
 * questions, stickers, edits and requests for a teacher (which open tickets); the platforms
 * deliver some messages twice; teachers sign in to the dashboard and reply to the tickets over
 * HTTP with the session's CSRF token, as the browser does. An Official Account message delivered
 * twice is WeChat's retry: the first request's passive reply counts as lost on the way (WeChat
 * retries only then), so the retry must get the answer. At the end it prints what was sent,
 * answered once, lost and answered twice, and what happened to the teachers' replies. How
 * answers are matched to messages: see chaos-ledger.ts.
 *
 *   npm run chaos -- [--students 500] [--messages 10000] [--kills 5] [--active 24] [--seed 1] [--log warn]
 *
 * Exits 1 when a message was lost. `bots/chaos.test.ts` runs a small variant in `npm test`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Update } from 'grammy/types';
import { runZhiyin, zhiyinEnvironment } from '../src/testing/zhiyin-process.ts';
import { ChaosLedger, formatTally, replyToken, type BotMessage, type ChaosChannel, type ChaosTally, type StudentMessage, type StudentMessageKind } from './chaos-ledger.ts';
import { ServerProcess, freePort } from './chaos-server.ts';
import { SignInRefused, TeacherBrowser } from './chaos-teacher.ts';
import { FakeBotApi } from './telegram/fake-bot-api.ts';
import { FakeWechatApi, FakeWechatPlatform } from './wechat/fake-wechat-api.ts';
import { seededRandom as randomFrom } from '../src/seeded-random.ts';

export interface ChaosOptions {
  students: number;
  /** Messages in all (spread evenly over the students). */
  messages: number;
  /** `kill -9`s, at random moments spread over the run (at least this many). */
  kills: number;
  /** Share of students on the Official Account (the rest on Telegram). */
  officialAccountShare?: number;
  /** Shares of messages: stickers, edits (Telegram), requests for a teacher; and deliveries made twice. */
  stickerShare?: number;
  editShare?: number;
  teacherRequestShare?: number;
  duplicateShare?: number;
  teachers?: number;
  /** How long the teachers go on replying after the last student is done (default 2 min). */
  teachersAfterMs?: number;
  /**
   * Students talking at the same time (default 24); the others come when one has sent all of
   * theirs. All 500 (or 40) at once keep the server (and WeChat's retries) saturated on two cores.
   */
  activeStudents?: number;
  seed?: number;
  /** How long a student waits for an answer (counting only time the server is up) before moving on. */
  giveUpMs?: number;
  /** How long a chat must be quiet after an answer before the student sends the next message. */
  quietMs?: number;
  /** The outbox's lease (a reply in flight at a kill is sent again after it): waited for after the last kill. */
  outboxLeaseMs?: number;
  /** The server's LOG_LEVEL; its output goes to `serve.log` in the data directory (kept when not silent). */
  logLevel?: string;
  /**
   * The server to run: a built bundle (`dist/zhiyin.mjs` after `npm run build`), the same code in
   * every restart; default the `zhiyin` command (the bundle while it is fresh, else the sources).
   */
  serverEntry?: string;
  /** Progress lines (default: none). */
  progress?: (line: string) => void;
}

export interface ChaosResult {
  tally: ChaosTally;
  /** The data directory, when kept (a log level other than silent). */
  dataDir?: string;
}

/** What students ask (each starts at another line); stickers, edits and teacher requests are mixed in. */
const questions = [
  '实习单位能扣我身份证吗？',
  '这个是哪个文件规定的？',
  '中职学校要配几名职业指导老师？',
  '那高职呢？',
  '帮助',
  '实习可以收押金吗',
  '投诉多久会有处理结果？',
  '中职学校职业指导工作应坚持哪些原则？',
  '详细说说第二点',
  '学校能安排我去KTV实习吗',
  '顶岗实习每天最多工作几个小时？',
  '实习报酬有什么规定',
  '毕业生就业协议怎么签',
  'Can the school charge an internship deposit?',
  '实习要买保险吗',
  '重新开始',
];

const appId = 'wxchaos0000000001';
const appSecret = 'chaos-app-secret';
const oaToken = 'zhiyinChaosToken';
const password = 'chaos teacher passphrase 2026';


const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Student {
  number: string;
  channel: ChaosChannel;
  chat: string;
  messages: number;
}

/** Runs the chaos run and returns its tally (see the module comment). */
export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const random = randomFrom(options.seed ?? 1);
  const settings = {
    officialAccountShare: options.officialAccountShare ?? 0.4,
    stickerShare: options.stickerShare ?? 0.05,
    editShare: options.editShare ?? 0.05,
    teacherRequestShare: options.teacherRequestShare ?? 0.03,
    duplicateShare: options.duplicateShare ?? 0.05,
    teachers: options.teachers ?? 2,
    activeStudents: options.activeStudents ?? 24,
    teachersAfterMs: options.teachersAfterMs ?? 120_000,
    giveUpMs: options.giveUpMs ?? 60_000,
    quietMs: options.quietMs ?? 1_000,
    outboxLeaseMs: options.outboxLeaseMs ?? 60_000,
    logLevel: options.logLevel ?? 'silent',
  };
  const progress = options.progress ?? (() => {});
  const dataDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-chaos-'));
  const telegram = await FakeBotApi.start();
  const wechat = await FakeWechatApi.start({ appId, appSecret });
  let ledger = new ChaosLedger();
  let server: ServerProcess | undefined;
  try {
    // teachers, added as an administrator would (the CLI), before the server holds the data directory
    const teacherNames = Array.from({ length: settings.teachers }, (_, index) => `teacher${index + 1}`);
    for (const [index, username] of teacherNames.entries()) {
      const added = await runZhiyin(['users', 'add', username, '--role', 'teacher', '--name', `${'王李张刘陈'[index % 5]}老师`], zhiyinEnvironment(dataDir, { LOG_LEVEL: 'silent', ZHIYIN_USER_PASSWORD: password }));
      if (added.code !== 0) throw new Error(`zhiyin users add ${username} failed: ${added.stderr}`);
    }

    const port = await freePort();
    server = new ServerProcess({
      dataDir,
      port,
      logFile: path.join(dataDir, 'serve.log'),
      ...(options.serverEntry ? { entry: options.serverEntry } : {}),
      env: {
        LOG_LEVEL: settings.logLevel,
        TELEGRAM_BOT_TOKEN: telegram.token,
        TELEGRAM_API_ROOT: telegram.url,
        WECHAT_OA_TOKEN: oaToken,
        WECHAT_OA_APPID: appId,
        WECHAT_OA_SECRET: appSecret,
        WECHAT_API_BASE_URL: wechat.url,
      },
    });
    const running = server;
    await running.start();
    progress(`zhiyin serve answers on ${running.url}`);
    // the clock of the run starts with the traffic
    ledger = new ChaosLedger();
    const platform = new FakeWechatPlatform({ url: `${running.url}/wechat`, token: oaToken, account: 'gh_chaos0000001' });

    const students: Student[] = Array.from({ length: options.students }, (_, index) => {
      const channel: ChaosChannel = random() < settings.officialAccountShare ? 'wechat-oa' : 'telegram';
      return {
        number: `S${String(index + 1).padStart(4, '0')}`,
        channel,
        chat: channel === 'telegram' ? String(10_000 + index) : `o-chaos-${index + 1}`,
        messages: Math.floor(options.messages / options.students) + (index < options.messages % options.students ? 1 : 0),
      };
    });
    const byNumber = new Map(students.map((student) => [student.number, student]));
    const botMessagesOf = (channel: ChaosChannel, chat: string): readonly BotMessage[] =>
      channel === 'telegram'
        ? telegram.timeline(Number(chat)).map((sent): BotMessage =>
            'action' in sent
              ? { text: '', startsTurn: true }
              : { text: sent.text ?? sent.document?.caption ?? `[${sent.document?.fileName ?? 'document'}]`, ...(sent.replyTo !== undefined ? { replyTo: sent.replyTo } : {}) },
          )
        : wechat.messagesTo(chat).map((sent) => ({ text: sent.content }));
    const sentCount = (student: Student): number => (student.channel === 'telegram' ? telegram.timeline(Number(student.chat)).length : wechat.messagesTo(student.chat).length);

    /** Waits until the message is answered and the chat quiet (longer after a kill), or the student gives up. */
    const settle = async (student: Student, message: StudentMessage): Promise<void> => {
      let seen = -1;
      let changedAt = performance.now();
      for (;;) {
        await sleep(150);
        const now = performance.now();
        const count = sentCount(student) + message.passive.length;
        if (count !== seen) {
          seen = count;
          changedAt = now;
        }
        if (!running.up) continue;
        const answered = ledger.answersSoFar(message, botMessagesOf(student.channel, student.chat)).length > 0;
        const killedSince = running.lastKillAt > message.sentAt;
        const quietFor = now - Math.max(changedAt, running.upSince);
        if (answered && quietFor >= (killedSince ? Math.max(settings.quietMs, 5_000) : settings.quietMs)) return;
        if (!answered && now - Math.max(message.sentAt, running.upSince) >= settings.giveUpMs) return;
      }
    };

    const kindFor = (student: Student, lastText: number | undefined): StudentMessageKind => {
      const roll = random();
      if (roll < settings.stickerShare) return 'sticker';
      if (roll < settings.stickerShare + settings.teacherRequestShare) return 'teacher-request';
      if (roll < settings.stickerShare + settings.teacherRequestShare + settings.editShare && student.channel === 'telegram' && lastText !== undefined) return 'edit';
      return 'text';
    };

    let sent = 0;
    let studentsDone = 0;

    const telegramStudent = async (student: Student, index: number): Promise<void> => {
      const chatId = Number(student.chat);
      let lastText: number | undefined;
      for (let n = 0; n < student.messages; n += 1) {
        const kind = kindFor(student, lastText);
        const text = kind === 'teacher-request' ? `我想找老师（学号 ${student.number}）` : questions[(index + n) % questions.length]!;
        const message = ledger.record({ chat: student.chat, channel: 'telegram', kind, sentAt: performance.now(), from: sentCount(student), duplicated: random() < settings.duplicateShare, passive: [], resent: 0 });
        let update: Update;
        if (kind === 'sticker') update = telegram.pushSticker(chatId);
        else if (kind === 'edit') {
          message.editOf = lastText!;
          update = telegram.pushEdit(chatId, lastText!, `${text}（改一下）`);
          // one edit per message: its notice (a reply to the edited message) is then its own
          lastText = undefined;
        } else {
          update = telegram.pushText(chatId, text);
          lastText = update.message!.message_id;
        }
        sent += 1;
        if (message.duplicated) {
          // Telegram delivers it again a moment later; the student waits for that too, so an answer to it lands in this window
          ledger.duplicateDeliveries += 1;
          await sleep(Math.floor(random() * 1_000));
          telegram.redeliver(update);
        }
        await settle(student, message);
      }
    };

    const officialAccountStudent = async (student: Student, index: number): Promise<void> => {
      for (let n = 0; n < student.messages; n += 1) {
        const kind = kindFor(student, undefined);
        const text = kind === 'teacher-request' ? `我想找老师（学号 ${student.number}）` : questions[(index + n) % questions.length]!;
        const message = ledger.record({ chat: student.chat, channel: 'wechat-oa', kind, sentAt: performance.now(), from: sentCount(student), duplicated: random() < settings.duplicateShare, passive: [], resent: 0 });
        const xmlOf = (): string => (kind === 'sticker' ? platform.imageXml(student.chat) : platform.textXml(student.chat, text));
        let xml = xmlOf();
        sent += 1;
        /** One delivery (with WeChat's retries); `reaches` says whether its passive reply reaches the student. */
        const deliver = async (body: string, reaches: boolean): Promise<boolean> => {
          const delivery = await platform.deliver(body);
          message.retries = (message.retries ?? 0) + delivery.attempts - 1;
          if (delivery.reply !== null && reaches) message.passive.push(delivery.reply);
          return delivery.acknowledged;
        };
        let duplicate: Promise<boolean> = Promise.resolve(true);
        if (message.duplicated) {
          // The same XML again, as WeChat's retry of a request it thought unanswered. WeChat sends a
          // message again only when the answer to the earlier request did not reach it: that
          // request's passive reply is lost on the way, and the retry's answer is the one the student sees.
          ledger.duplicateDeliveries += 1;
          duplicate = sleep(Math.floor(random() * 1_000)).then(() => deliver(xml, true));
        }
        const firstAcknowledged = await deliver(xml, !message.duplicated);
        let acknowledged = message.duplicated ? await duplicate : firstAcknowledged;
        // WeChat gave up (the server was down through its retries): the student sends it again, once it could work
        for (let attempt = 0; !acknowledged && attempt < 5; attempt += 1) {
          message.resent += 1;
          while (!running.up) await sleep(200);
          await sleep(1_000 + Math.floor(random() * 3_000));
          xml = xmlOf();
          acknowledged = await deliver(xml, true);
        }
        await settle(student, message);
      }
    };

    // kill -9 at random moments: one in each stretch of the messages, a random delay after it
    let killsDone = 0;
    const killer = (async () => {
      for (let index = 0; index < options.kills; index += 1) {
        const threshold = options.messages * (0.05 + (0.8 * (index + random())) / options.kills);
        while (sent < threshold && studentsDone < students.length) await sleep(100);
        await sleep(Math.floor(random() * 3_000));
        const { downSeconds } = await running.killAndRestart();
        const atSeconds = Math.round((running.lastKillAt - ledger.started) / 100) / 10;
        ledger.kills.push({ atSeconds, downSeconds, at: running.lastKillAt });
        killsDone += 1;
        progress(`kill -9 #${killsDone} at ${atSeconds} s (${sent} messages sent); answering again after ${downSeconds} s`);
      }
    })();

    // the teachers: reply to each active ticket once (a token in the text), then close it
    const teachersStop = { students: false, until: Number.POSITIVE_INFINITY };
    let nextToken = 1;
    const teacherLoop = async (username: string, index: number): Promise<void> => {
      const browser = new TeacherBrowser(running.url);
      /** Signs in, again and again while the server is down or too busy to answer; a refusal is thrown. */
      const signIn = async (): Promise<boolean> => {
        for (;;) {
          try {
            await browser.signIn(username, password);
            return true;
          } catch (error) {
            if (error instanceof SignInRefused) throw error;
            if (teachersStop.students && performance.now() > teachersStop.until) {
              progress(`${username}: could not sign in (${(error as Error).message}); stopping`);
              return false;
            }
            await sleep(1_000);
          }
        }
      };
      if (!(await signIn())) return;
      const tickets = new Map<number, { token: string; student: Student | undefined; replied: boolean | 'unknown'; closed: boolean }>();
      let emptyRounds = 0;
      for (;;) {
        await sleep(500 + Math.floor(random() * 1_000));
        if (!running.up) continue;
        let active: Awaited<ReturnType<TeacherBrowser['activeTickets']>>;
        try {
          active = await browser.activeTickets();
        } catch (error) {
          // the session is gone (a kill -9 took its last write with it?): sign in again, as a teacher would
          progress(`${username}: ${(error as Error).message}; signing in again`);
          if (!(await signIn())) return;
          continue;
        }
        if (active === null) continue;
        const mine = active.filter((ticket) => ticket.id % settings.teachers === index);
        if (teachersStop.students && active.length === 0) {
          emptyRounds += 1;
          if (emptyRounds >= 2) return;
        } else emptyRounds = 0;
        if (teachersStop.students && performance.now() > teachersStop.until) {
          progress(`${username}: the students are done and tickets are still open after ${settings.teachersAfterMs / 1000} s; stopping`);
          return;
        }
        for (const ticket of mine) {
          let entry = tickets.get(ticket.id);
          if (!entry) {
            const number = /学号\s*(S\d{4})/u.exec(ticket.row)?.[1];
            entry = { token: `R${nextToken++}`, student: number ? byNumber.get(number) : undefined, replied: false, closed: false };
            tickets.set(ticket.id, entry);
          }
          if (entry.replied === 'unknown') {
            // the reply was posted as the server died: the ticket page tells whether it was saved
            const page = await browser.ticketPage(ticket.id);
            if (page === null) continue;
            entry.replied = page.includes(entry.token);
            if (entry.replied) ledger.replies.push({ token: entry.token, chat: entry.student?.chat ?? '?', ticketId: ticket.id });
          }
          if (entry.replied === false) {
            const outcome = await browser.post(`/tickets/${ticket.id}/reply`, { text: `你好，我看到你的留言了，明天下午三点到就业指导办公室找我。回复编号 ${entry.token}` });
            if (outcome.ok && outcome.flash === 'replied') {
              entry.replied = true;
              ledger.replies.push({ token: entry.token, chat: entry.student?.chat ?? '?', ticketId: ticket.id });
            } else if (!outcome.ok && outcome.status === 'unreachable') entry.replied = 'unknown';
            else if (!outcome.ok && (outcome.status === 401 || outcome.status === 403)) {
              progress(`${username}: reply to ticket ${ticket.id} refused (${outcome.status}); signing in again`);
              if (!(await signIn())) return;
              continue;
            } else if (!outcome.ok) throw new Error(`reply to ticket ${ticket.id} refused: ${outcome.status}`);
            else continue;
          }
          if (entry.replied === true && !entry.closed) {
            const outcome = await browser.post(`/tickets/${ticket.id}/close`);
            if (outcome.ok) entry.closed = true;
          }
        }
      }
    };
    const teachers = Promise.all(teacherNames.map((username, index) => teacherLoop(username, index)));
    // awaited at the end; a failure before that must not count as unhandled
    teachers.catch((error: unknown) => progress(`the teachers stopped: ${(error as Error).message}`));
    killer.catch(() => undefined);

    const ticker = setInterval(() => {
      progress(`${sent}/${options.messages} messages sent, ${studentsDone}/${students.length} students done, ${ledger.replies.length} teacher replies, ${killsDone} kills, server ${running.up ? 'up' : 'down'}`);
    }, 15_000);
    try {
      // students come and go: at most `activeStudents` talk at once, each through all of their messages
      let next = 0;
      const seat = async (): Promise<void> => {
        for (let index = next++; index < students.length; index = next++) {
          const student = students[index]!;
          await (student.channel === 'telegram' ? telegramStudent(student, index) : officialAccountStudent(student, index));
          studentsDone += 1;
        }
      };
      await Promise.all(Array.from({ length: Math.min(settings.activeStudents, students.length) }, seat));
      await killer;
      teachersStop.until = performance.now() + settings.teachersAfterMs;
      teachersStop.students = true;
      await teachers;
      // a reply in flight at a kill is sent again when its lease runs out: wait for that, and for every reply
      const tokensSeen = (): number => {
        const tokens = new Set<string | null>();
        for (const student of students) for (const sentMessage of botMessagesOf(student.channel, student.chat)) tokens.add(replyToken(sentMessage.text));
        return ledger.replies.filter((reply) => tokens.has(reply.token)).length;
      };
      const leaseOver = running.lastKillAt + settings.outboxLeaseMs + 5_000;
      const deadline = Math.max(leaseOver, performance.now() + 30_000);
      while (performance.now() < leaseOver || (tokensSeen() < ledger.replies.length && performance.now() < deadline)) await sleep(1_000);
      // and for the chats to fall quiet
      let activity = -1;
      while (activity !== telegram.calls.length + wechat.messages.length) {
        activity = telegram.calls.length + wechat.messages.length;
        await sleep(3_000);
      }
    } finally {
      clearInterval(ticker);
    }
    await running.stop();
    const tally = ledger.tally(botMessagesOf);
    return settings.logLevel === 'silent' ? { tally } : { tally, dataDir };
  } finally {
    await server?.stop();
    await telegram.close();
    await wechat.close();
    if (settings.logLevel === 'silent') await rm(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      students: { type: 'string', default: '500' },
      messages: { type: 'string', default: '10000' },
      kills: { type: 'string', default: '5' },
      active: { type: 'string', default: '24' },
      seed: { type: 'string', default: '1' },
      log: { type: 'string', default: 'silent' },
      server: { type: 'string' },
    },
  });
  const started = new Date();
  const { tally, dataDir } = await runChaos({
    students: Number(values.students),
    messages: Number(values.messages),
    kills: Number(values.kills),
    activeStudents: Number(values.active),
    seed: Number(values.seed),
    logLevel: values.log,
    ...(values.server ? { serverEntry: path.resolve(values.server) } : {}),
    progress: (line) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`),
  });
  process.stdout.write(`\nchaos run, started ${started.toISOString()}\n\n${formatTally(tally)}\n`);
  if (dataDir) process.stdout.write(`\nserver log and data: ${dataDir}\n`);
  process.exitCode = tally.total.lost > 0 ? 1 : 0;
}
