import { describe, expect, it } from 'vitest';
import { careerTexts, choiceList, fill, labelOf, say } from './career-texts.ts';

describe('career.zh.yaml', () => {
  it('has every text the dialogue and the plan use', () => {
    expect(() => careerTexts()).not.toThrow();
    expect(choiceList('grade_本科').map((option) => option.value)).toEqual(['大一', '大二', '大三', '大四', '已毕业']);
    expect(labelOf('intention', '未定')).toBe('还没想好');
  });

  it('fills placeholders and refuses to leave one blank', () => {
    expect(fill('第 {n}/{total} 题', { n: 1, total: 24 })).toBe('第 1/24 题');
    expect(() => say('text', 'ask_item', { n: 1 })).toThrow(/needs a value for \{total\}/u);
    expect(() => say('text', 'no_such_text')).toThrow(/no text text\.no_such_text/u);
  });
});
