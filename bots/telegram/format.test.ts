import { describe, expect, it } from 'vitest';
import type { InlineKeyboardMarkup, Message, MessageEntity } from 'grammy/types';
import { addressedText, choiceData, choiceFromData, choiceKeyboard, splitMessage, telegramTextLimit } from './format.ts';
import { kindOf, studentIdOf } from './telegram-bot.ts';

const withoutSpace = (text: string) => text.replace(/\s+/gu, '');
const balanced = (chunk: string) => (chunk.match(/《/gu) ?? []).length === (chunk.match(/》/gu) ?? []).length;

describe('splitMessage', () => {
  it('leaves a message of exactly 4,096 characters whole, and splits one of 4,097', () => {
    expect(splitMessage('字'.repeat(telegramTextLimit))).toEqual(['字'.repeat(telegramTextLimit)]);
    const parts = splitMessage('字'.repeat(telegramTextLimit + 1));
    expect(parts).toHaveLength(2);
    expect(parts.every((part) => part.length <= telegramTextLimit)).toBe(true);
    expect(parts.join('')).toBe('字'.repeat(telegramTextLimit + 1));
  });

  it('splits at paragraph boundaries and keeps every paragraph whole', () => {
    const paragraphs = Array.from({ length: 12 }, (_, index) => `第${index + 1}段：` + '实习单位不得扣押学生的居民身份证。'.repeat(40));
    const text = paragraphs.join('\n\n');
    const parts = splitMessage(text);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(telegramTextLimit);
      for (const paragraph of part.split('\n\n')) expect(paragraphs).toContain(paragraph);
    }
    expect(parts.join('\n\n')).toBe(text);
  });

  it('splits a long paragraph between lines, never inside a line', () => {
    const lines = Array.from({ length: 300 }, (_, index) => `· 第${index + 1}条：不得向学生收取实习押金、培训费和其他任何形式的实习费用。`);
    const parts = splitMessage(lines.join('\n'));
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) for (const line of part.split('\n')) expect(lines).toContain(line);
  });

  it('never breaks a 《…》 citation, even where it straddles the limit', () => {
    const title = '《关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见》二、11.';
    const filler = '甲'.repeat(telegramTextLimit - 20);
    const text = `${filler}${title}｜辽宁省教育厅`;
    const parts = splitMessage(text);
    expect(parts.every(balanced)).toBe(true);
    expect(parts.some((part) => part.includes(title))).toBe(true);
    expect(parts.join('')).toBe(text);
  });

  it('cuts a very long single line at sentence ends, citations intact', () => {
    const sentence = '根据《中等职业学校职业指导工作规定》第十五条，学校应当配备专职职业指导教师。';
    const line = sentence.repeat(400); // one line of ~15,000 characters
    const parts = splitMessage(line);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(telegramTextLimit);
      expect(balanced(part)).toBe(true);
      expect(part.endsWith('。') || part === parts.at(-1)).toBe(true);
    }
    expect(parts.join('')).toBe(line);
  });

  it('cuts a line without any punctuation hard, without splitting a surrogate pair', () => {
    const line = 'a' + '😀'.repeat(5000);
    const parts = splitMessage(line);
    expect(parts.every((part) => part.length <= telegramTextLimit)).toBe(true);
    expect(parts.every((part) => !/[\ud800-\udbff]$/u.test(part) && !/^[\udc00-\udfff]/u.test(part))).toBe(true);
    expect(withoutSpace(parts.join(''))).toBe(withoutSpace(line));
  });

  it('returns nothing for empty text', () => {
    expect(splitMessage('')).toEqual([]);
  });
});

describe('choice keyboards', () => {
  const choices = (labels: string[]) => labels.map((label) => ({ label, value: label }));
  const rows = (labels: string[]) => (choiceKeyboard(choices(labels)).keyboard as unknown as InlineKeyboardMarkup).inline_keyboard.map((row) => row.map((button) => button.text));

  it('puts at most three buttons in a row, balanced', () => {
    expect(rows(['职业规划', '我的规划', '转人工'])).toEqual([['职业规划', '我的规划', '转人工']]);
    expect(rows(['1', '2', '3', '4', '5'])).toEqual([
      ['1', '2', '3'],
      ['4', '5'],
    ]);
    expect(rows(['确认删除', '取消'])).toEqual([['确认删除', '取消']]);
    expect(rows(['a', 'b', 'c', 'd'])).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('gives long labels rows of their own', () => {
    expect(rows(['我想先了解一下升学的政策和条件', '我想直接找工作'])).toEqual([['我想先了解一下升学的政策和条件'], ['我想直接找工作']]);
  });

  it('carries the value when it fits 64 bytes, else the index, and reads either back', () => {
    const short = { label: '职业规划', value: '职业规划' };
    const long = { label: '升学', value: '我想了解专升本的报名条件和考试科目以及录取的规则' }; // 23 characters, 69 bytes
    expect(choiceData(short, 0)).toBe('v:职业规划');
    expect(choiceData(long, 1)).toBe('i:1');
    const { keyboard, indexed } = choiceKeyboard([short, long]);
    expect(indexed).toBe(true);
    const markup = keyboard as unknown as InlineKeyboardMarkup;
    for (const button of markup.inline_keyboard.flat()) {
      expect(Buffer.byteLength('callback_data' in button ? button.callback_data : '', 'utf8')).toBeLessThanOrEqual(64);
    }
    expect(choiceFromData('v:职业规划', undefined, markup)).toBe('职业规划');
    expect(choiceFromData('i:1', [short, long], markup)).toBe(long.value);
    expect(choiceFromData('i:1', undefined, markup)).toBe('升学'); // after a restart: the label
    expect(choiceFromData('something-else', undefined, markup)).toBeNull();
  });
});

describe('the group rule', () => {
  const bot = { id: 7000001, username: 'zhiyin_bot' };
  const mention = (text: string, handle = '@zhiyin_bot'): MessageEntity[] => [{ type: 'mention', offset: text.indexOf(handle), length: handle.length }];

  it('answers a message that @mentions the bot, without the mention', () => {
    const text = '@zhiyin_bot 实习单位能扣我身份证吗？';
    expect(addressedText({ text, entities: mention(text) }, bot)).toBe('实习单位能扣我身份证吗？');
    const middle = '请问 @ZhiYin_Bot 实习押金';
    expect(addressedText({ text: middle, entities: mention(middle, '@ZhiYin_Bot') }, bot)).toBe('请问 实习押金');
  });

  it('answers a reply to the bot', () => {
    expect(addressedText({ text: '那高职呢？', reply_to_message: { from: { id: bot.id } } }, bot)).toBe('那高职呢？');
  });

  it('ignores messages to others: no mention, a mention of another bot, a reply to someone else', () => {
    expect(addressedText({ text: '大家好' }, bot)).toBeNull();
    const other = '@other_bot 实习押金';
    expect(addressedText({ text: other, entities: mention(other, '@other_bot') }, bot)).toBeNull();
    expect(addressedText({ text: '同意', reply_to_message: { from: { id: 42 } } }, bot)).toBeNull();
  });

  it('reads a photo caption that mentions the bot', () => {
    const caption = '@zhiyin_bot 这个合同有问题吗';
    expect(addressedText({ caption, caption_entities: mention(caption) }, bot)).toBe('这个合同有问题吗');
  });
});

describe('students and kinds', () => {
  it('is the chat id in a private chat and chat:user in a group', () => {
    expect(studentIdOf({ id: 42, type: 'private' }, { id: 42 })).toBe('42');
    expect(studentIdOf({ id: -100123, type: 'supergroup' }, { id: 7 })).toBe('-100123:7');
    expect(studentIdOf({ id: -100123, type: 'channel' }, undefined)).toBeNull();
  });

  it('maps Telegram content to the core kinds and ignores service messages', () => {
    const base = { message_id: 1, date: 0, chat: { id: 1, type: 'private', first_name: 'a' } };
    const kind = (content: object) => kindOf({ ...base, ...content } as unknown as Message);
    expect(kind({ text: 'hi' })).toBe('text');
    expect(kind({ sticker: {} })).toBe('sticker');
    expect(kind({ photo: [] })).toBe('image');
    expect(kind({ voice: {} })).toBe('voice');
    expect(kind({ video_note: {} })).toBe('video');
    expect(kind({ document: { mime_type: 'application/pdf' } })).toBe('file');
    expect(kind({ document: { mime_type: 'image/png' } })).toBe('image');
    expect(kind({ location: {} })).toBe('location');
    expect(kind({ contact: {} })).toBe('other');
    expect(kind({ new_chat_members: [] })).toBeNull();
  });
});
