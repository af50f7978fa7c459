import { beforeAll, describe, expect, it } from 'vitest';
import { realCorpus, type RealCorpus } from '../testing/corpus-fixture.ts';
import { candidateSentences, leadSentence, leadTypeOf, splitSentences } from './lead-sentence.ts';
import { questionTypeOf, sentenceFits } from './question-type.ts';

let corpus: RealCorpus;
beforeAll(async () => {
  corpus = await realCorpus();
});

const lead = (clause: string | string[], question: string, retrievedPart = 0): string | undefined => {
  const query = corpus.search.analyze(question);
  return leadSentence(clause, query, leadTypeOf(question), corpus.tokenizer, corpus.search.lexicalIndex, retrievedPart)?.text;
};

describe('splitSentences', () => {
  it('never cuts inside a ratio, a decimal, a date or a quoted title', () => {
    expect(splitSentences('专职人员与应届毕业生的比例不低于1：500。每学期检查1.5次。')).toEqual([
      '专职人员与应届毕业生的比例不低于1：500。',
      '每学期检查1.5次。',
    ]);
    expect(splitSentences('依据《标准化工作导则。第1部分》起草；自2024年5月1日起施行。')).toEqual([
      '依据《标准化工作导则。第1部分》起草；',
      '自2024年5月1日起施行。',
    ]);
  });
});

describe('candidateSentences', () => {
  it('drops the clause number and keeps a list intro together with its items', () => {
    const candidates = candidateSentences('6.3 职业生涯规划服务应符合以下要求：\n（1）应提供书面指导意见；\n（2）应定期回访。');
    expect(candidates[0]).toBe('职业生涯规划服务应符合以下要求：');
    expect(candidates).toContain('职业生涯规划服务应符合以下要求：\n（1）应提供书面指导意见；\n（2）应定期回访。');
  });
});

describe('leadSentence', () => {
  const clause = '第十五条 中等职业学校应当重视职业指导工作。学校应在核定的编制内至少配备1名专兼职教师从事职业指导。鼓励选聘行业、企业优秀人员担任兼职职业指导教师。';

  it('leads a 几 question with the sentence that holds the number', () => {
    expect(lead(clause, '中职学校要配几个职业指导老师')).toBe('学校应在核定的编制内至少配备1名专兼职教师从事职业指导。');
  });

  it('extends a heading-like sentence with the one that explains it', () => {
    expect(lead('第五条 开展学业辅导。帮助学生培养学习兴趣，养成良好学习习惯。', '学业辅导是干嘛的')).toBe(
      '开展学业辅导。帮助学生培养学习兴趣，养成良好学习习惯。',
    );
  });

  it('leads with the sentence that points back ("其…") together with the one it points to', () => {
    const hall = '招聘会议厅为用人单位与在校学生进行供需见面的场所。其使用面积按毕业生规模计算，1000名以下的要达到200平方米。档案室为毕业生档案管理场所。';
    expect(lead(hall, '招聘会议厅面积要多大')).toBe('招聘会议厅为用人单位与在校学生进行供需见面的场所。其使用面积按毕业生规模计算，1000名以下的要达到200平方米。');
  });

  it('keeps the items after an intro on its line for a question that asks what it includes', () => {
    const training = '4.1.5 服务机构应对从业人员进行培训，培训内容应包括：法律法规和政策；职业规划知识；就业创业心理咨询。';
    expect(lead(training, '机构工作人员要培训些啥内容')).toBe('服务机构应对从业人员进行培训，培训内容应包括：法律法规和政策；职业规划知识；就业创业心理咨询。');
  });

  it('reads every part of a clause stored in parts, and says which part leads', () => {
    const parts = ['11. 严格规范实习管理。学校应统一组织实习。', '不得将违法失信单位作为实习单位。', '不得向学生收取实习押金、培训费。'];
    const query = corpus.search.analyze('实习单位能收我押金吗');
    const found = leadSentence(parts, query, leadTypeOf('实习单位能收我押金吗'), corpus.tokenizer, corpus.search.lexicalIndex, 1);
    expect(found).toMatchObject({ text: '不得向学生收取实习押金、培训费。', parts: [2] });
  });

  it('returns null when no sentence holds a word of the question', () => {
    expect(lead(clause, '食堂几点开门')).toBeUndefined();
  });
});

describe('question types', () => {
  it('reads what kind of answer a question asks for', () => {
    expect(questionTypeOf('高职要配几个就业指导老师')).toBe('quantity');
    expect(questionTypeOf('实习单位能扣我身份证吗')).toBe('permission');
    expect(questionTypeOf('服务机构有哪些服务方式')).toBe('list');
    expect(questionTypeOf('这个文件是哪年发的')).toBe('time');
    expect(questionTypeOf('资助怎么申请')).toBe('procedure');
    expect(questionTypeOf('职业指导工作谁负责')).toBe('who');
    expect(questionTypeOf('How many teachers must a school have?')).toBe('quantity');
  });

  it('reads a size or a content question its words leave open', () => {
    expect(leadTypeOf('招聘会议厅面积要多大')).toBe('quantity');
    expect(leadTypeOf('机构工作人员要培训些啥内容')).toBe('list');
    expect(leadTypeOf('实习单位能扣我身份证吗')).toBe('permission');
  });

  it('checks the shape of an answer sentence against the question type', () => {
    expect(sentenceFits('quantity', '至少配备1名专兼职教师')).toBe(true);
    expect(sentenceFits('quantity', '鼓励选聘企业优秀人员')).toBe(false);
    expect(sentenceFits('permission', '不得扣押学生的居民身份证')).toBe(true);
  });
});
