import { describe, expect, it } from 'vitest';
import { gradeOn, milestoneById, milestoneTiming, milestones, mayTakePart } from './milestones.ts';
import { policyLinkEntries } from './policy-links.ts';

describe('grades over time', () => {
  it('moves up a grade every September and graduates the final year after 30 June', () => {
    expect(gradeOn('高职', '大二', '2026-12-02', '2027-05-31')).toBe('大二');
    expect(gradeOn('高职', '大二', '2026-12-02', '2027-09-01')).toBe('大三');
    expect(gradeOn('高职', '大三', '2026-12-02', '2027-06-30')).toBe('大三');
    expect(gradeOn('高职', '大三', '2026-12-02', '2027-07-01')).toBe('已毕业');
    expect(gradeOn('中职', '一年级', '2026-12-02', '2028-06-10')).toBe('二年级');
    expect(gradeOn('本科', '已毕业', '2026-12-02', '2030-01-01')).toBe('已毕业');
  });
});

describe('milestones', () => {
  it('reads milestones.yaml: every policy is a clause the plan can cite', () => {
    for (const milestone of milestones()) {
      if (!milestone.policy) continue;
      expect(policyLinkEntries().some((entry) => entry.doc === milestone.policy!.doc && entry.locator === milestone.policy!.locator)).toBe(true);
    }
  });

  it('lets only 应届 高职 students sit the 专升本 exam: later for 大一 and 大二, now for 大三, never after graduating', () => {
    const exam = milestoneById('zhuanshengben');
    expect(milestoneTiming(exam, '高职', '大一', '2026-12-02')).toEqual({ stage: 'later', date: '2029-05-31' });
    expect(milestoneTiming(exam, '高职', '大二', '2026-12-02')).toEqual({ stage: 'later', date: '2028-05-31' });
    expect(milestoneTiming(exam, '高职', '大三', '2026-12-02')).toEqual({ stage: 'now', date: '2027-05-31' });
    // in June of the final year this year's exam is over, and next year's is not for graduates
    expect(milestoneTiming(exam, '高职', '大三', '2027-06-10')).toEqual({ stage: 'missed' });
    expect(milestoneTiming(exam, '高职', '已毕业', '2026-12-02')).toEqual({ stage: 'missed' });
    expect(mayTakePart(exam, '本科', '大三')).toBe(false);
  });

  it('lets graduates register for 考研 as well as final-year students, in October', () => {
    const kaoyan = milestoneById('kaoyan');
    expect(milestoneTiming(kaoyan, '本科', '大三', '2026-12-02')).toEqual({ stage: 'now', date: '2027-10-31' });
    expect(milestoneTiming(kaoyan, '本科', '大二', '2026-12-02')).toEqual({ stage: 'later', date: '2028-10-31' });
    expect(milestoneTiming(kaoyan, '本科', '大四', '2026-12-02')).toEqual({ stage: 'now', date: '2027-10-31' });
    expect(milestoneTiming(kaoyan, '本科', '已毕业', '2026-12-02')).toEqual({ stage: 'now', date: '2027-10-31' });
  });
});
