import { describe, expect, it } from 'vitest';
import { Bm25Index } from './bm25.ts';

const query = (...terms: (string | [string, number])[]): Map<string, number> =>
  new Map(terms.map((term) => (typeof term === 'string' ? [term, 1] : term)));

const index = new Bm25Index([
  { id: 'deposit', terms: ['实习', '押金', '不得', '收取'] },
  { id: 'insurance', terms: ['实习', '责任', '保险', '投保'] },
  { id: 'teachers', terms: ['职业指导', '教师', '配备'] },
  { id: 'complaints', terms: ['投诉', '工作日', '告知', '投诉人', '投诉'] },
]);

describe('Bm25Index', () => {
  it('ranks the documents holding the query terms, best first, and leaves out the rest', () => {
    const results = index.search(query('押金', '实习'), 10);
    expect(results.map((result) => result.id)).toEqual(['deposit', 'insurance']);
    expect(results[0]!.score).toBeGreaterThan(results[1]!.score);
  });

  it('returns at most k documents', () => {
    expect(index.search(query('实习'), 1)).toHaveLength(1);
  });

  it('finds nothing for terms no document holds', () => {
    expect(index.search(query('高考'), 10)).toEqual([]);
    expect(new Bm25Index([]).search(query('实习'), 10)).toEqual([]);
  });

  it('weighs a rare term above a common one, never below zero, and an unknown one at zero', () => {
    expect(index.idf('押金')).toBeGreaterThan(index.idf('实习'));
    expect(index.idf('实习')).toBeGreaterThan(0);
    const everywhere = new Bm25Index([
      { id: 'a', terms: ['实习'] },
      { id: 'b', terms: ['实习'] },
    ]);
    expect(everywhere.idf('实习')).toBeGreaterThan(0);
    expect(index.idf('高考')).toBe(0);
  });

  it('scales a term’s contribution by its query weight', () => {
    const full = index.search(query('押金'), 1)[0]!.score;
    const expansion = index.search(query(['押金', 0.6]), 1)[0]!.score;
    expect(expansion).toBeCloseTo(full * 0.6, 10);
  });

  it('prefers the shorter document when two hold a term equally often', () => {
    const lengths = new Bm25Index([
      { id: 'long', terms: ['押金', '说明', '说明', '说明', '说明', '说明'] },
      { id: 'short', terms: ['押金', '说明'] },
    ]);
    expect(lengths.search(query('押金'), 2).map((result) => result.id)).toEqual(['short', 'long']);
  });

  it('rewards repeated terms with diminishing returns', () => {
    const repeats = new Bm25Index([
      { id: 'once', terms: ['投诉', 'a', 'b', 'c'] },
      { id: 'twice', terms: ['投诉', '投诉', 'b', 'c'] },
      { id: 'four', terms: ['投诉', '投诉', '投诉', '投诉'] },
      { id: 'other', terms: ['x', 'y', 'z', 'w'] },
    ]);
    const score = Object.fromEntries(repeats.search(query('投诉'), 3).map((result) => [result.id, result.score]));
    expect(score.twice!).toBeGreaterThan(score.once!);
    expect(score.four!).toBeGreaterThan(score.twice!);
    expect(score.four! - score.twice!).toBeLessThan(2 * (score.twice! - score.once!));
  });

  it('orders equal scores by id, so results are stable', () => {
    const ties = new Bm25Index([
      { id: 'b', terms: ['押金'] },
      { id: 'a', terms: ['押金'] },
      { id: 'c', terms: ['押金'] },
    ]);
    expect(ties.search(query('押金'), 3).map((result) => result.id)).toEqual(['a', 'b', 'c']);
  });

  it('tells which terms it holds and how many documents', () => {
    expect(index.size).toBe(4);
    expect(index.has('投诉人')).toBe(true);
    expect(index.has('高考')).toBe(false);
    expect(new Set(index.terms())).toContain('工作日');
  });
});
