import { describe, expect, it } from 'vitest';
import { asksForAFigure, questionTypeOf, statesAFigure, withoutQuestionWords } from './question-type.ts';

describe('withoutQuestionWords', () => {
  it('keeps what a question is about and drops how it asks', () => {
    expect(withoutQuestionWords('辽宁中职学校要给新生建立什么档案？')).toBe('辽宁中职学校要给新生建立 档案');
    expect(withoutQuestionWords('河南高校专职就业指导人员按多少比例配')).toBe('河南高校专职就业指导人员按 比例配');
    expect(withoutQuestionWords('How many staff must a university have?')).toBe('staff a university have');
  });

  it('leaves a topic whose question words are gone to take the type of the words asked next', () => {
    const topic = withoutQuestionWords('中职学生申请国家资助要满足什么条件');
    expect(questionTypeOf(`${topic} 具体怎么申请`)).toBe('procedure');
    expect(questionTypeOf(`${withoutQuestionWords('要建立什么档案')} 要多久`)).toBe('time');
  });
});

describe('asksForAFigure and statesAFigure', () => {
  it('reads a question for a count, an amount or a ratio as asking for a figure, and one for a list of kinds as not', () => {
    expect(asksForAFigure('中职学校至少要配几个职业指导老师')).toBe(true);
    expect(asksForAFigure('河南高校就业率是多少')).toBe(true);
    expect(asksForAFigure('How many computers should the room have?')).toBe(true);
    expect(asksForAFigure('申请补贴有几种方式')).toBe(false);
    expect(asksForAFigure('实习单位能扣我身份证吗')).toBe(false);
  });

  it('finds a figure in digits, a ratio or a numeral with its counter, and none in idioms made of numerals', () => {
    expect(statesAFigure('专职人员与应届毕业生的比例不低于1：500。')).toBe(true);
    expect(statesAFigure('校长每学期听课至少十次。')).toBe(true);
    expect(statesAFigure('专项经费不得少于学费的百分之一。')).toBe(true);
    expect(statesAFigure('要把这项涉及千家万户切身利益的工作抓紧抓好，出台一系列政策。')).toBe(false);
    expect(statesAFigure('依据《标准化工作导则 第1部分》制定。')).toBe(false);
  });
});
