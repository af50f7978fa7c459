import { describe, expect, it } from 'vitest';
import { flatSpread, scoreAssessment } from './riasec.ts';
import { answersFor } from './testing.ts';

describe('scoring the assessment', () => {
  it('sums each type (4–20) and takes the three highest as the code', () => {
    const result = scoreAssessment(answersFor({ R: [5, 5, 5, 4], I: [4, 4, 3, 3], C: [3, 3, 2, 2], E: [2, 2, 2, 1] }));
    expect(result.scores).toEqual({ R: 19, I: 14, A: 4, S: 4, E: 7, C: 10 });
    expect(result.code).toBe('RIC');
    expect(result.ranking).toEqual(['R', 'I', 'C', 'E', 'A', 'S']);
    expect(result.liked).toMatchObject({ R: 4, I: 2, C: 0 });
    expect(result.loved).toMatchObject({ R: 3, I: 0 });
    expect(result.ties).toEqual([]);
    expect(result.spread).toBe(15);
    expect(result.flat).toBe(false);
    expect(Object.keys(result.answers)).toHaveLength(24);
  });

  it('breaks a tie first by the number of 4-or-5 answers', () => {
    // I and C both 12; C has two 4s, I none: C goes first although I comes first in R I A S E C.
    const result = scoreAssessment(answersFor({ R: [5, 5, 5, 5], I: [3, 3, 3, 3], C: [4, 4, 2, 2] }));
    expect(result.code).toBe('RCI');
    expect(result.ties).toEqual([{ letters: ['C', 'I'], score: 12, decidedBy: 'liked' }]);
  });

  it('then by the number of 5 answers', () => {
    // I and C both 12 with two 4-or-5 answers each; C has a 5, I none.
    const result = scoreAssessment(answersFor({ R: [5, 5, 5, 5], I: [4, 4, 2, 2], C: [5, 4, 2, 1] }));
    expect(result.code).toBe('RCI');
    expect(result.ties).toEqual([{ letters: ['C', 'I'], score: 12, decidedBy: 'loved' }]);
  });

  it('then by the fixed order R > I > A > S > E > C, also for the third letter', () => {
    const result = scoreAssessment(answersFor({ R: [5, 5, 5, 5], I: [4, 4, 4, 4], S: [3, 3, 3, 3], C: [3, 3, 3, 3] }));
    expect(result.code).toBe('RIS');
    expect(result.ties).toEqual([{ letters: ['S', 'C'], score: 12, decidedBy: 'order' }]);
  });

  it('names the deepest rule a three-way tie needed', () => {
    // E (two 4s, one 5) > A (two 4s, no 5) > S (same as A, after it in the order); all 12.
    const result = scoreAssessment(answersFor({ E: [5, 4, 2, 1], A: [4, 4, 2, 2], S: [4, 4, 2, 2] }));
    expect(result.code).toBe('EAS');
    expect(result.ties).toEqual([{ letters: ['E', 'A', 'S'], score: 12, decidedBy: 'order' }]);
  });

  it('does not note ties below the code', () => {
    const result = scoreAssessment(answersFor({ R: [5, 5, 5, 5], I: [4, 4, 4, 4], A: [3, 3, 3, 3] }));
    expect(result.code).toBe('RIA');
    expect(result.ranking.slice(3)).toEqual(['S', 'E', 'C']);
    expect(result.ties).toEqual([]);
  });

  it(`calls a profile flat when the highest and lowest scores are at most ${flatSpread} apart`, () => {
    const same = scoreAssessment(answersFor({}, 3));
    expect(same).toMatchObject({ code: 'RIA', spread: 0, flat: true });
    expect(same.ties).toEqual([{ letters: ['R', 'I', 'A', 'S', 'E', 'C'], score: 12, decidedBy: 'order' }]);
    expect(scoreAssessment(answersFor({ C: [4, 4, 4, 3] }, 3))).toMatchObject({ code: 'CRI', spread: 3, flat: true });
    expect(scoreAssessment(answersFor({ C: [4, 4, 4, 4] }, 3))).toMatchObject({ spread: 4, flat: false });
  });

  it('refuses a missing or out-of-range answer', () => {
    const answers = answersFor({});
    delete answers.S3;
    expect(() => scoreAssessment(answers)).toThrow(/S3/u);
    expect(() => scoreAssessment({ ...answersFor({}), R1: 7 })).toThrow(/R1 needs an answer 1–5/u);
  });
});
