import { describe, expect, it } from 'vitest';
import { questionTypeOf, withoutQuestionWords } from './question-type.ts';

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
