import { InlineKeyboard } from 'grammy';
import type { InlineKeyboardMarkup, MessageEntity } from 'grammy/types';
import type { Choice } from '../../src/conversation/types.ts';

/** Telegram's limit on one text message (UTF-16 code units, which is what a JS string's length counts). */
export const telegramTextLimit = 4096;

/** Telegram's limit on a button's callback data, in bytes. */
export const callbackDataLimit = 64;

const sentenceEnd = new Set(['。', '！', '？', '；', '!', '?', ';', '…']);
const clauseEnd = new Set(['，', '、', '：', ',', ':', '」', '）', ')', '”', '】']);

/**
 * Where to cut a line longer than `limit`: the index just after the last good break at or before
 * `limit` — a sentence end, else a comma or closing quote, else a space, else any character —
 * never inside a 《…》 title and never between the two halves of a surrogate pair.
 */
function cutPoint(line: string, limit: number): number {
  let sentence = 0;
  let clause = 0;
  let space = 0;
  let free = 0;
  let depth = 0;
  for (let index = 0; index < limit && index < line.length; index += 1) {
    const char = line[index]!;
    if (char === '《') depth += 1;
    else if (char === '》') depth = Math.max(0, depth - 1);
    const at = index + 1;
    const code = line.charCodeAt(index);
    const splitsPair = code >= 0xd800 && code <= 0xdbff;
    if (depth > 0 || splitsPair) continue;
    free = at;
    if (sentenceEnd.has(char)) sentence = at;
    else if (clauseEnd.has(char)) clause = at;
    else if (/\s/u.test(char)) space = at;
  }
  const half = limit / 2;
  for (const candidate of [sentence, clause, space]) if (candidate >= half) return candidate;
  const best = Math.max(sentence, clause, space);
  if (best > 0) return best;
  if (free > 0) return free;
  // An unclosed 《 spanning the whole window: cut at the limit (keeping surrogate pairs whole).
  const code = line.charCodeAt(limit - 1);
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

function cutLine(line: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = line;
  while (rest.length > limit) {
    const at = cutPoint(rest, limit);
    parts.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}

/**
 * Splits a reply into Telegram messages of at most `limit` characters: whole paragraphs where they
 * fit, else whole lines, and only a line longer than the limit is cut — at a sentence end or
 * comma, never inside a 《…》 citation. Short text comes back as it is.
 *
 * @example splitMessage(answer).forEach((part) => api.sendMessage(chatId, part));
 */
export function splitMessage(text: string, limit = telegramTextLimit): string[] {
  if (text.length <= limit) return text.length > 0 ? [text] : [];
  const chunks: string[] = [];
  let current = '';
  const add = (piece: string, separator: string): void => {
    if (piece.length === 0) return;
    if (current.length === 0) current = piece;
    else if (current.length + separator.length + piece.length <= limit) current += separator + piece;
    else {
      chunks.push(current);
      current = piece;
    }
  };
  for (const paragraph of text.split(/\n{2,}/u)) {
    if (paragraph.length <= limit) {
      add(paragraph, '\n\n');
      continue;
    }
    paragraph.split('\n').forEach((line, lineIndex) => {
      const separator = lineIndex === 0 ? '\n\n' : '\n';
      if (line.length <= limit) add(line, separator);
      else cutLine(line, limit).forEach((part, partIndex) => add(part, partIndex === 0 ? separator : ''));
    });
  }
  if (current.length > 0) chunks.push(current);
  return chunks.filter((chunk) => chunk.trim().length > 0);
}

/** The callback data of a choice: the value itself when it fits in 64 bytes, else its index. */
export function choiceData(choice: Choice, index: number): string {
  const data = `v:${choice.value}`;
  return Buffer.byteLength(data, 'utf8') <= callbackDataLimit ? data : `i:${index}`;
}

/**
 * Choices as an inline keyboard: rows of at most three buttons (two or one when labels are
 * long), balanced (five choices are 3 + 2, four are 2 + 2). `indexed` says whether some button
 * carries an index instead of its value (the sender remembers those choices).
 */
export function choiceKeyboard(choices: Choice[]): { keyboard: InlineKeyboard; indexed: boolean } {
  const widest = Math.max(0, ...choices.map((choice) => [...choice.label].length));
  const perRow = widest <= 6 ? 3 : widest <= 14 ? 2 : 1;
  const rows = Math.max(1, Math.ceil(choices.length / perRow));
  const width = Math.ceil(choices.length / rows);
  const keyboard = new InlineKeyboard();
  let indexed = false;
  choices.forEach((choice, index) => {
    if (index > 0 && index % width === 0) keyboard.row();
    const data = choiceData(choice, index);
    if (data.startsWith('i:')) indexed = true;
    keyboard.text(choice.label, data);
  });
  return { keyboard, indexed };
}

/**
 * The text a pressed button stands for: the value in its data, or, for an indexed button, the
 * remembered choice's value — after a restart, when nothing is remembered, the button's label.
 * `null` for data this bot did not make.
 */
export function choiceFromData(data: string, remembered: Choice[] | undefined, markup: InlineKeyboardMarkup | undefined): string | null {
  if (data.startsWith('v:')) return data.slice(2);
  const match = /^i:(\d{1,3})$/u.exec(data);
  if (!match) return null;
  const index = Number(match[1]);
  const choice = remembered?.[index];
  if (choice) return choice.value;
  const button = markup?.inline_keyboard.flat().find((candidate) => 'callback_data' in candidate && candidate.callback_data === data);
  return button?.text ?? null;
}

/** The parts of a message the group rule looks at. */
export interface AddressableMessage {
  text?: string;
  caption?: string;
  entities?: MessageEntity[];
  caption_entities?: MessageEntity[];
  reply_to_message?: { from?: { id: number } };
}

/**
 * In a group, the bot answers only a message that @mentions it or replies to one of its
 * messages. Returns the text with the mention taken out (trimmed), or `null` when the message is
 * not addressed to the bot. Text without a mention (a reply to the bot) comes back as it is.
 *
 * @example addressedText({ text: '@zhiyin_bot 实习押金', entities }, { id, username: 'zhiyin_bot' }) // '实习押金'
 */
export function addressedText(message: AddressableMessage, bot: { id: number; username: string }): string | null {
  const text = message.text ?? message.caption ?? '';
  const entities = (message.text !== undefined ? message.entities : message.caption_entities) ?? [];
  const handle = `@${bot.username}`.toLowerCase();
  const mentions = entities.filter(
    (entity) =>
      (entity.type === 'mention' && text.slice(entity.offset, entity.offset + entity.length).toLowerCase() === handle) ||
      (entity.type === 'text_mention' && entity.user.id === bot.id),
  );
  const repliesToBot = message.reply_to_message?.from?.id === bot.id;
  if (mentions.length === 0 && !repliesToBot) return null;
  let stripped = text;
  for (const entity of [...mentions].sort((a, b) => b.offset - a.offset)) {
    if (entity.type !== 'mention') continue;
    stripped = stripped.slice(0, entity.offset) + stripped.slice(entity.offset + entity.length).replace(/^[\s,，:：]+/u, '');
  }
  return stripped.replace(/^[\s,，:：]+/u, '').trim();
}
