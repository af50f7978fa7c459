/**
 * The chaos run's books: what the students sent, what the fakes received back, and the table.
 *
 * How an answer is matched to the message it answers. A student sends one message and waits for
 * its answer before sending the next (as students do), so a chat's bot messages fall into
 * windows: everything the bot sent to the chat from the moment message k was sent until message
 * k+1 was sent belongs to message k (an Official Account message's passive replies belong to it
 * directly). Within a window, teachers' replies (「【老师回复】」) and edit notices (sent as a
 * reply to the edited message) are left out; what remains is message k's answer, possibly in
 * several messages. An edit is matched exactly: its notice replies to the edited message.
 *
 * Telegram: the bot shows "typing" when it takes a message up, before its answer, so answers are
 * counted by turn, not by message sent. A message's answers are the turns that began in its
 * window (a "typing" and the messages up to the next "typing"; repeated "typing" while the core
 * works is one turn, with no message between); messages before the window's first "typing" are
 * the end of the previous message's turn (its later parts, sent while the student already typed
 * the next one), and a turn runs on past its window until the next "typing". A long answer in several parts, or the same 「已转给老师…」
 * notice answering two messages in a row, is then one answer each; the answer, then after a kill
 * the answer again, is two turns — and a part sent twice within one turn counts twice too.
 * Official Account (no "typing"): a window's answers are the most times any one reply (its first
 * 60 characters) occurs in it — an answer with a rating prompt after it is one answer; the answer,
 * then after a restart the answer again, is two. 0 is lost.
 */

export type ChaosChannel = 'telegram' | 'wechat-oa';
export type StudentMessageKind = 'text' | 'sticker' | 'edit' | 'teacher-request';

/** One message a student sent (a delivery the platform repeated is not another message). */
export interface StudentMessage {
  /** The chat: Telegram chat id, or the follower's OpenID. */
  chat: string;
  channel: ChaosChannel;
  kind: StudentMessageKind;
  /** `performance.now()` when sent. */
  sentAt: number;
  /** How many bot messages the chat had when this was sent (the start of its window). */
  from: number;
  /** The platform delivered it a second time (Telegram redelivery, WeChat retry). */
  duplicated: boolean;
  /** Official Account: the passive replies its deliveries got. */
  passive: string[];
  /** Official Account: WeChat's retries (an attempt without an answer within 5 s, or without a connection). */
  retries?: number;
  /** Official Account: deliveries that got no 200 (the server down through WeChat's four attempts, or refusing), after which the student sent it again. */
  resent: number;
  /** Telegram edits: the message id of the edited message (its notice replies to it). */
  editOf?: number;
}

/** A bot message as a fake received it. */
export interface BotMessage {
  text: string;
  /** Telegram: the message it replies to. */
  replyTo?: number;
  /** Not a message: the bot began a turn here (Telegram's "typing", sent before each answer); `text` is empty. */
  startsTurn?: true;
}

/** A teacher's reply as the dashboard confirmed it. */
export interface TeacherReply {
  token: string;
  chat: string;
  ticketId: number;
}

/** One line of the messages table. */
export interface MessageRow {
  label: string;
  sent: number;
  answeredOnce: number;
  lost: number;
  answeredTwice: number;
  /** Of those answered twice: with a kill while they were being answered. */
  twiceAcrossKill: number;
}

/** A message lost or answered twice, for looking into (the replies cut to their start). */
export interface Anomaly {
  label: string;
  chat: string;
  answers: number;
  /** Seconds since the run started. */
  sentAtSeconds: number;
  duplicated: boolean;
  /** Official Account: WeChat retried it (no answer within 5 s, or no connection). */
  retried: boolean;
  killWhileAnswering: boolean;
  replies: string[];
}

export interface ChaosTally {
  rows: MessageRow[];
  /** The first 50 messages lost or answered twice. */
  anomalies: Anomaly[];
  total: MessageRow;
  duplicateDeliveries: number;
  /** Official Account: WeChat's retries (attempts without an answer within 5 s, or without a connection). */
  wechatRetries: number;
  /** Official Account messages the student had to send again: no 200 (server down through WeChat's four attempts, or refusing). */
  resentAfterWechatGaveUp: number;
  /** Teachers' replies: confirmed by the dashboard, arrived (at least once), arrived more than once, arrived in another chat. */
  replies: { sent: number; delivered: number; duplicated: number; lost: number; wrongChat: number };
  kills: { atSeconds: number; downSeconds: number }[];
  seconds: number;
}

/** Whether a bot message is a teacher's reply, and its token. */
export const teacherReplyPrefix = '【老师回复】';
const tokenPattern = /回复编号 (R\d+)/u;

/** The token a teacher's reply carries (the chaos run's teachers put one in each reply). */
export function replyToken(text: string): string | null {
  return text.startsWith(teacherReplyPrefix) ? (tokenPattern.exec(text)?.[1] ?? 'unknown') : null;
}

const keyOf = (text: string): string => text.replace(/\s+/gu, ' ').trim().slice(0, 60);

/** How many times the window's answer occurs in it (0: not answered). */
export function answersIn(replies: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const reply of replies) counts.set(keyOf(reply), (counts.get(keyOf(reply)) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

/** Whether a bot message is part of a message's answer (not a teacher's reply, an edit notice or a turn mark). */
const isAnswer = (sent: BotMessage): boolean => sent.startsTurn !== true && sent.replyTo === undefined && replyToken(sent.text) === null;

/**
 * How many times a Telegram message was answered: the turns that began in its window (bot
 * messages `from` to `to`) with an answer, each turn running to the next one (a part sent twice
 * within one turn counts twice). What comes before the window's first turn belongs to the
 * previous message; a turn's later parts may come after the next message was sent.
 */
export function turnAnswersIn(botMessages: readonly BotMessage[], from = 0, to = botMessages.length): number {
  let answers = 0;
  for (let index = from; index < to; index += 1) {
    if (!botMessages[index]!.startsTurn) continue;
    const turn: string[] = [];
    for (let next = index + 1; next < botMessages.length && !botMessages[next]!.startsTurn; next += 1) {
      if (isAnswer(botMessages[next]!)) turn.push(botMessages[next]!.text);
    }
    answers += answersIn(turn);
  }
  return answers;
}

const labels: Record<ChaosChannel, Record<StudentMessageKind, string>> = {
  telegram: { text: 'Telegram 文字', sticker: 'Telegram 贴纸', edit: 'Telegram 编辑', 'teacher-request': 'Telegram 找老师' },
  'wechat-oa': { text: '公众号 文字', sticker: '公众号 图片', edit: '公众号 编辑', 'teacher-request': '公众号 找老师' },
};

/**
 * What the students sent and the teachers replied, matched at the end against what the fakes
 * received (see the module comment).
 */
export class ChaosLedger {
  readonly messages: StudentMessage[] = [];
  readonly replies: TeacherReply[] = [];
  readonly kills: { atSeconds: number; downSeconds: number; at: number }[] = [];
  readonly started = performance.now();
  duplicateDeliveries = 0;

  record(message: StudentMessage): StudentMessage {
    this.messages.push(message);
    return message;
  }

  /**
   * The bot messages of a message's window that answer it, so far (no teachers' replies, no edit
   * notices; on Telegram, from its first turn on).
   */
  answersSoFar(message: StudentMessage, botMessages: readonly BotMessage[]): string[] {
    if (message.kind === 'edit') return botMessages.filter((sent) => sent.replyTo === message.editOf).map((sent) => sent.text);
    let window = botMessages.slice(message.from);
    if (message.channel === 'telegram') {
      const firstTurn = window.findIndex((sent) => sent.startsTurn);
      window = firstTurn === -1 ? [] : window.slice(firstTurn);
    }
    return [...message.passive, ...window.filter(isAnswer).map((sent) => sent.text)];
  }

  /**
   * How many times a message was answered (0: lost), given its chat's bot messages and where its
   * window ends (where the next message's begins; see the module comment).
   */
  answersTo(message: StudentMessage, botMessages: readonly BotMessage[], windowEnd = botMessages.length): number {
    if (message.kind !== 'edit' && message.channel === 'telegram') return turnAnswersIn(botMessages, message.from, windowEnd);
    return answersIn(this.answersSoFar(message, message.kind === 'edit' ? botMessages : botMessages.slice(0, windowEnd)));
  }

  /** Matches everything; `botMessages(channel, chat)` is what the fakes received for a chat. */
  tally(botMessages: (channel: ChaosChannel, chat: string) => readonly BotMessage[]): ChaosTally {
    const rows = new Map<string, MessageRow>();
    const anomalies: Anomaly[] = [];
    const row = (label: string): MessageRow => {
      let found = rows.get(label);
      if (!found) rows.set(label, (found = { label, sent: 0, answeredOnce: 0, lost: 0, answeredTwice: 0, twiceAcrossKill: 0 }));
      return found;
    };
    const byChat = new Map<string, StudentMessage[]>();
    for (const message of this.messages) {
      const key = `${message.channel}:${message.chat}`;
      byChat.set(key, [...(byChat.get(key) ?? []), message]);
    }
    const end = performance.now();
    const killBetween = (from: number, to: number): boolean => this.kills.some((kill) => kill.at >= from && kill.at <= to);
    for (const messages of byChat.values()) {
      const sent = botMessages(messages[0]!.channel, messages[0]!.chat);
      const windows = messages.filter((message) => message.kind !== 'edit');
      for (const message of messages) {
        let windowEnd = sent.length;
        let until = end;
        if (message.kind !== 'edit') {
          const next = windows[windows.indexOf(message) + 1];
          windowEnd = next?.from ?? sent.length;
          until = next?.sentAt ?? end;
        }
        const replies = this.answersSoFar(message, sent.slice(0, windowEnd));
        const answers = this.answersTo(message, sent, windowEnd);
        const label = labels[message.channel][message.kind];
        const line = row(label);
        const killWhileAnswering = killBetween(message.sentAt, until);
        line.sent += 1;
        if (answers === 0) line.lost += 1;
        else if (answers === 1) line.answeredOnce += 1;
        else {
          line.answeredTwice += 1;
          if (killWhileAnswering) line.twiceAcrossKill += 1;
        }
        if (answers !== 1 && anomalies.length < 50) {
          anomalies.push({
            label,
            chat: message.chat,
            answers,
            sentAtSeconds: Math.round((message.sentAt - this.started) / 100) / 10,
            duplicated: message.duplicated,
            retried: (message.retries ?? 0) > 0,
            killWhileAnswering,
            replies: replies.map((reply) => keyOf(reply).slice(0, 24)),
          });
        }
      }
    }
    const ordered = [...rows.values()].sort((a, b) => a.label.localeCompare(b.label));
    const total = ordered.reduce(
      (sum, line) => ({
        ...sum,
        sent: sum.sent + line.sent,
        answeredOnce: sum.answeredOnce + line.answeredOnce,
        lost: sum.lost + line.lost,
        answeredTwice: sum.answeredTwice + line.answeredTwice,
        twiceAcrossKill: sum.twiceAcrossKill + line.twiceAcrossKill,
      }),
      { label: '合计 all messages', sent: 0, answeredOnce: 0, lost: 0, answeredTwice: 0, twiceAcrossKill: 0 },
    );

    // teachers' replies: each token should arrive once, in the chat of the ticket's student
    const seen = new Map<string, { chats: Set<string>; times: number }>();
    for (const [key, messages] of byChat) {
      const chat = key.slice(key.indexOf(':') + 1);
      botMessages(messages[0]!.channel, messages[0]!.chat).forEach((sent) => {
        const token = replyToken(sent.text);
        if (!token) return;
        const entry = seen.get(token) ?? { chats: new Set(), times: 0 };
        entry.chats.add(chat);
        entry.times += 1;
        seen.set(token, entry);
      });
    }
    let delivered = 0;
    let duplicated = 0;
    let wrongChat = 0;
    for (const reply of this.replies) {
      const entry = seen.get(reply.token);
      if (!entry) continue;
      delivered += 1;
      if (entry.times > 1) duplicated += 1;
      if (!entry.chats.has(reply.chat) || entry.chats.size > 1) wrongChat += 1;
    }
    return {
      rows: ordered,
      anomalies,
      total,
      duplicateDeliveries: this.duplicateDeliveries,
      wechatRetries: this.messages.reduce((sum, message) => sum + (message.retries ?? 0), 0),
      resentAfterWechatGaveUp: this.messages.reduce((sum, message) => sum + message.resent, 0),
      replies: {
        sent: this.replies.length,
        delivered,
        duplicated,
        lost: this.replies.length - delivered,
        wrongChat,
      },
      kills: this.kills.map(({ atSeconds, downSeconds }) => ({ atSeconds, downSeconds })),
      seconds: Math.round((end - this.started) / 100) / 10,
    };
  }
}

/** The table the chaos run prints. */
export function formatTally(tally: ChaosTally): string {
  const lines: string[] = [];
  const pad = (value: string | number, width: number): string => String(value).padStart(width);
  const width = (text: string): number => [...text].reduce((sum, char) => sum + (/[\u2e80-\uffff]/u.test(char) ? 2 : 1), 0);
  const padLabel = (label: string, size: number): string => label + ' '.repeat(Math.max(0, size - width(label)));
  lines.push(`${padLabel('消息 messages', 22)}${pad('sent', 8)}${pad('answered once', 15)}${pad('lost', 7)}${pad('answered twice', 16)}  (twice with a kill in between)`);
  for (const line of [...tally.rows, tally.total]) {
    if (line === tally.total) lines.push('-'.repeat(70));
    lines.push(`${padLabel(line.label, 22)}${pad(line.sent, 8)}${pad(line.answeredOnce, 15)}${pad(line.lost, 7)}${pad(line.answeredTwice, 16)}  (${line.twiceAcrossKill})`);
  }
  lines.push('');
  lines.push(`duplicate deliveries by the platform: ${tally.duplicateDeliveries} (an extra answer shows as "answered twice")`);
  lines.push(`公众号 retries by WeChat (no answer within 5 s, or no connection): ${tally.wechatRetries}`);
  lines.push(`公众号 messages sent again by the student after WeChat got no 200 (server down through all four attempts, or refusing): ${tally.resentAfterWechatGaveUp}`);
  lines.push('');
  const { replies } = tally;
  lines.push(`${padLabel('老师回复 teachers\u2019 replies', 22)}${pad('sent', 8)}${pad('delivered', 11)}${pad('lost', 7)}${pad('duplicated', 12)}${pad('wrong chat', 12)}`);
  lines.push(`${padLabel('via the dashboard', 22)}${pad(replies.sent, 8)}${pad(replies.delivered, 11)}${pad(replies.lost, 7)}${pad(replies.duplicated, 12)}${pad(replies.wrongChat, 12)}`);
  lines.push('');
  lines.push(
    `kill -9: ${tally.kills.length} — ${tally.kills.map((kill) => `at ${kill.atSeconds} s (back after ${kill.downSeconds} s)`).join(', ')}; run took ${tally.seconds} s`,
  );
  if (tally.anomalies.length > 0) {
    lines.push('', `lost or answered twice (the first ${tally.anomalies.length}; replies cut short):`);
    for (const anomaly of tally.anomalies) {
      const flags = [anomaly.duplicated ? 'delivered twice' : '', anomaly.retried ? 'retried by WeChat' : '', anomaly.killWhileAnswering ? 'kill while answering' : ''].filter(Boolean).join(', ');
      lines.push(`  ${anomaly.label} ${anomaly.chat} at ${anomaly.sentAtSeconds} s: ${anomaly.answers} answers${flags ? ` (${flags})` : ''} ${JSON.stringify(anomaly.replies)}`);
    }
  }
  return lines.join('\n');
}
