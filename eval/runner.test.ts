import { describe, expect, it } from 'vitest';
import type { AskResult } from '../src/answering/types.ts';
import { evalItemSchema } from './dataset.ts';
import type { EvalItem } from './dataset.ts';
import { runEval } from './runner.ts';
import type { ItemResult } from './runner.ts';

const item = (fields: Record<string, unknown>): EvalItem =>
  evalItemSchema.parse({ outcome: 'abstain', question: `问题 ${String(fields.id)}`, ...fields });

const abstained = (latency_ms = 10): AskResult => ({ outcome: 'abstain', answer: '无法回答', citations: [], retrieved: [], latency_ms });

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('runEval', () => {
  it('asks every question in dataset order, passing each session through', async () => {
    const calls: [string, string | undefined][] = [];
    const items = [
      item({ id: 's1', session: 'A' }),
      item({ id: 'i1' }),
      item({ id: 's2', session: 'A' }),
      item({ id: 't1', session: 'B' }),
    ];
    await runEval(items, async (question, session) => {
      calls.push([question, session]);
      return abstained();
    });
    expect(calls).toEqual([
      ['问题 s1', 'A'],
      ['问题 i1', undefined],
      ['问题 s2', 'A'],
      ['问题 t1', 'B'],
    ]);
  });

  it('keeps a session in order and one turn at a time while other items run concurrently', async () => {
    const items = [
      item({ id: 'a1', session: 'A' }),
      item({ id: 'a2', session: 'A' }),
      item({ id: 'x' }),
      item({ id: 'a3', session: 'A' }),
      item({ id: 'y' }),
    ];
    const delays: Record<string, number> = { a1: 30, a2: 5, x: 1, a3: 1, y: 1 };
    const sessionTurns: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let sessionBusy = false;
    let overlappingTurns = 0;
    const report = await runEval(
      items,
      async (question, session) => {
        const id = question.replace('问题 ', '');
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (session) {
          if (sessionBusy) overlappingTurns++;
          sessionBusy = true;
          sessionTurns.push(id);
        }
        await sleep(delays[id] ?? 1);
        if (session) sessionBusy = false;
        inFlight--;
        return abstained();
      },
      { concurrency: 3 },
    );
    expect(sessionTurns).toEqual(['a1', 'a2', 'a3']);
    expect(overlappingTurns).toBe(0);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(report.items.map((r) => r.id)).toEqual(['a1', 'a2', 'x', 'a3', 'y']);
  });

  it('records per-item results that name what failed', async () => {
    const items = [
      item({ id: 'q1', outcome: 'answer', passages: ['投保实习责任保险'], facts: [['保险']], tags: ['doc:moe', 'english'] }),
      item({ id: 'q2', outcome: 'escalate' }),
    ];
    const replies: Record<string, AskResult> = {
      '问题 q1': {
        outcome: 'answer',
        answer: '学校必须投保。',
        citations: [{ doc: 'moe', title: 'T', locator: '第十条', text: '无关条款' }],
        retrieved: [
          { doc: 'moe', locator: '第十条', text: '无关条款', score: 0.9 },
          { doc: 'moe', locator: '第九条', text: '必须为实习学生投保 实习责任保险', score: 0.8 },
        ],
        latency_ms: 1200,
      },
      '问题 q2': { ...abstained(), outcome: 'escalate', latency_ms: 40 },
    };
    const report = await runEval(items, async (question) => replies[question] ?? abstained());
    const [q1, q2] = report.items as [ItemResult, ItemResult];
    expect(q1).toMatchObject({
      id: 'q1',
      expected: 'answer',
      actual: 'answer',
      document: 'moe',
      outcomeCorrect: true,
      hitAt1: false,
      hitAt5: true,
      rank: 2,
      reciprocalRank: 0.5,
      citationCorrect: false,
      factsCorrect: false,
      missingFacts: [['保险']],
      fullyCorrect: false,
      latency_ms: 1200,
      answer: '学校必须投保。',
      citations: [{ doc: 'moe', locator: '第十条' }],
    });
    expect(q2).toMatchObject({ expected: 'escalate', actual: 'escalate', fullyCorrect: true, hitAt1: null });
    expect(report.overall.fullyCorrect).toEqual({ correct: 1, total: 2, rate: 0.5 });
    expect(report.byDocument.moe?.items).toBe(1);
    expect(report.byTag.english?.items).toBe(1);
  });

  it('records a question whose ask throws as failed and goes on', async () => {
    const items = [item({ id: 'boom', outcome: 'answer', passages: ['p'], facts: [['f']] }), item({ id: 'ok' })];
    const report = await runEval(items, async (question) => {
      if (question.endsWith('boom')) throw new Error('model timed out');
      return abstained();
    });
    expect(report.items[0]).toMatchObject({ actual: null, fullyCorrect: false, hitAt5: false, error: 'Error: model timed out', latency_ms: null });
    expect(report.items[1]?.fullyCorrect).toBe(true);
    expect(report.overall.latency.p50).toBe(10);
  });

  it('reports progress as each item finishes', async () => {
    const seen: string[] = [];
    await runEval([item({ id: 'a' }), item({ id: 'b' })], async () => abstained(), {
      onItem: (result, done, total) => seen.push(`${result.id} ${done}/${total}`),
    });
    expect(seen).toEqual(['a 1/2', 'b 2/2']);
  });

  it('uses docOf for items without a doc: tag', async () => {
    const report = await runEval([item({ id: 'a' })], async () => abstained(), { docOf: () => 'lasa' });
    expect(report.items[0]?.document).toBe('lasa');
    expect(Object.keys(report.byDocument)).toEqual(['lasa']);
  });

  it('keeps the confidence a reply carries and scores the lead with the given headings', async () => {
    const items = [item({ id: 'a', outcome: 'answer', passages: ['押金'], facts: [['押金']] }), item({ id: 'b' })];
    const report = await runEval(
      items,
      async (question) =>
        question.endsWith('a')
          ? { outcome: 'answer', answer: '见下\n§ 条文\n不得收押金', citations: [], retrieved: [], latency_ms: 5, confidence: 0.61 }
          : abstained(),
      { quoteHeadings: ['§ 条文'] },
    );
    expect(report.items[0]).toMatchObject({ confidence: 0.61, leadFactsCorrect: false, factsCorrect: true });
    expect(report.items[1]).toMatchObject({ confidence: null, leadFactsCorrect: null });
    expect(report.riskCoverage).toMatchObject({ answered: 1, withConfidence: 1 });
  });

  it('rejects a concurrency that is not a positive integer', async () => {
    await expect(runEval([], async () => abstained(), { concurrency: 0 })).rejects.toThrow(RangeError);
  });
});
