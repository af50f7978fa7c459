import { describe, expect, it } from 'vitest';
import { planCaveats } from './caveats.ts';
import { say } from './career-texts.ts';
import { milestoneById } from './milestones.ts';
import { buildPlan, type PlanProfile } from './plan.ts';
import { renderPlanChat, renderPlanMarkdown } from './plan-render.ts';
import { answersFor, fakeResolver } from './testing.ts';

const now = new Date('2026-12-02T02:00:00Z');
const regions = { 'henan-gaoxiao-employment-services': '河南省', 'lasa-draft-graduate-guidance-standard': '拉萨市' };
const draft = '这是拉萨市人力资源服务机构的地方标准征求意见稿，尚未生效，只作参考。';
const plan = (key: string, values: Record<string, string | number> = {}): string => say('plan', key, values);

const student = (overrides: Partial<PlanProfile> = {}): PlanProfile => ({
  school: '高职',
  grade: '大二',
  major: '计算机应用技术',
  location: '山东济南',
  interests: '帮同学修电脑',
  constraints: [],
  intention: '升学',
  priority: '兴趣',
  ...overrides,
});

describe('the caveats of a plan', () => {
  it('are one list, in the chat message and in the Markdown file alike', () => {
    const careerPlan = buildPlan(student(), answersFor({ I: [5, 5, 4, 4], R: [4, 4, 4, 3] }), now);
    const resolve = fakeResolver(regions);
    const caveats = planCaveats(careerPlan, resolve);
    const exam = milestoneById('zhuanshengben');
    expect(caveats).toEqual([
      plan('caveat_milestone', { name: exam.name, rule: exam.rule }),
      plan('caveat_link', { where: '《title of henan-gaoxiao-employment-services》三、（一）6.、三、（二）3.', caveat: plan('link_regional', { region: '河南省', location: '山东济南' }) }),
      plan('caveat_link', { where: '《title of lasa-draft-graduate-guidance-standard》6.3、6.2', caveat: draft }),
    ]);
    const chat = renderPlanChat(careerPlan, resolve);
    const markdown = renderPlanMarkdown(careerPlan, resolve);
    for (const caveat of caveats) {
      expect(chat).toContain(plan('chat_caveat', { caveat }));
      expect(markdown).toContain(plan('caveat_line', { caveat }));
    }
    // the draft standard's caveat, which the chat used to drop
    expect(chat).toContain(draft);
  });

  it('name the clause a step’s condition comes from', () => {
    const careerPlan = buildPlan(student({ grade: '大三', intention: '就业' }), answersFor({ I: [5, 5, 4, 4] }), now);
    const recruitment = milestoneById('gaozhi-recruitment');
    expect(careerPlan.actions[2]).toMatchObject({ date: '2027-05-31', milestone: { id: recruitment.id, stage: 'now' } });
    expect(planCaveats(careerPlan, fakeResolver(regions))).toContain(
      plan('caveat_milestone_cited', { name: recruitment.name, rule: recruitment.rule, title: 'title of henan-gaoxiao-employment-services', locator: '三、（一）5.' }),
    );
    expect(planCaveats(careerPlan, () => null)).toContain(plan('caveat_milestone', { name: recruitment.name, rule: recruitment.rule }));
  });

  it('carry the school’s note on a direction and a flat assessment, and no regional warning at home', () => {
    const careerPlan = buildPlan(student({ school: '中职', grade: '二年级', major: '计算机应用', location: '河南郑州', intention: '就业' }), answersFor({}, 3), now);
    const caveats = planCaveats(careerPlan, fakeResolver(regions));
    expect(caveats[0]).toBe(plan('note_flat', { spread: 0 }));
    const software = careerPlan.directions.find((direction) => direction.id === 'software');
    expect(caveats).toContain(plan('caveat_direction', { name: software!.name, note: software!.note! }));
    expect(caveats.some((caveat) => caveat.includes('河南省的文件'))).toBe(false);
    expect(renderPlanChat(careerPlan, fakeResolver(regions))).toContain(software!.note!);
  });
});
