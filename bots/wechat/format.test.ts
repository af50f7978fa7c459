import { describe, expect, it } from 'vitest';
import { ChoiceMemory, joinReplies, replyText, splitWechatText, utf8Bytes } from './format.ts';

const title = '《关于进一步规范中等职业学校管理全面提升中等职业教育质量的意见》';

describe('splitWechatText', () => {
  it('keeps short text whole and drops empty text', () => {
    expect(splitWechatText('你好')).toEqual(['你好']);
    expect(splitWechatText('  \n ')).toEqual([]);
  });

  it('splits at paragraph and line boundaries within the limit', () => {
    const paragraphs = ['一'.repeat(30), '二'.repeat(30), '三'.repeat(30)];
    const parts = splitWechatText(paragraphs.join('\n\n'), 70);
    expect(parts).toEqual([`${paragraphs[0]}\n\n${paragraphs[1]}`, paragraphs[2]]);
    const lines = ['甲'.repeat(40), '乙'.repeat(40)].join('\n');
    expect(splitWechatText(lines, 50)).toEqual(['甲'.repeat(40), '乙'.repeat(40)]);
  });

  it('cuts a long line at a sentence end, never inside a 《…》 citation', () => {
    const line = `根据${title}二、11.：不得扣押学生的证件。${'另外'.repeat(10)}，根据${title}二、12.：不得收取押金。`;
    for (const limit of [40, 50, 60, 70]) {
      const parts = splitWechatText(line, limit);
      expect(parts.join('')).toBe(line);
      for (const part of parts) {
        expect(part.length).toBeLessThanOrEqual(limit);
        expect(part.split('《').length).toBe(part.split('》').length);
      }
    }
  });

  it('counts UTF-8 bytes when asked (the Official Account limit)', () => {
    const text = Array.from({ length: 10 }, (_, index) => `${index + 1}. ${'职业指导'.repeat(20)}`).join('\n');
    const parts = splitWechatText(text, 600, utf8Bytes);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(utf8Bytes(part)).toBeLessThanOrEqual(600);
    expect(parts.join('\n')).toBe(text);
  });

  it('never splits a surrogate pair', () => {
    const parts = splitWechatText('😀'.repeat(30), 7);
    expect(parts.join('')).toBe('😀'.repeat(30));
    for (const part of parts) expect(part).toMatch(/^(?:😀)+$/u);
  });
});

describe('replies as WeChat text', () => {
  const choices = [
    { label: '中职', value: '中职' },
    { label: '高职', value: '高职' },
  ];

  it('shows choices as numbered lines after the text', () => {
    expect(replyText({ text: '你在读哪类学校？', choices })).toBe('你在读哪类学校？\n\n1. 中职\n2. 高职');
    expect(replyText({ text: '', choices })).toBe('1. 中职\n2. 高职');
    expect(replyText({ text: '好的' })).toBe('好的');
  });

  it('joins several replies into one message with blank lines (a passive reply carries one)', () => {
    expect(joinReplies([{ text: '第一条' }, { text: '' }, { text: '选一个', choices }])).toBe('第一条\n\n选一个\n\n1. 中职\n2. 高职');
  });
});

describe('ChoiceMemory', () => {
  it('turns a bare number into the value of the choice last offered to that student', () => {
    const memory = new ChoiceMemory();
    memory.offer('amy', [{ text: '菜单', choices: [{ label: '职业规划', value: '职业规划' }, { label: '转人工', value: '转人工' }] }]);
    expect(memory.resolve('amy', '2')).toBe('转人工');
    expect(memory.resolve('amy', ' ２。')).toBe('转人工');
    expect(memory.resolve('amy', '3')).toBe('3');
    expect(memory.resolve('ben', '1')).toBe('1');
    expect(memory.resolve('amy', '我选2')).toBe('我选2');
    memory.offer('amy', [{ text: '好的' }]);
    expect(memory.resolve('amy', '1')).toBe('1');
  });

  it('keeps only the most recent students', () => {
    const memory = new ChoiceMemory(2);
    for (const user of ['a', 'b', 'c']) memory.offer(user, [{ text: '', choices: [{ label: user, value: user }] }]);
    expect(memory.resolve('a', '1')).toBe('1');
    expect(memory.resolve('c', '1')).toBe('c');
  });
});
