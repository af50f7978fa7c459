import { beforeAll, describe, expect, it } from 'vitest';
import { realCorpus, type RealCorpus } from '../testing/corpus-fixture.ts';
import { candidateSentences, leadSentence, leadTypeOf, outlineOf, splitSentences } from './lead-sentence.ts';
import { answerShapeWeight, asksLeave, questionTypeOf, sentenceFits } from './question-type.ts';

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

describe('a list that is not marked as one', () => {
  it('takes the lines after "下列文件…。" as the list that line announces', () => {
    const clause = '2 规范性引用文件\n下列文件对于本文件的应用是必不可少的。凡是不注日期的引用文件,其最新版本适用于本文件。\nGB/T 30663-2024 人才测评服务规范\nGB/T 33667—2017 高校毕业生就业指导服务规范';
    expect(lead(clause, '这个规范引用了哪些国家标准')).toContain('GB/T 33667—2017 高校毕业生就业指导服务规范');
  });
});

describe('an item of a list', () => {
  const clause = '第二十四条 职业院校和有关部门不得有下列行为：\n（一）截留、挤占、挪用补贴资金；\n（二）向毕业生收取任何手续费、服务费；\n（三）泄露、出售毕业生个人信息。';

  it('leads with the line that introduces its list, which holds the rule ("不得有下列行为：")', () => {
    expect(lead(clause, '向毕业生收取服务费')).toBe('职业院校和有关部门不得有下列行为：\n（二）向毕业生收取任何手续费、服务费；');
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

  it('leads a question stating an age with the age limit, not another rule on the same topic', () => {
    const internship = '11. 严格规范实习管理。认识实习、跟岗实习必须由学校统一组织实施。未满 18 周岁的学生参加跟岗实习、顶岗实习应征得监护人同意，不得安排未满 16 周岁学生跟岗实习、顶岗实习。';
    const riskier = '不得向学生收取或从学生实习报酬中抵扣保险费用，不得安排学生从事具有较高安全风险岗位实习。';
    expect(lead([internship, riskier], '我15岁能去顶岗实习吗')).toBe('未满 18 周岁的学生参加跟岗实习、顶岗实习应征得监护人同意，不得安排未满 16 周岁学生跟岗实习、顶岗实习。');
    expect(lead([internship, riskier], 'Can a 15-year-old do a placement internship?')).toContain('16 周岁');
  });

  it('leads a question whether something is allowed with the rule that forbids or allows it, not a duty on the topic', () => {
    const register = '9. 严格规范学籍管理。要及时注册和维护中职学生学籍信息。严禁注册“双重学籍”。';
    expect(lead(register, '可以同时有两个学籍吗')).toContain('严禁注册“双重学籍”');
    // "会不会" asks whether it is done, not whether it is allowed: the duty may answer it
    expect(asksLeave('学校会不会搞招聘会')).toBe(false);
    expect(asksLeave('中职学校能先给他注册学籍吗')).toBe(true);
  });

  it('leads a list question about a clause of named items with all the items\' names', () => {
    const principles = [
      '第四条 职业指导工作应坚持以下原则：\n（一）以学生为本原则。通过开展教学与实践活动，激发职业兴趣。\n（二）循序渐进原则。遵循学生身心发展规律。',
      '（三）教育与服务相结合原则。面向全体学生开展职业生涯教育。',
      '（四）协同推进原则。融入课程教学和学生日常管理。',
    ];
    expect(lead(principles, '职业指导有哪些原则')).toBe('职业指导工作应坚持以下原则：以学生为本原则；循序渐进原则；教育与服务相结合原则；协同推进原则。');
    // a question about one of the items is answered from that item
    expect(lead(principles, '以学生为本原则有哪些要求')).not.toContain('协同推进原则');
    const paragraphs = '坚持以德为先。以职业道德水平为基本要求。\n坚持需求导向。立足求职者核心诉求。\n坚持合作共赢。建立部门间沟通协调机制。';
    expect(outlineOf([paragraphs])?.text).toBe('坚持以德为先；坚持需求导向；坚持合作共赢。');
    expect(outlineOf(['应符合以下要求：\n（1）应提供书面指导意见；\n（2）应定期回访；\n（3）应建立档案。'])).toBeNull();
    // items that name themselves before spelling out what they include, across the parts of a clause
    const services = ['服务应包括以下内容：\n（1）政策咨询，包括提供法律法规咨询；\n（2）职业倾向分析，包括提供人格特征测量；', '（3）职业生涯规划，包括提供自我认知指导。'];
    expect(outlineOf(services)?.text).toBe('服务应包括以下内容：政策咨询；职业倾向分析；职业生涯规划。');
  });

  it('leads a question about one side of a contrast (兼职) with the rule on that side, not the other side\'s beside it', () => {
    const staff = [
      '（七）加强专兼职工作人员队伍建设。专职人员必须熟悉有关毕业生就业的政策。专职就业工作人员必须具有中级以上就业指导相关职业资格证书。',
      '学校各院（系）都要配备兼职就业指导工作人员。原则上要求兼职就业工作人员具有相关职业资格证书。',
    ];
    expect(lead(staff, '兼职就业指导人员要什么资格证书')).toBe('原则上要求兼职就业工作人员具有相关职业资格证书。');
    expect(lead(staff, '专职就业指导人员要什么资格证书')).toContain('中级以上');
    expect(lead(staff, '专职就业指导人员要什么资格证书')).not.toContain('兼职');
  });

  it('does not read a quoted title as what a sentence says', () => {
    const preface = '本标准依据 GB/T 1.1—2020《标准化工作导则 第1部分:标准化文件的结构和起草规则》给出的规则起草。\n本标准起草单位：江苏开放大学。';
    expect(lead(preface, '这个规范是谁起草的')).toBe('本标准起草单位：江苏开放大学。');
    expect(sentenceFits('who', '依据《标准化工作导则 第1部分》起草。')).toBe(false);
  });

  it('joins a sentence without a subject to the paragraph\'s sentence that names it', () => {
    const rooms = '职业咨询室为在校学生职业咨询和职业心理咨询场所。咨询人员要具备职业咨询任职资格。要配备职业咨询专用电话、电脑等办公设施。';
    expect(lead(rooms, '职业咨询室里面要配什么设备')).toBe('职业咨询室为在校学生职业咨询和职业心理咨询场所。要配备职业咨询专用电话、电脑等办公设施。');
  });

  it('leads with the whole short paragraph a heading opens', () => {
    const enterprise = '4.创业教育。要及时宣传大学生创业政策。要加强创业教育师资队伍建设。要建立创业基地，开展创业培训。';
    expect(lead(enterprise, '创业教育学校要做啥')).toBe('创业教育。要及时宣传大学生创业政策。要加强创业教育师资队伍建设。要建立创业基地，开展创业培训。');
  });

  it('leads a question that does not say what it asks with the next sentence on the same words too', () => {
    const appraisal = '第十七条 中等职业学校应加强职业指导教师的业务培训和考核。对职业指导教师的考核，注重过程性评价。';
    expect(lead(appraisal, '职业指导老师怎么考核的')).toBe('中等职业学校应加强职业指导教师的业务培训和考核。对职业指导教师的考核，注重过程性评价。');
    // what the answer is judged by stays the sentence that won
    const query = corpus.search.analyze('职业指导老师怎么考核的');
    expect(leadSentence(appraisal, query, 'open', corpus.tokenizer, corpus.search.lexicalIndex)?.judged).toBe('中等职业学校应加强职业指导教师的业务培训和考核。');
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
    expect(answerShapeWeight('permission', '严禁注册“双重学籍”。', true)).toBe(1);
    expect(answerShapeWeight('permission', '要及时注册和维护学籍信息。', true)).toBeLessThan(1);
    expect(answerShapeWeight('permission', '要及时注册和维护学籍信息。', false)).toBe(1);
    expect(answerShapeWeight('quantity', '鼓励选聘企业优秀人员')).toBe(0.6);
  });
});

describe('a count question', () => {
  it('is led by the sentence whose number counts what was asked, not by another number of the clause', () => {
    const clause = '第三条 领导小组每年确定就业工作重点5项。领导小组每年召开全体会议两次。';
    expect(lead(clause, '领导小组每年几次')).toContain('两次');
    expect(lead(clause, '领导小组每年几项')).toContain('5项');
  });
});
