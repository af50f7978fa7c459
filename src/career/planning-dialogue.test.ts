import { describe, expect, it } from 'vitest';
import { choiceList, say } from './career-texts.ts';
import {
  continuePlanning,
  renderPlanChat,
  renderPlanMarkdown,
  resumePrompt,
  startPlanning,
  type CareerPlan,
  type PlanningState,
  type Turn,
} from './planning-dialogue.ts';
import { askingOrder } from './riasec-items.ts';
import { answersFor, fakeResolver, itemReplies } from './testing.ts';

const now = new Date('2026-11-25T08:00:00Z');
const text = (key: string, values: Record<string, string | number> = {}): string => say('text', key, values);

/** Answers giving the code RIC with I and C tied (16 each). */
const ricAnswers = answersFor({ R: [5, 5, 5, 5], I: [4, 4, 4, 4], C: [4, 4, 4, 4], E: [3, 3, 3, 3], A: [2, 2, 2, 2], S: [2, 2, 2, 2] });
const intake = ['１', '二年级', '数控技术应用', '辽宁沈阳', '修车、打篮球、剪视频', '1、3', '就业'];

/** Plays replies from a state (or a new dialogue); stops at the end of the dialogue. */
function play(inputs: readonly string[], from?: PlanningState): { turns: Turn[]; state: PlanningState | null; last: Turn } {
  let state: PlanningState | null = from ?? startPlanning(now).state;
  const turns: Turn[] = [];
  for (const input of inputs) {
    if (!state) throw new Error(`the dialogue ended before "${input}"`);
    const turn = continuePlanning(state, input, now);
    turns.push(turn);
    state = turn.state;
  }
  return { turns, state, last: turns.at(-1)! };
}

const ongoing = (turn: Turn): PlanningState => {
  if ('outcome' in turn) throw new Error(`the dialogue ended: ${turn.outcome}`);
  return turn.state;
};

const planOf = (turn: Turn): CareerPlan => {
  if (!('outcome' in turn) || turn.outcome !== 'done') throw new Error('no plan');
  return turn.plan;
};

const labels = (turn: Turn | { reply: Turn['reply'] }): string[] | undefined => turn.reply.choices?.map((choice) => choice.label);

describe('the career-planning dialogue', () => {
  it('starts with the introduction and the school question with its options', () => {
    const { state, reply } = startPlanning(now);
    expect(reply.text).toBe(`${text('intro', { items: 24 })}\n${text('ask_school')}`);
    expect(reply.choices).toEqual([
      { label: '中职', value: '中职' },
      { label: '高职', value: '高职' },
      { label: '本科', value: '本科' },
    ]);
    expect(state).toMatchObject({ version: 1, step: 'school', startedAt: now.toISOString(), profile: {}, answers: {} });
  });

  it('walks a student from the school to a written plan', () => {
    const { turns, last } = play([...intake, ...itemReplies(ricAnswers), '收入']);
    expect(labels(turns[0]!)).toEqual(['一年级', '二年级', '三年级', '已毕业']);
    expect(turns[1]!.reply).toEqual({ text: text('ask_major') });
    expect(turns[4]!.reply.text).toBe(text('ask_constraints'));
    expect(labels(turns[4]!)).toContain('无特别限制');
    expect(labels(turns[5]!)).toEqual(['升学', '就业', '还没想好']);
    expect(turns[6]!.reply.text).toBe(`${text('assessment_intro', { total: 24 })}\n${text('ask_item', { n: 1, total: 24, text: askingOrder()[0]!.text })}`);
    expect(turns[6]!.reply.choices).toEqual(choiceList('scale').map(({ label, value }) => ({ label, value })));
    expect(turns[7]!.reply.text).toContain('第 2/24 题');
    expect(turns[7]!.reply.text).toContain(askingOrder()[1]!.text);
    const assessed = turns[6 + 24]!;
    expect(assessed.reply.text).toBe(
      `${text('assessment_done', { code: 'RIC', letters: 'R 实用型 20 分、I 研究型 16 分、C 常规型 16 分' })}\n${text('ask_priority')}`,
    );
    expect(labels(assessed)).toEqual(['收入', '稳定', '兴趣', '成长', '离家近']);

    expect(last).toMatchObject({ state: null, outcome: 'done', reply: { text: text('done') } });
    const plan = planOf(last);
    expect(plan.createdAt).toBe(now.toISOString());
    expect(plan.profile).toEqual({
      school: '中职',
      grade: '二年级',
      major: '数控技术应用',
      location: '辽宁沈阳',
      interests: '修车、打篮球、剪视频',
      constraints: ['家庭经济压力', '想尽快工作'],
      intention: '就业',
      priority: '收入',
    });
    expect(plan.code).toBe('RIC');
    expect(plan.assessment).toMatchObject({ code: 'RIC', scores: { R: 20, I: 16, C: 16, E: 12, A: 8, S: 8 }, flat: false });
    expect(plan.assessment.ties).toEqual([{ letters: ['I', 'C'], score: 16, decidedBy: 'order' }]);
    expect(plan.assessment.answers).toEqual(ricAnswers);
    // 数控 is in the 装备制造 field; 修车 alone is one keyword, too weak to add 汽车运用与维修
    expect(plan.directions.map((direction) => direction.id)).toEqual(['smart-manufacturing', 'electrical', 'electronics']);
    expect(plan.directions[0]).toMatchObject({ name: '智能制造与设备维修', majorMatch: true, examples: ['数控机床操作工', '工业机器人运维员', '机电设备维修工'] });
    expect(plan.directions[0]!.reasons).toContain(say('reasons', 'major_field', { major: '数控技术应用', field: '装备制造类' }));
    expect(plan.actions.map((action) => [action.when, action.date])).toEqual([
      ['两周内', '2026-12-09'],
      ['一个月内', '2026-12-25'],
      ['下学期开学前', '2027-03-01'],
    ]);
    expect(plan.actions[0]!.detail).toContain('「智能制造与设备维修」');
    expect(plan.actions[0]!.detail.endsWith(say('actions', 'extra_pressure_中职'))).toBe(true);
    expect(plan.links.map((link) => `${link.doc} ${link.locator}`)).toEqual([
      'moe-2018-zhongzhi-guidance 第十六条',
      'moe-2018-zhongzhi-guidance 第八条',
      'moe-2018-zhongzhi-guidance 第十二条',
      'liaoning-zhongzhi-quality 二、11.',
      'shandong-2023-guidance-workforce 二、（四）11.',
      'lasa-draft-graduate-guidance-standard 6.3',
      'lasa-draft-graduate-guidance-standard 6.2',
    ]);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('reads numbers, full-width digits, labels and aliases', () => {
    const { state } = play(['大专', '大二', '护理', '河南郑州', '照顾老人', '离家近 想尽快工作', '未定']);
    expect(state!.profile).toMatchObject({ school: '高职', grade: '大二', constraints: ['想尽快工作', '离家近'], intention: '未定' });
    const item = state!;
    for (const reply of ['５', '非常喜欢', '很喜欢', '  3 ', '1。']) {
      const next = ongoing(continuePlanning(item, reply, now));
      expect(next.item).toBe(1);
    }
    expect(ongoing(continuePlanning(item, '很喜欢', now)).answers).toEqual({ R1: 5 });
    expect(ongoing(continuePlanning(item, '喜欢', now)).answers).toEqual({ R1: 4 });
  });

  describe('answers it cannot use', () => {
    const atItem = play([...intake, '4', '4', '4']).state!;

    it('asks an item again after "7" or free text, without moving on', () => {
      for (const reply of ['7', '0', '我觉得还可以吧', '3 4']) {
        const turn = continuePlanning(atItem, reply, now);
        expect(ongoing(turn)).toEqual(atItem);
        expect(turn.reply.text).toBe(`${text('reask_scale')}\n${text('ask_item', { n: 4, total: 24, text: askingOrder()[3]!.text })}`);
        expect(turn.reply.choices).toHaveLength(5);
      }
    });

    it('asks a choice again after free text, and after two options where one is wanted', () => {
      const start = startPlanning(now).state;
      const unknown = continuePlanning(start, '我在读初中', now);
      expect(ongoing(unknown)).toEqual(start);
      expect(unknown.reply.text).toBe(`${text('reask_choice')}\n${text('ask_school')}`);
      expect(labels(unknown)).toEqual(['中职', '高职', '本科']);
      expect(continuePlanning(start, '4', now).reply.text.startsWith(text('reask_choice'))).toBe(true);
      expect(continuePlanning(start, '1,2', now).reply.text.startsWith(text('reask_single'))).toBe(true);
    });

    it('takes a major of 1–40 characters and asks again for a longer one or none', () => {
      const atMajor = play(['1', '1']).state!;
      for (const reply of ['专'.repeat(41), '   ', '123', '😀']) {
        const turn = continuePlanning(atMajor, reply, now);
        expect(ongoing(turn)).toEqual(atMajor);
        expect(turn.reply.text).toBe(`${text('reask_major')}\n${text('ask_major')}`);
      }
      expect(ongoing(continuePlanning(atMajor, '专'.repeat(40), now)).step).toBe('location');
      expect(ongoing(continuePlanning(atMajor, '  汽车   运用与维修 ', now)).profile.major).toBe('汽车 运用与维修');
    });

    it('asks again for a location over 40 characters and for interests that are too long', () => {
      const atLocation = play(['1', '1', '护理']).state!;
      expect(continuePlanning(atLocation, '省'.repeat(41), now).reply.text.startsWith(text('reask_location'))).toBe(true);
      const atInterests = play(['1', '1', '护理', '河南郑州']).state!;
      expect(continuePlanning(atInterests, '玩'.repeat(101), now).reply.text.startsWith(text('reask_interests', { max: 100 }))).toBe(true);
    });

    it('asks again for constraints it cannot read, and when 无特别限制 comes with others', () => {
      const atConstraints = play(['1', '1', '护理', '河南郑州', '跳过']).state!;
      const unreadable = continuePlanning(atConstraints, '1,9', now);
      expect(ongoing(unreadable)).toEqual(atConstraints);
      expect(unreadable.reply.text.startsWith(text('reask_multi'))).toBe(true);
      expect(labels(unreadable)).toHaveLength(5);
      const both = continuePlanning(atConstraints, '1 5', now);
      expect(ongoing(both)).toEqual(atConstraints);
      expect(both.reply.text.startsWith(text('reask_exclusive', { none: '无特别限制' }))).toBe(true);
      expect(ongoing(continuePlanning(atConstraints, '5', now)).profile.constraints).toEqual([]);
      expect(ongoing(continuePlanning(atConstraints, '没有', now)).profile.constraints).toEqual([]);
      expect(ongoing(continuePlanning(atConstraints, '4,1,1', now)).profile.constraints).toEqual(['家庭经济压力', '离家近']);
      expect(ongoing(continuePlanning(atConstraints, '离家近，缺钱', now)).profile.constraints).toEqual(['家庭经济压力', '离家近']);
    });
  });

  describe('controls', () => {
    it('goes back one step, and says so at the first question', () => {
      const start = startPlanning(now).state;
      const atStart = continuePlanning(start, '上一步', now);
      expect(ongoing(atStart)).toEqual(start);
      expect(atStart.reply.text).toBe(`${text('back_at_start')}\n${text('ask_school')}`);

      const atGrade = play(['1']).state!;
      const back = continuePlanning(atGrade, '返回', now);
      expect(ongoing(back).step).toBe('school');
      expect(back.reply.text).toBe(`${text('back')}\n${text('ask_school')}`);
      expect(labels(back)).toEqual(['中职', '高职', '本科']);
    });

    it('goes back from the first item to the intention and from the priority to the last item', () => {
      const atFirstItem = play(intake).state!;
      const toIntention = continuePlanning(atFirstItem, '上一题', now);
      expect(ongoing(toIntention).step).toBe('intention');
      expect(labels(toIntention)).toEqual(['升学', '就业', '还没想好']);

      const atPriority = play([...intake, ...itemReplies(ricAnswers)]).state!;
      expect(atPriority.step).toBe('priority');
      const toLastItem = continuePlanning(atPriority, '上一步', now);
      expect(ongoing(toLastItem)).toMatchObject({ step: 'assessment', item: 23 });
      expect(toLastItem.reply.text).toBe(`${text('back')}\n${text('ask_item', { n: 24, total: 24, text: askingOrder()[23]!.text })}`);
      // answering it again leads back to the priority, with the code
      const again = continuePlanning(ongoing(toLastItem), '4', now);
      expect(ongoing(again).step).toBe('priority');
      expect(again.reply.text.startsWith(text('assessment_done', { code: 'RIC', letters: 'R 实用型 20 分、I 研究型 16 分、C 常规型 16 分' }))).toBe(true);
    });

    it('asks the grade again from the new list when the school changes', () => {
      const { state } = play(['1', '三年级', '上一步', '上一步', '本科']);
      expect(state!.step).toBe('grade');
      expect(state!.profile.school).toBe('本科');
      expect(state!.profile.grade).toBeUndefined();
      const turn = continuePlanning(state!, '大四', now);
      expect(ongoing(turn).profile.grade).toBe('大四');
    });

    it('restarts the assessment and keeps the intake; before the assessment it says it has not started', () => {
      const atMajor = play(['1', '1']).state!;
      const early = continuePlanning(atMajor, '重做测评', now);
      expect(ongoing(early)).toEqual(atMajor);
      expect(early.reply.text).toBe(`${text('redo_not_started')}\n${text('ask_major')}`);

      const midway = play([...intake, '5', '4', '3', '2']).state!;
      const redone = continuePlanning(midway, '重新测评', now);
      expect(ongoing(redone)).toEqual({ ...midway, item: 0, answers: {} });
      expect(redone.reply.text).toBe(`${text('redo')}\n${text('ask_item', { n: 1, total: 24, text: askingOrder()[0]!.text })}`);
    });

    it('skips the interests and the constraints only', () => {
      const { state } = play(['1', '1', '护理', '河南郑州', '跳过', 'skip']);
      expect(state!.profile).toMatchObject({ interests: null, constraints: [] });
      expect(state!.step).toBe('intention');
      expect(play(['1', '1', '护理', '河南郑州', '不知道']).state!.profile.interests).toBeNull();
      const atMajor = play(['1', '1']).state!;
      const refused = continuePlanning(atMajor, '跳过', now);
      expect(ongoing(refused)).toEqual(atMajor);
      expect(refused.reply.text).toBe(`${text('cannot_skip')}\n${text('ask_major')}`);
      const atItem = play(intake).state!;
      expect(continuePlanning(atItem, '跳过这题', now).reply.text.startsWith(text('cannot_skip'))).toBe(true);
    });

    it('quits, naming where it stopped, and the state before the quit resumes at the same question', () => {
      const atFifth = play([...intake, '5', '4', '3', '2']).state!;
      const quit = continuePlanning(atFifth, '退出', now);
      expect(quit).toEqual({ state: null, outcome: 'quit', reply: { text: text('quit', { where: text('where_item', { n: 5, total: 24 }) }) } });
      const again = resumePrompt(atFifth);
      expect(again.text).toBe(text('ask_item', { n: 5, total: 24, text: askingOrder()[4]!.text }));
      expect(again.choices).toHaveLength(5);
      expect(ongoing(continuePlanning(atFifth, '1', now)).item).toBe(5);

      const atGrade = play(['高职']).state!;
      expect(continuePlanning(atGrade, '不做了', now).reply.text).toBe(text('quit', { where: text('where_grade') }));
      expect(resumePrompt(atGrade)).toEqual({ text: text('ask_grade'), choices: ['大一', '大二', '大三', '已毕业'].map((grade) => ({ label: grade, value: grade })) });
    });
  });

  describe('a stored state', () => {
    it('continues after a JSON round trip mid-assessment (a restart) to the same plan', () => {
      const replies = [...intake, ...itemReplies(ricAnswers), '收入'];
      const straight = planOf(play(replies).last);
      const midway = play(replies.slice(0, 7 + 10)).state!;
      const stored: PlanningState = JSON.parse(JSON.stringify(midway));
      expect(stored).toEqual(midway);
      expect(resumePrompt(stored).text).toContain('第 11/24 题');
      expect(planOf(play(replies.slice(7 + 10), stored).last)).toEqual(straight);
    });

    it('starts over with an apology when the state cannot be read', () => {
      const midway = play([...intake, '5', '4']).state!;
      const damaged: unknown[] = [
        null,
        'planning',
        { ...midway, version: 2 },
        { ...midway, step: 'somewhere' },
        { ...midway, item: 9 },
        { ...midway, answers: { ...midway.answers, X9: 3 } },
        { ...midway, answers: { ...midway.answers, I1: 7 } },
        { ...midway, profile: { ...midway.profile, grade: '大四' } },
        { ...midway, profile: { ...midway.profile, major: undefined } },
        { ...midway, step: 'priority' },
      ];
      for (const state of damaged) {
        const turn = continuePlanning(state as PlanningState, '3', now);
        expect(ongoing(turn)).toEqual(startPlanning(now).state);
        expect(turn.reply.text).toBe(`${text('reset')}\n${text('intro', { items: 24 })}\n${text('ask_school')}`);
        expect(turn.reply.choices).toHaveLength(3);
        expect(resumePrompt(state as PlanningState).text).toBe(`${text('reset')}\n${text('ask_school')}`);
      }
    });
  });
});

describe('the written plan', () => {
  const finished = (location: string, extra: readonly string[] = []): CareerPlan =>
    planOf(play(['1', '2', '数控技术应用', location, '修车', '1', '1', ...extra, ...itemReplies(ricAnswers), '稳定']).last);
  const regions = { 'liaoning-zhongzhi-quality': '辽宁省', 'lasa-draft-graduate-guidance-standard': '拉萨市', 'moe-2018-zhongzhi-guidance': '全国' };
  const plan = (key: string, values: Record<string, string | number> = {}): string => say('plan', key, values);

  it('renders Markdown with the profile, scores, directions, dated actions, quoted clauses and the closing', () => {
    const markdown = renderPlanMarkdown(finished('河南郑州'), fakeResolver(regions));
    expect(markdown.startsWith(`${plan('title')}\n\n${plan('created', { date: '2026年11月25日' })}\n\n${plan('heading_profile')}`)).toBe(true);
    expect(markdown).toContain(plan('profile_school', { school: '中职', grade: '二年级' }));
    expect(markdown).toContain(plan('profile_constraints', { constraints: '家庭经济压力' }));
    expect(markdown).toContain(plan('profile_intention', { intention: '升学' }));
    expect(markdown).toContain('| R 实用型 | 20 |\n| I 研究型 | 16 |\n| C 常规型 | 16 |');
    expect(markdown).toContain(plan('assessment_code', { code: 'RIC' }));
    expect(markdown).toContain('- **R 实用型**（20 分）：');
    expect(markdown).toContain('RI 组合：');
    expect(markdown).toContain(plan('note_tie', { letters: 'I、C' }));
    expect(markdown).not.toContain(plan('note_flat', { spread: 12 }));
    expect(markdown).toContain('### 1. 智能制造与设备维修');
    expect(markdown).toContain(plan('direction_examples', { examples: '数控机床操作工、工业机器人运维员、机电设备维修工' }));
    expect(markdown).toMatch(/1\. \*\*两周内（2026年12月9日前）：找学校的职业指导老师聊一次\*\*。/u);
    expect(markdown).toMatch(/3\. \*\*下学期开学前（2027年3月1日前）：/u);
    expect(markdown).toContain('- 《title of moe-2018-zhongzhi-guidance》第十六条（issuer of moe-2018-zhongzhi-guidance｜全国｜2020-01-01）：');
    expect(markdown).toContain(plan('link_quote', { quote: '建立学生职业生涯档案，跟踪指导学生成长……提供有针对性的咨询服务或小组辅导' }));
    expect(markdown).toContain(`${plan('heading_caveats')}\n\n`);
    expect(markdown).toContain(
      plan('caveat_line', { caveat: plan('caveat_link', { where: '《title of liaoning-zhongzhi-quality》二、11.、一、2.', caveat: plan('link_regional', { region: '辽宁省', location: '河南郑州' }) }) }),
    );
    expect(markdown).toContain(
      plan('caveat_line', { caveat: plan('caveat_link', { where: '《title of lasa-draft-graduate-guidance-standard》6.3、6.2', caveat: '这是拉萨市人力资源服务机构的地方标准征求意见稿，尚未生效，只作参考。' }) }),
    );
    expect(markdown).toContain(plan('closing_confidential', { title: 'title of lasa-draft-graduate-guidance-standard', locator: '6.2' }));
    expect(markdown.endsWith('\n')).toBe(true);
  });

  it('gives no regional hint for a document of the student’s own province', () => {
    const markdown = renderPlanMarkdown(finished('辽宁沈阳'), fakeResolver(regions));
    expect(markdown).not.toContain(plan('link_regional', { region: '辽宁省', location: '辽宁沈阳' }));
  });

  it('shows a flat profile and the school’s note on a direction', () => {
    const flat = planOf(play(['1', '2', '护理', '河南郑州', '跳过', '跳过', '2', ...itemReplies(answersFor({}, 3)), '兴趣']).last);
    const markdown = renderPlanMarkdown(flat, fakeResolver(regions));
    expect(markdown).toContain(plan('note_flat', { spread: 0 }));
    expect(markdown).toContain(plan('profile_interests_none'));
    expect(markdown).toContain(plan('profile_constraints_none'));
    const nursing = flat.directions.find((direction) => direction.id === 'nursing-care');
    expect(nursing?.note).toBeDefined();
    expect(markdown).toContain(plan('caveat_line', { caveat: plan('caveat_direction', { name: nursing!.name, note: nursing!.note! }) }));
  });

  it('falls back to document ids and the plain closing when no clause resolves', () => {
    const markdown = renderPlanMarkdown(finished('河南郑州'), () => null);
    expect(markdown).toContain(plan('link_unresolved', { doc: 'moe-2018-zhongzhi-guidance', locator: '第十六条', why: '职业指导教师负责建立学生职业生涯档案、跟踪指导；这份规划可以交给老师，放进你的档案。' }));
    expect(markdown).not.toContain('> 原文');
    expect(markdown).toContain(plan('closing_confidential_plain'));
    expect(markdown).not.toContain('《');
  });

  it('renders the short chat version', () => {
    const careerPlan = finished('河南郑州');
    const chat = renderPlanChat(careerPlan, fakeResolver(regions));
    const lines = chat.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      plan('chat_title'),
      plan('chat_profile', { school: '中职', grade: '二年级', major: '数控技术应用', location: '河南郑州' }),
      plan('chat_code', { code: 'RIC', letters: 'R 实用型 20 分、I 研究型 16 分、C 常规型 16 分' }),
    ]);
    expect(chat).toContain(plan('chat_direction', { n: 1, name: '智能制造与设备维修', reason: careerPlan.directions[0]!.reasons }));
    expect(chat).toContain(plan('chat_action', { n: 1, date: '2026年12月9日', title: '找学校的职业指导老师聊一次' }));
    expect(chat).toContain('·《title of moe-2018-zhongzhi-guidance》第十六条：');
    expect(lines.at(-1)).toBe(plan('chat_closing'));
    expect(renderPlanChat(careerPlan, () => null)).toContain('· moe-2018-zhongzhi-guidance 第十六条：');
  });
});
