import { describe, expect, it } from 'vitest';
import type { Citation } from '../answering/types.ts';
import { ageIn, fitsSlot, leadAnswers, numberFrom, pointIn, pointOf, resolveFollowUp, type FrameKnowledge } from './follow-up.ts';
import { asksAQuestion, countIn, ownRegionIn, ownWordsOf, withoutSubjectChange } from './slots.ts';
import type { LastTurn } from './types.ts';

const article4: Citation = {
  doc: 'moe-2018-zhongzhi-guidance',
  title: '中等职业学校职业指导工作规定',
  locator: '第四条',
  text: '第四条 中等职业学校职业指导工作应坚持以下原则：\n（一）以学生为本原则。通过开展…\n（二）循序渐进原则。坚持从…\n（三）教育与服务相结合原则。',
};

const last = (resolved: string, citations: Citation[] = [article4]): LastTurn => ({
  question: resolved,
  resolved,
  outcome: 'answer',
  citations,
  language: 'zh',
});

describe('resolveFollowUp', () => {
  it('swaps the kind of school, in the documents’ own words: 中职 → 高职 asks about 高校', () => {
    expect(resolveFollowUp('那高职呢？', last('中职学校要配几名职业指导老师?'))).toMatchObject({
      kind: 'rewrite',
      question: '高校要配几名职业指导老师?',
    });
    expect(resolveFollowUp('中职呢', last('高校就业指导经费有什么要求?'))).toMatchObject({ kind: 'rewrite', question: '中职学校就业指导经费有什么要求?' });
  });

  it('recognises a swap to a school the documents do not cover', () => {
    expect(resolveFollowUp('那普通高中呢？', last('中职学校职业指导工作实行什么负责制?'))).toEqual({ kind: 'uncovered', subject: '普通高中' });
    expect(resolveFollowUp('那研究生呢', last('中职学生申请国家资助要满足什么条件?'))).toEqual({ kind: 'uncovered', subject: '研究生' });
  });

  it('swaps the region, in English too', () => {
    expect(resolveFollowUp('辽宁呢', last('山东省要评多少门职业指导金课?'))).toMatchObject({ kind: 'rewrite', question: '辽宁省要评多少门职业指导金课?' });
    expect(resolveFollowUp('What about Shandong?', last('how many career guidance stars does henan select?'))).toMatchObject({
      kind: 'rewrite',
      question: 'how many career guidance stars does shandong select?',
    });
  });

  it('asks the previous question about the other side of a contrast it named (专职 → 兼职), or keeps its topic', () => {
    expect(resolveFollowUp('那兼职的呢', last('河南高校专职就业指导人员要什么证'))).toMatchObject({ kind: 'rewrite', question: '河南高校兼职就业指导人员要什么证' });
    expect(resolveFollowUp('what about the part-time ones?', last('do those staff need any certificate?'))).toMatchObject({
      kind: 'rewrite',
      question: 'do those staff need any certificate? the part-time ones',
    });
  });

  it('reads a question with almost no words of its own with the previous topic when alone it finds nothing', () => {
    expect(resolveFollowUp('结果多久能出来', last('去人才服务机构做职业测评，测评数据会保密吗'))).toEqual({
      kind: 'new-question',
      framed: '去人才服务机构做职业测评,测评数据会保密 结果多久能出来',
      framedFirst: false,
    });
    // a question with a topic of its own is no follow-up
    expect(resolveFollowUp('中职学生申请国家资助要满足什么条件', last('去人才服务机构做职业测评，测评数据会保密吗'))).toBeNull();
  });

  it('adds the new words when the previous question named no such thing', () => {
    expect(resolveFollowUp('那押金呢？', last('实习单位能扣我身份证吗?'))).toMatchObject({ kind: 'rewrite', question: '实习单位能扣我身份证吗? 押金' });
  });

  it('keeps the region and kind of school but drops the old topic when the follow-up names a new one', () => {
    expect(resolveFollowUp('那押金呢？', last('辽宁中职生最小多大可以去顶岗实习?'))).toMatchObject({ kind: 'rewrite', question: '辽宁 中职 押金' });
    // a question of its own opened by 那 is read where the previous one was asked, first
    expect(resolveFollowUp('那测评结果多久给我', last('拉萨规范里就业指导服务内容有哪些'))).toEqual({
      kind: 'new-question',
      framed: '拉萨 那测评结果多久给我',
      framedFirst: true,
    });
    expect(resolveFollowUp('那信息查询室的电脑呢', last('河南高校的招聘会议厅要多大面积?'))).toMatchObject({
      kind: 'rewrite',
      question: '河南 高校 信息查询室的电脑',
    });
  });

  it('keeps the topic of the previous question, without its question words, when the follow-up asks something new about it', () => {
    expect(resolveFollowUp('那要多久？', last('辽宁中职学校要给新生建立什么档案?'))).toMatchObject({
      kind: 'rewrite',
      question: '辽宁中职学校要给新生建立 档案 要多久',
    });
    // "具体怎么申请" asks for the procedure of the same topic: the new question word decides the type
    expect(resolveFollowUp('具体怎么申请', last('辽宁中职学生申请国家资助要满足什么条件'))).toMatchObject({
      kind: 'rewrite',
      question: '辽宁中职学生申请国家资助要满足 条件 具体怎么申请',
    });
    // the same topic named again ("协议" of "要签协议吗") or a pronoun for its subject reads on
    expect(resolveFollowUp('协议里都写些啥', last('去拉萨的服务机构做就业指导 要签协议吗'))).toMatchObject({
      kind: 'rewrite',
      question: '去拉萨的服务机构做就业指导 要签协议 协议里都写些啥',
    });
    expect(resolveFollowUp('那他要去实习单位看我们吗', last('中职的校长一学期要听几次课'))).toMatchObject({
      kind: 'rewrite',
      question: '中职的校长一学期要听 课 他要去实习单位看我们吗',
    });
  });

  it('recognises a question about the source', () => {
    for (const message of ['这个是哪个文件规定的？', '出处是什么', '依据是什么？', 'Which document says that?']) {
      expect(resolveFollowUp(message, last('实习押金合法吗')), message).toEqual({ kind: 'source', asks: 'document' });
    }
  });

  it('recognises a numbered point, in Chinese or Arabic numerals', () => {
    expect(resolveFollowUp('详细说说第二点', last('原则有哪些'))).toEqual({ kind: 'point', index: 2 });
    expect(resolveFollowUp('第3条是什么', last('原则有哪些'))).toEqual({ kind: 'point', index: 3 });
  });

  it('reads a complete question alone first, and anything without a previous question as no follow-up', () => {
    expect(resolveFollowUp('投诉多久会有处理结果？', last('中职学校要配几名职业指导老师?'))).toEqual({
      kind: 'new-question',
      framed: '中职学校 投诉多久会有处理结果?',
      framedFirst: false,
    });
    expect(resolveFollowUp('那高职呢？', null)).toBeNull();
  });

  it('keeps the student’s region and kind of school, never the topic, when they change the subject (对了, btw)', () => {
    expect(resolveFollowUp('对了换个问题 实习单位可以收押金吗', last('中职学校要配几名职业指导老师?'))).toEqual({
      kind: 'new-question',
      framed: '中职学校 实习单位可以收押金吗',
      framedFirst: false,
    });
    expect(resolveFollowUp('对了 女生找工作学校会额外帮一把吗', last('河南高校发的那个就业服务手册 里面讲些啥'))).toMatchObject({
      kind: 'new-question',
      framed: '河南 高校 女生找工作学校会额外帮一把吗',
    });
    // nothing to keep: no follow-up
    expect(resolveFollowUp('对了换个问题 实习单位可以收押金吗', last('实习押金合法吗'))).toBeNull();
  });

  it('reads slots against a question that was not answered (a clarifying question), but not its source or points', () => {
    const asked = { ...last('中职学校要配几名老师'), outcome: 'abstain' as const, citations: [] };
    expect(resolveFollowUp('那高职呢？', asked)).toMatchObject({ kind: 'rewrite', question: '高校要配几名老师' });
    expect(resolveFollowUp('这是哪年的文件', asked)?.kind).not.toBe('source');
    expect(resolveFollowUp('第二点是什么', asked)?.kind).not.toBe('point');
  });
});

describe('pointOf', () => {
  it('finds the n-th sub-item of a clause', () => {
    expect(pointOf(article4, 2)).toBe('（二）循序渐进原则。坚持从…');
    expect(pointOf(article4, 9)).toBeNull();
  });

  it('falls back to the n-th sentence of a clause without sub-items', () => {
    const clause = { ...article4, text: '8.2 服务机构应采取问卷调查等形式。及时评价服务质量。' };
    expect(pointOf(clause, 2)).toBe('及时评价服务质量。');
  });
});

describe('pointIn', () => {
  const part = (locator: string, text: string): Citation => ({ ...article4, locator, text });
  const split = [
    part('第四条', '第四条 中等职业学校职业指导工作应坚持以下原则：\n（一）以学生为本原则。\n（二）循序渐进原则。坚持从实际出发。'),
    part('第四条（三）', '（三）教育与服务相结合原则。'),
    part('第四条（四）', '（四）协同推进原则。贯穿全过程。'),
  ];

  it('counts the points of every cited part of a split clause, and cites the part holding the point', () => {
    expect(pointIn(split, 2)).toEqual({ text: '（二）循序渐进原则。坚持从实际出发。', citation: split[0] });
    expect(pointIn(split, 4)).toEqual({ text: '（四）协同推进原则。贯穿全过程。', citation: split[2] });
    expect(pointIn(split, 5)).toBeNull();
  });

  it('takes the first cited clause with that many numbered points, else the n-th sentence of an unnumbered first clause', () => {
    const prose = { ...article4, doc: 'henan', locator: '四、（七）', text: '要高度重视兼职人员。要组织轮训。有条件的学校要参加培训。' };
    const list = { ...article4, doc: 'lasa', locator: '4.2.1', text: '4.2.1 从业人员应具备下列条件：\n（1）熟悉政策；\n（2）具备知识；\n（3）具有一年以上工作经历。' };
    expect(pointIn([prose, list], 3)).toEqual({ text: '（3）具有一年以上工作经历。', citation: list });
    expect(pointIn([prose], 2)).toEqual({ text: '要组织轮训。', citation: prose });
  });
});

describe('numberFrom', () => {
  it.each([
    ['二', 2],
    ['十', 10],
    ['十一', 11],
    ['二十三', 23],
    ['7', 7],
    ['甲', null],
  ] as const)('%s → %s', (text, value) => {
    expect(numberFrom(text)).toBe(value);
  });
});

describe('follow-ups as slot substitution', () => {
  const knowledge: FrameKnowledge = {
    documents: [
      { id: 'henan', region: '河南省', audience: '普通高等学校毕业生' },
      { id: 'shandong', region: '山东省', audience: '职业指导人员、普通高等学校' },
      { id: 'liaoning', region: '辽宁省', audience: '中等职业学校' },
      { id: 'moe', region: '全国', audience: '中等职业学校' },
      { id: 'lasa', region: '拉萨市', audience: '高校及中职毕业生就业指导服务机构' },
    ],
  };

  it('reads a source question naming another region as a question of its own, not about the previous answer', () => {
    const henan: Citation = { doc: 'henan', title: '河南意见', locator: '四、（七）', text: '…比例不低于1：500…' };
    expect(resolveFollowUp('山东那个职业指导的文件是谁发的', last('河南高校要配几个就业指导老师', [henan]), knowledge)).toBeNull();
    expect(resolveFollowUp('河南这个文件是谁发的', last('河南高校要配几个就业指导老师', [henan]), knowledge)).toEqual({ kind: 'source', asks: 'issuer' });
  });

  it('replaces the age of the previous question, or adds it', () => {
    expect(ageIn('如果我15岁呢')).toBe(15);
    expect(ageIn('那十七周岁呢')).toBe(17);
    expect(ageIn("what if I'm 15?")).toBe(15);
    expect(ageIn('第15条')).toBeNull();
    expect(ageIn('要是我已经满18了呢')).toBe(18);
    expect(ageIn('我已经成年了')).toBe(18);
    expect(ageIn('未成年人')).toBeNull();
    expect(ageIn('满3年了')).toBeNull();
    expect(ageIn("what if I'm over 18?")).toBe(18);
    // a bare number said of oneself is an age; one that counts something is not
    expect(ageIn('要是我15呢')).toBe(15);
    expect(ageIn('我才16 要家里同意吗')).toBe(16);
    expect(ageIn('我15个同学都去了')).toBeNull();
    expect(resolveFollowUp('要是我15呢', last('学校让我去顶岗实习 我才16 要家里同意吗'))).toMatchObject({ kind: 'rewrite', question: '学校让我去顶岗实习 我才15 要家里同意吗' });
    expect(resolveFollowUp('要是我已经满18了呢', last('辽宁中职 跟岗实习要家长签字同意吗'))).toMatchObject({ kind: 'rewrite', question: '辽宁中职 跟岗实习要家长签字同意吗 18周岁' });
    expect(resolveFollowUp('如果我15岁呢', last('17岁去跟岗实习需要爸妈同意吗'))).toMatchObject({ kind: 'rewrite', question: '15岁去跟岗实习需要爸妈同意吗' });
    expect(resolveFollowUp('那15岁呢', last('能去顶岗实习吗'))).toMatchObject({ kind: 'rewrite', question: '能去顶岗实习吗 15周岁' });
    expect(resolveFollowUp('what if im 15', last('can a 17 year old do a placement internship?'))).toMatchObject({
      kind: 'rewrite',
      question: 'can a 15 year old do a placement internship?',
    });
  });

  it('replaces the kind of school, and drops a region none of whose documents serve that school', () => {
    expect(resolveFollowUp('那中职呢', last('河南这边大学的就业指导课是必修吗'), knowledge)).toMatchObject({
      kind: 'rewrite',
      question: '这边中职学校的就业指导课是必修吗',
    });
    // without knowing the documents the region stays
    expect(resolveFollowUp('那中职呢', last('河南这边大学的就业指导课是必修吗'))).toMatchObject({ kind: 'rewrite', question: '河南这边中职学校的就业指导课是必修吗' });
    expect(resolveFollowUp('what about vocational schools?', last('do universities have to teach career courses?'))).toMatchObject({
      kind: 'rewrite',
      question: 'do secondary vocational school have to teach career courses?',
    });
  });

  it('replaces the region, and asks for the kind of school the new region’s documents serve instead of one they do not', () => {
    expect(resolveFollowUp('在山东呢？', last('我在读中职 学校最少要配几个老师'), knowledge)).toMatchObject({
      kind: 'rewrite',
      question: '高校 山东 我在读 学校最少要配几个老师',
      unserved: { school: '中职', served: '高校' },
    });
    expect(resolveFollowUp('在山东呢？', last('河南高校的就业指导经费有什么要求'), knowledge)).toMatchObject({ kind: 'rewrite', question: '山东高校的就业指导经费有什么要求' });
  });

  it('says which slot it swapped, so that a clarifying question between documents is answered by it', () => {
    expect(resolveFollowUp('在山东呢？', last('河南高校的就业指导经费有什么要求'), knowledge)).toMatchObject({ slot: { region: '山东' } });
    expect(resolveFollowUp('本科也一样吗？', last('中职学校要开哪些职业指导方面的课？'), knowledge)).toMatchObject({ slot: { school: '高校' } });
    expect(fitsSlot({ region: '山东' }, knowledge.documents[1]!)).toBe(true);
    expect(fitsSlot({ region: 'shandong' }, knowledge.documents[1]!)).toBe(true);
    expect(fitsSlot({ region: '山东' }, knowledge.documents[0]!)).toBe(false);
    expect(fitsSlot({ school: '高校' }, knowledge.documents[4]!)).toBe(true);
    expect(fitsSlot({ school: '高校' }, knowledge.documents[3]!)).toBe(false);
    expect(fitsSlot({}, knowledge.documents[3]!)).toBe(false);
  });

  it('replaces the year of study, and keeps what the follow-up asks', () => {
    expect(resolveFollowUp('我都大三了 还要上吗', last('山东高校职业发展课从大几开始上'))).toMatchObject({
      kind: 'rewrite',
      question: '山东高校职业发展课从大三开始上 我都大三了 还要上吗',
    });
  });

  it('adds a number of people the follow-up supposes, in Chinese or English', () => {
    expect(resolveFollowUp('如果有2000个毕业生呢', last('招聘会的场地有面积要求吗'))).toMatchObject({ kind: 'rewrite', question: '招聘会的场地有面积要求吗 2000名毕业生' });
    expect(resolveFollowUp('what if the school has 2000 graduates?', last('河南高校的招聘会议厅要多大'))).toMatchObject({
      kind: 'rewrite',
      question: '河南高校的招聘会议厅要多大 2000名毕业生',
    });
  });

  it('notes a swap to a region whose documents do not serve the kind of school asked about, and asks for the one they serve', () => {
    const served: FrameKnowledge = {
      documents: [
        { id: 'shandong', region: '山东省', audience: '职业指导人员、普通高等学校' },
        { id: 'moe', region: '全国', audience: '中等职业学校' },
      ],
    };
    expect(resolveFollowUp('在山东呢？', last('中职学校要配几名职业指导老师'), served)).toMatchObject({
      kind: 'rewrite',
      question: '高校 山东 要配几名职业指导老师',
      unserved: { region: '山东', school: '中职', swapped: 'region', documents: ['shandong'], served: '高校' },
    });
    expect(resolveFollowUp('那中职呢', last('山东高校要配几名职业指导人员'), served)).toMatchObject({
      kind: 'rewrite',
      question: '中职学校要配几名职业指导人员',
      unserved: { region: '山东', school: '中职', swapped: 'school' },
    });
    expect(resolveFollowUp('那山东呢', last('河南高校经费多少'), served)).not.toHaveProperty('unserved');
  });

  it('replaces the number the previous question stated, and keeps it as the frame of a new topic', () => {
    expect(resolveFollowUp('那要是1600人呢', last('查就业信息的电脑要配多少台 我们毕业生800人'))).toMatchObject({
      kind: 'rewrite',
      question: '查就业信息的电脑要配多少台 我们毕业生1600人',
    });
    expect(resolveFollowUp('我们学校毕业生2000人呢', last('河南大学招聘会的场地有面积要求吗'))).toMatchObject({
      kind: 'rewrite',
      question: '河南大学招聘会的场地有面积要求吗 2000名毕业生',
      detail: true,
    });
    expect(resolveFollowUp('那查就业信息的电脑要配几台', last('河南大学招聘会的场地有面积要求吗 2000名毕业生'))).toMatchObject({
      kind: 'new-question',
      framed: '河南 大学 2000名毕业生 那查就业信息的电脑要配几台',
    });
  });

  it('answers which year, who issued it, where and what the file is called from the previous citation', () => {
    const cases = [
      ['这是哪年的文件', 'issued'],
      ['what year was that?', 'issued'],
      ['谁发的', 'issuer'],
      ['发文单位是哪个', 'issuer'],
      ['这个规范是谁起草的', 'issuer'],
      ['这个规范是谁搞的', 'issuer'],
      ['那它啥时候开始生效的', 'issued'],
      ['who issued it?', 'issuer'],
      ['这是哪个省的文件', 'region'],
      ['ok which province is this rule from?', 'region'],
      ['文件全名叫啥', 'document'],
    ] as const;
    for (const [question, asks] of cases) {
      expect(resolveFollowUp(question, last('中职学校要配几名职业指导老师?')), question).toEqual({ kind: 'source', asks });
    }
  });

  it('adds the kind of school when the previous question named none', () => {
    expect(resolveFollowUp('那中职呢', last('就业指导课是必修吗'))).toMatchObject({ kind: 'rewrite', question: '中职学校 就业指导课是必修吗' });
  });

  it('asks about the previous topic in the document it cited, and in that document’s region', () => {
    const cited = { ...article4, doc: 'lasa', locator: '6.2' };
    expect(resolveFollowUp('具体怎么申请', last('做职业测评要签协议吗', [cited]), knowledge)).toMatchObject({
      kind: 'rewrite',
      question: '拉萨 做职业测评要签协议 具体怎么申请',
      document: 'lasa',
    });
    // "文件里说的…" is a question of its own about that document
    expect(resolveFollowUp('文件里说的四到位是哪四个', last('山东对职业指导人员怎么评价', [{ ...article4, doc: 'shandong' }]), knowledge)).toEqual({
      kind: 'new-question',
      framed: '山东 文件里说的四到位是哪四个',
      framedFirst: false,
      document: 'shandong',
    });
  });

  it('starts a new frame for a complete new question: it is answered as it stands first, never glued to the old topic', () => {
    const followUp = resolveFollowUp('实习单位可以收押金吗', last('中职学校要配几名职业指导老师?'));
    expect(followUp).toEqual({ kind: 'new-question', framed: '中职学校 实习单位可以收押金吗', framedFirst: false });
    // one that points back at a topic it leaves unsaid is read with that topic last
    expect(resolveFollowUp('学校能拿去干别的吗', last('河南高校就业经费最少多少'))).toEqual({
      kind: 'new-question',
      framed: '河南 高校 学校能拿去干别的吗',
      framedFirst: false,
      onTopic: '河南高校就业经费最少 学校能拿去干别的吗',
    });
    // a question naming its own region and school has no frame to borrow
    expect(resolveFollowUp('那河南高校领导一年开几次就业专题会', last('辽宁中职的校长要去实习单位检查吗'))).toBeNull();
    // nor does a question after one that named no region or school
    expect(resolveFollowUp('毕业生档案怎么转', last('实习押金合法吗'))).toBeNull();
  });

  it('asks which region "我们省" is when the student never said, and uses the region they gave', () => {
    expect(ownRegionIn('那我们省呢')).toBe('我们省');
    expect(ownRegionIn('what about my province?')).toBe('my province');
    expect(resolveFollowUp('那我们省呢', last('河南高校专职就业指导人员按多少比例配'), knowledge)).toEqual({ kind: 'which-region' });
    expect(resolveFollowUp('那我们省呢', last('河南高校专职就业指导人员按多少比例配'), knowledge, '山东')).toMatchObject({
      kind: 'rewrite',
      question: '山东高校专职就业指导人员按多少比例配',
      slot: { region: '山东' },
    });
    // a question of its own that mentions "我们这边" is no request for a region
    expect(resolveFollowUp('我们这边实习单位可以收押金吗', last('河南高校专职就业指导人员按多少比例配'), knowledge)?.kind).not.toBe('which-region');
  });

  it('swaps a slot however the student words it: 换成…的话, plural ages, "也一样吗" without the old region again', () => {
    expect(resolveFollowUp('换成中职的话呢', last('河南高校专职就业指导人员按多少比例配'), knowledge)).toMatchObject({
      kind: 'rewrite',
      question: '中职学校专职就业指导人员按多少比例配',
    });
    expect(resolveFollowUp('and for 15 year olds?', last('can a 17 year old do a placement internship?'))).toMatchObject({
      kind: 'rewrite',
      question: 'can a 15 year old do a placement internship?',
    });
    const sameInHenan = resolveFollowUp('河南也一样吗', last('山东高校职业发展课从大几开始上'), knowledge);
    expect(sameInHenan).toMatchObject({ kind: 'rewrite', question: '河南高校职业发展课从大几开始上 也一样吗' });
  });

  it('reads "secondary schools" in English as the 中职 the documents cover', () => {
    expect(resolveFollowUp('what about secondary schools?', last('How many career guidance staff must universities have?'), knowledge)).toMatchObject({
      kind: 'rewrite',
      question: 'how many career guidance staff must secondary vocational school have?',
      slot: { school: '中职' },
    });
  });

  it('hears an A-not-A question (收不收, 给不给) as a question of its own, not as words to add to the old one', () => {
    expect(asksAQuestion('去那咨询收不收钱')).toBe(true);
    expect(asksAQuestion('扣没扣')).toBe(true);
    expect(asksAQuestion('收到押金')).toBe(false);
    expect(resolveFollowUp('去那咨询收不收钱', last('山东的大学必须设职业生涯咨询工作室吗'), knowledge)).toMatchObject({ kind: 'new-question' });
  });

  it('never reads a clause number or locator as a slot or as the topic', () => {
    expect(resolveFollowUp('第15条呢', last('17岁能去顶岗实习吗'))).toEqual({ kind: 'point', index: 15 });
    expect(ownWordsOf('那第二点呢')).toBe('');
    expect(ownWordsOf('8.5条说的押金')).toBe('押金');
    // where and when the student studies is the frame, not a topic: every kind of school named goes
    expect(ownWordsOf('那大学呢 我明年去河南读大专')).toBe('');
    expect(resolveFollowUp('那大学呢 我明年去河南读大专', last('我们中职就一个就业老师 这样合规不'))).toMatchObject({
      kind: 'rewrite',
      question: '河南 我们高校就一个就业老师 这样合规不',
    });
    expect(countIn('第十五条')).toBeNull();
    expect(ageIn('8.5条')).toBeNull();
  });
});

describe('leadAnswers', () => {
  it('does not take the lead just given again as the procedure a follow-up asks for', () => {
    const rule = ['申请中等职业学校学生资助的必须是全日制学历教育正式学籍在校生。'];
    expect(leadAnswers('具体怎么申请', rule)).toBe(false);
    expect(leadAnswers('具体怎么申请', ['学生向学校提交申请表，学校审核后公示。'])).toBe(true);
  });

  it('takes the lead again for any other follow-up: the same rule often answers it too', () => {
    expect(leadAnswers('那他要去实习单位看我们吗', ['校长每学期听课至少 10 次，到学生顶岗实习单位检查至少 1 次。'])).toBe(true);
    // a follow-up on the same topic is not asked for new words
    expect(leadAnswers('他们会来检查吗', ['校长每学期听课至少 10 次。'], null)).toBe(true);
    expect(leadAnswers('那要满足什么条件才行', ['申请资助的必须是全日制在校生。'])).toBe(true);
    // "怎么办" asks what to do, not for the steps of applying
    expect(leadAnswers('那我该怎么办', ['不得扣押学生的居民身份证。'])).toBe(true);
  });

  it('does not take the lead just given again for a question with a topic of its own that the lead does not mention', () => {
    const workshop = ['各高校要普遍设立校级大学生职业生涯咨询（职业指导）工作室，利用专业测评工具，丰富服务功能。'];
    expect(leadAnswers('去那咨询收不收钱', workshop, '山东的大学必须设职业生涯咨询工作室吗')).toBe(false);
    const pathways = ['通过中职-高职“3+3”、五年一贯制等多种形式推动职业教育纵向贯通，畅通技术技能人才成长通道。'];
    expect(leadAnswers('那对口升学要考啥 分数线一般多少', pathways, '辽宁中职生毕业 能升高职吗 有啥通道')).toBe(false);
    // the new words are in the lead, or the documents' word for them: it answers them
    expect(leadAnswers('那五年一贯制呢', pathways, '辽宁中职生毕业 能升高职吗 有啥通道')).toBe(true);
    const inForce = ['本规定由教育部负责解释，自发布之日起施行。'];
    expect(leadAnswers('它啥时候开始生效', inForce, '中职职业指导规定由谁负责解释')).toBe(false);
    expect(leadAnswers('它啥时候开始生效', inForce, '中职职业指导规定由谁负责解释', (words) => (words.includes('生效') ? ['施行'] : []))).toBe(true);
  });

  it('takes two words of the previous question written together ("学校咨询") for nothing new', () => {
    const outward = ['鼓励有条件的学校面向社会开展职业生涯咨询服务。'];
    expect(leadAnswers('社会上的人也能去学校咨询吗', outward, '中职学校怎么开展职业生涯咨询')).toBe(true);
    // a word of its own next to them still has to be in the lead
    expect(leadAnswers('学校咨询收费吗', outward, '中职学校怎么开展职业生涯咨询')).toBe(false);
  });
});

describe('withoutSubjectChange', () => {
  it('drops the words that only announce another question, and keeps a message that is nothing else', () => {
    expect(withoutSubjectChange('对了 换个问题 中职毕业是什么学历')).toBe('中职毕业是什么学历');
    expect(withoutSubjectChange('btw, can the school keep my ID card?')).toBe('can the school keep my ID card?');
    expect(withoutSubjectChange('对了')).toBe('对了');
  });
});
