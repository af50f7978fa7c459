import { describe, expect, it } from 'vitest';
import { corpusResolver } from '../../src/career/testing.ts';
import { careerFloor, constraintKinds, loadCareerProfiles, runCareerEval, type CareerProfile } from './career-eval.ts';
import { formatCareerReport } from './career-report.ts';

describe('the career-plan eval', () => {
  it('has at least 30 students of every school type, many majors and grades', async () => {
    const profiles = await loadCareerProfiles();
    expect(profiles.length).toBeGreaterThanOrEqual(30);
    expect(new Set(profiles.map((profile) => profile.id)).size).toBe(profiles.length);
    expect(new Set(profiles.map((profile) => profile.school))).toEqual(new Set(['中职', '高职', '本科']));
    expect(new Set(profiles.map((profile) => profile.major)).size).toBeGreaterThanOrEqual(30);
    expect(profiles.filter((profile) => profile.expect.exam === 'none').length).toBeGreaterThanOrEqual(10);
    expect(profiles.filter((profile) => profile.expect.exam === 'by-graduation').length).toBeGreaterThanOrEqual(3);
  });

  it(`holds at least ${careerFloor * 100}% of the constraints`, async () => {
    const report = await runCareerEval(await loadCareerProfiles(), await corpusResolver());
    for (const kind of constraintKinds) expect(report.byKind[kind].checked, kind).toBeGreaterThan(0);
    expect(report.failures, formatCareerReport(report)).toEqual([]);
    expect(report.overall.rate).toBeGreaterThanOrEqual(careerFloor);
  });

  it('fails a plan that breaks its profile’s constraints, and says which', async () => {
    const [first] = await loadCareerProfiles();
    // the same student, expected to get none of what the rules give them and to sit an exam already
    const wrong: CareerProfile = { ...first!, id: 'wrong', expect: { allowed: ['culinary'], forbidden: ['software'], exam: 'by-graduation' } };
    const report = await runCareerEval([wrong], await corpusResolver());
    expect(report.failures.map((failure) => failure.kind)).toEqual(['directions-allowed', 'directions-not-forbidden', 'exam-eligibility']);
    expect(formatCareerReport(report)).toContain('wrong  directions-allowed');
  });
});
