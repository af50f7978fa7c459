import { describe, expect, it } from 'vitest';
import { choiceList } from './career-texts.ts';
import { controlOf, fold, meansNothing, readMany, readSingle } from './choice-input.ts';

describe('reading a student’s short replies', () => {
  it('folds width, case, spaces and end punctuation', () => {
    expect(fold(' ５。')).toBe('5');
    expect(fold('ＢＡＣＫ!')).toBe('back');
    expect(fold('离家 近')).toBe('离家近');
  });

  it('recognises the control words exactly, in any width or case', () => {
    expect(controlOf('退出')).toBe('quit');
    expect(controlOf('Quit')).toBe('quit');
    expect(controlOf('上一步！')).toBe('back');
    expect(controlOf('重做测评')).toBe('redo');
    expect(controlOf('跳过')).toBe('skip');
    expect(controlOf('我想退出这个学校')).toBeNull();
    expect(meansNothing('暂无')).toBe(true);
    expect(meansNothing('没有特别喜欢的')).toBe(false);
  });

  it('reads one option by number, label, value or alias', () => {
    const intention = choiceList('intention');
    expect(readSingle(intention, '3')).toEqual({ value: '未定' });
    expect(readSingle(intention, '还没想好')).toEqual({ value: '未定' });
    expect(readSingle(intention, '未定')).toEqual({ value: '未定' });
    expect(readSingle(intention, '找工作')).toEqual({ value: '就业' });
    expect(readSingle(intention, '4')).toEqual({ problem: 'reask_choice' });
    expect(readSingle(intention, '1 2')).toEqual({ problem: 'reask_single' });
    expect(readSingle(intention, '升学、就业')).toEqual({ problem: 'reask_single' });
  });

  it('reads several options separated by commas, 、 or spaces, in list order', () => {
    const constraints = choiceList('constraints');
    expect(readMany(constraints, '1,3')).toEqual(['家庭经济压力', '想尽快工作']);
    expect(readMany(constraints, '3 1')).toEqual(['家庭经济压力', '想尽快工作']);
    expect(readMany(constraints, '１、３')).toEqual(['家庭经济压力', '想尽快工作']);
    expect(readMany(constraints, '不想离家太远')).toEqual(['离家近']);
    expect(readMany(constraints, '2，早点赚钱')).toEqual(['想继续升学', '想尽快工作']);
    expect(readMany(constraints, '1,6')).toBeNull();
    expect(readMany(constraints, '，')).toBeNull();
  });
});
