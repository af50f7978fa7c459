import { describe, expect, it } from 'vitest';
import { eigenpairs, eigenSolver, exactFitLimit, sparseRows } from './lsa-eigen.ts';

/** Sparse rows with a few shared terms, `count` of them. */
function rowsOf(count: number): ReturnType<typeof sparseRows> {
  return sparseRows(Array.from({ length: count }, (_, i) => new Map([[i % 13, 1 + (i % 5)], [(i * 7) % 29, 0.5], [40 + (i % 3), 2]])));
}

describe('eigenSolver', () => {
  it('starts its worker before the rows exist and returns what this thread computes from them', async () => {
    const solver = eigenSolver(exactFitLimit + 100);
    const rows = rowsOf(exactFitLimit + 100);
    const expected = eigenpairs(rows, 8);
    const result = await solver.solve(rows, 8);
    expect(Array.from(result.values)).toEqual(Array.from(expected.values));
    expect(Array.from(result.vectors)).toEqual(Array.from(expected.vectors));
  });

  it('solves a few rows exactly, in this thread', async () => {
    const rows = rowsOf(40);
    const result = await eigenSolver(40).solve(rows, 8);
    expect(Array.from(result.values)).toEqual(Array.from(eigenpairs(rows, 8).values));
    expect(result.values).toHaveLength(40);
  });
});
