import { describe, expect, it } from 'vitest';
import { planActions, type ActionProfile } from './actions.ts';
import { careerTexts, say } from './career-texts.ts';
import { addDays, addMonths, chinaDay, nextOf } from './dates.ts';

const student = (overrides: Partial<ActionProfile> = {}): ActionProfile => ({
  school: '高职',
  grade: '大二',
  major: '电子商务',
  location: '河南郑州',
  intention: '就业',
  constraints: [],
  ...overrides,
});
const november = new Date('2026-11-25T08:00:00Z');

describe('dates in China', () => {
  it('counts the calendar day in UTC+8', () => {
    expect(chinaDay(new Date('2026-11-25T15:59:59Z'))).toBe('2026-11-25');
    expect(chinaDay(new Date('2026-11-25T16:00:00Z'))).toBe('2026-11-26');
  });

  it('adds days and months, keeping to the end of a short month', () => {
    expect(addDays('2026-12-25', 14)).toBe('2027-01-08');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-11-25', 3)).toBe('2027-02-25');
  });

  it('finds the next term start or graduation day after a date', () => {
    expect(nextOf('2026-11-25', [[3, 1], [9, 1]])).toBe('2027-03-01');
    expect(nextOf('2026-03-01', [[3, 1], [9, 1]])).toBe('2026-09-01');
    expect(nextOf('2026-07-01', [[6, 30]])).toBe('2027-06-30');
  });
});

describe('the action plan', () => {
  it('gives three steps: in two weeks, in a month, and by the next term for a student in the middle years', () => {
    const actions = planActions(student(), '电子商务与市场营销', november);
    expect(actions.map((action) => [action.when, action.date, action.title])).toEqual([
      [say('actions', 'when_2w'), '2026-12-09', careerTexts().actions.step1.高职!.title],
      [say('actions', 'when_1m'), '2026-12-25', careerTexts().actions.step2.高职_就业!.title],
      // 大二 is a year before the internship and the graduates' recruitment: the step that prepares for them
      [say('actions', 'when_term'), '2027-03-01', careerTexts().actions.step3.高职_就业!.early!.title],
    ]);
    expect(actions[0]!.detail).toContain('「电子商务」');
    expect(actions[0]!.detail).toContain('河南郑州');
    expect(actions[1]!.detail).toContain('「电子商务与市场营销」');
  });

  it('sets the last step by graduation in the final year, or three months when graduation is too near', () => {
    const final = planActions(student({ school: '本科', grade: '大四', intention: '未定' }), 'x', november);
    expect(final[2]).toMatchObject({ when: say('actions', 'when_graduation'), date: '2027-06-30', title: careerTexts().actions.step3.本科_未定!.title });
    const june = planActions(student({ school: '中职', grade: '三年级' }), 'x', new Date('2027-06-10T08:00:00Z'));
    expect(june[2]).toMatchObject({ when: say('actions', 'when_3m'), date: '2027-09-10' });
  });

  it('uses the graduate texts and three months for a student who has graduated', () => {
    const actions = planActions(student({ grade: '已毕业', intention: '未定' }), 'x', november);
    expect(actions.map((action) => action.title)).toEqual([
      careerTexts().actions.step1.graduated!.title,
      careerTexts().actions.step2.graduated_未定!.title,
      careerTexts().actions.step3.graduated_未定!.title,
    ]);
    expect(actions[2]).toMatchObject({ when: say('actions', 'when_3m'), date: '2027-02-25' });
  });

  it('adds the family-pressure and near-home sentences to the first and second steps', () => {
    const vocational = planActions(student({ school: '中职', grade: '一年级', constraints: ['家庭经济压力', '离家近'] }), 'x', november);
    expect(vocational[0]!.detail.endsWith(say('actions', 'extra_pressure_中职'))).toBe(true);
    expect(vocational[1]!.detail.endsWith(say('actions', 'extra_local', { location: '河南郑州' }))).toBe(true);
    const higher = planActions(student({ constraints: ['家庭经济压力'] }), 'x', november);
    expect(higher[0]!.detail.endsWith(say('actions', 'extra_pressure_高校'))).toBe(true);
    expect(higher[1]!.detail).not.toContain(say('actions', 'extra_local', { location: '河南郑州' }));
  });

  it('dates the 专升本 step by the exam only for a final-year student; earlier years prepare, graduates are pointed elsewhere', () => {
    const { 高职_升学: upgrade } = careerTexts().actions.step3;
    const second = planActions(student({ grade: '大二', intention: '升学' }), 'x', november)[2]!;
    expect(second).toMatchObject({ when: say('actions', 'when_term'), date: '2027-03-01', title: upgrade!.early!.title, milestone: { id: 'zhuanshengben', stage: 'later' } });
    const final = planActions(student({ grade: '大三', intention: '升学' }), 'x', november)[2]!;
    expect(final).toMatchObject({ when: say('actions', 'when_milestone', { name: '统招专升本考试' }), date: '2027-05-31', title: upgrade!.title, milestone: { stage: 'now' } });
    const june = planActions(student({ grade: '大三', intention: '升学' }), 'x', new Date('2027-06-10T08:00:00Z'))[2]!;
    expect(june).toMatchObject({ title: upgrade!.missed!.title, milestone: { stage: 'missed' } });
  });

  it('keeps the graduates’ recruitment for the final year and the 中职 exam for 三年级', () => {
    const firstYear = planActions(student({ school: '本科', grade: '大一' }), '软件开发', november)[2]!;
    expect(firstYear.title).toBe(careerTexts().actions.step3.本科_就业!.early!.title);
    expect(firstYear.detail).toContain('「软件开发」');
    const finalYear = planActions(student({ school: '本科', grade: '大四' }), 'x', november)[2]!;
    expect(finalYear).toMatchObject({ title: careerTexts().actions.step3.本科_就业!.title, date: '2027-05-31' });
    expect(planActions(student({ school: '中职', grade: '一年级', intention: '升学' }), 'x', november)[2]!.milestone).toEqual({ id: 'zhongzhi-entrance', stage: 'later' });
    expect(planActions(student({ school: '中职', grade: '三年级', intention: '升学' }), 'x', november)[2]).toMatchObject({ date: '2027-06-10', milestone: { stage: 'now' } });
  });
});
