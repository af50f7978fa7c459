import type { Choice, OutboundReply } from '../../src/conversation/types.ts';
import { Replies } from '../../src/prompts.ts';

/** How long one WeChat text message may be, in characters (personal WeChat via wechaty). */
export const wechatTextLimit = 2000;

/**
 * How long one Official Account text may be, in UTF-8 bytes (a passive reply or a customer-service
 * message; about 680 Chinese characters).
 */
export const officialAccountTextBytes = 2048;

/** What the adapters themselves say (everything else comes from the core). */
/** What the adapter says itself (prompts/channels.zh.yaml). */
export const wechatTexts = {
  failed: new Replies(undefined, ['channels']).render('zh', 'handling_failed'),
} as const;

/** The size of a text in characters (UTF-16 code units, what WeChat's limits roughly count). */
export const charCount = (text: string): number => text.length;

/** The size of a text in UTF-8 bytes. */
export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

const sentenceEnd = new Set(['。', '！', '？', '；', '!', '?', ';', '…']);
const clauseEnd = new Set(['，', '、', '：', ',', ':', '」', '）', ')', '”', '】']);

/**
 * Where to cut a line too long for one message: the index just after the last good break that
 * fits — a sentence end, else a comma or closing quote, else a space, else any character — never
 * inside a 《…》 title (unless the title alone is longer than a message) and never inside a
 * surrogate pair.
 */
function cutPoint(line: string, limit: number, size: (text: string) => number): number {
  let sentence = 0;
  let clause = 0;
  let space = 0;
  let free = 0;
  let any = 0;
  let depth = 0;
  let used = 0;
  for (const char of line) {
    used += size(char);
    if (used > limit) break;
    const at = any + char.length;
    any = at;
    if (char === '《') depth += 1;
    else if (char === '》') depth = Math.max(0, depth - 1);
    if (depth > 0) continue;
    free = at;
    if (sentenceEnd.has(char)) sentence = at;
    else if (clauseEnd.has(char)) clause = at;
    else if (/\s/u.test(char)) space = at;
  }
  const half = any / 2;
  for (const candidate of [sentence, clause, space]) if (candidate >= half) return candidate;
  const best = Math.max(sentence, clause, space);
  if (best > 0) return best;
  if (free > 0) return free;
  return Math.max(any, line.codePointAt(0)! > 0xffff ? 2 : 1);
}

function cutLine(line: string, limit: number, size: (text: string) => number): string[] {
  const parts: string[] = [];
  let rest = line;
  while (size(rest) > limit) {
    const at = cutPoint(rest, limit, size);
    parts.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

/**
 * Splits a reply into WeChat messages no bigger than `limit` (characters by default; pass
 * `utf8Bytes` to count bytes): whole paragraphs where they fit, else whole lines; only a line
 * longer than a message is cut — at a sentence end or comma, never inside a 《…》 citation.
 * Short text comes back as it is.
 *
 * @example for (const part of splitWechatText(answer)) await contact.say(part);
 */
export function splitWechatText(text: string, limit = wechatTextLimit, size: (text: string) => number = charCount): string[] {
  if (size(text) <= limit) return text.trim().length > 0 ? [text] : [];
  const chunks: string[] = [];
  let current = '';
  const add = (piece: string, separator: string): void => {
    if (piece.length === 0) return;
    if (current.length === 0) current = piece;
    else if (size(current) + size(separator) + size(piece) <= limit) current += separator + piece;
    else {
      chunks.push(current);
      current = piece;
    }
  };
  for (const paragraph of text.split(/\n{2,}/u)) {
    if (size(paragraph) <= limit) {
      add(paragraph, '\n\n');
      continue;
    }
    paragraph.split('\n').forEach((line, lineIndex) => {
      const separator = lineIndex === 0 ? '\n\n' : '\n';
      if (size(line) <= limit) add(line, separator);
      else cutLine(line, limit, size).forEach((part, partIndex) => add(part, partIndex === 0 ? separator : ''));
    });
  }
  if (current.length > 0) chunks.push(current);
  return chunks.filter((chunk) => chunk.trim().length > 0);
}

/** Choices as numbered lines ("1. 中职"): WeChat has no buttons; the student answers with the number or the label. */
export function numberedChoices(choices: readonly Choice[]): string {
  return choices.map((choice, index) => `${index + 1}. ${choice.label}`).join('\n');
}

/**
 * One reply as WeChat text: its text, then its choices as numbered lines after a blank line. A
 * document is left out (wechaty sends it as a file; the Official Account cannot send files in a
 * reply, and the plan's text is already in the chat replies).
 *
 * @example replyText({ text: '你在读哪类学校？', choices: [{ label: '中职', value: '中职' }] }) // '你在读哪类学校？\n\n1. 中职'
 */
export function replyText(reply: Pick<OutboundReply, 'text' | 'choices'>): string {
  const choices = reply.choices ?? [];
  if (choices.length === 0) return reply.text;
  return reply.text.trim() === '' ? numberedChoices(choices) : `${reply.text}\n\n${numberedChoices(choices)}`;
}

/** Several replies as one message (a passive reply carries one): each as `replyText`, blank lines between. */
export function joinReplies(replies: readonly OutboundReply[]): string {
  return replies
    .map(replyText)
    .filter((text) => text.trim() !== '')
    .join('\n\n');
}

/**
 * The choices last offered to each student, so that a bare number ("2", "２。") is sent to the core
 * as the chosen value — the core also reads numbers inside its dialogues, this covers menus
 * outside them (帮助). Kept in memory for the most recent `capacity` students; after a restart a
 * number goes to the core as typed.
 */
export class ChoiceMemory {
  readonly #offered = new Map<string, Choice[]>();

  constructor(readonly capacity = 10_000) {}

  /** Remembers the choices of a student's latest replies (none: forgets them). */
  offer(userId: string, replies: readonly OutboundReply[]): void {
    const last = [...replies].reverse().find((reply) => reply.choices && reply.choices.length > 0);
    this.#offered.delete(userId);
    if (!last?.choices) return;
    this.#offered.set(userId, last.choices);
    while (this.#offered.size > this.capacity) this.#offered.delete(this.#offered.keys().next().value!);
  }

  /** The text to hand the core: the chosen value for a number within the offered choices, else the text as it is. */
  resolve(userId: string, text: string): string {
    const match = /^\s*(\d{1,2})\s*[.。．、)）]?\s*$/u.exec(text.normalize('NFKC'));
    const choice = match ? this.#offered.get(userId)?.[Number(match[1]) - 1] : undefined;
    return choice ? choice.value : text;
  }
}
