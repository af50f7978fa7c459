import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant, embeddingModelFor } from '../src/assistant.ts';
import { loadConfig } from '../src/config.ts';
import { createTestDatabase } from '../src/store/testing.ts';
import { datasetsDir } from './suite.ts';
import { accuracyOf, candidateAnswerer, compareWithCandidate, formatComparison, parseFloor, publishFloor, singleTurnItems } from './version-eval.ts';
import path from 'node:path';

describe('the publish floor', () => {
  it('reads a rate or a percentage, from a flag or ZHIYIN_PUBLISH_MIN_FULLY_CORRECT', () => {
    expect(parseFloor('0.85')).toBe(0.85);
    expect(parseFloor('85')).toBe(0.85);
    expect(parseFloor('85%')).toBe(0.85);
    expect(() => parseFloor('lots')).toThrow(/publish floor/u);
    expect(publishFloor({ ZHIYIN_PUBLISH_MIN_FULLY_CORRECT: '90%' })).toBe(0.9);
    expect(publishFloor({})).toBeNull();
  });
});

describe('the comparison in words', () => {
  it('names each school item the candidate breaks and says the publish is blocked, whatever the floor', () => {
    const summary = { items: 1, fullyCorrect: 1, outcome: 1, datasets: { school: { items: 1, fullyCorrect: 1, outcome: 1 } } };
    const text = formatComparison({
      baseline: summary,
      candidate: { ...summary, fullyCorrect: 0, datasets: { school: { items: 1, fullyCorrect: 0, outcome: 1 } } },
      delta: { fullyCorrect: -1, outcome: 0 },
      floor: null,
      school: { items: 1, regressions: [{ id: 'school-1', question: '就业推荐表什么时候发？', expected: 'answer', actual: 'answer' }] },
      passed: false,
      ms: 10,
    });
    expect(text).toContain('school item school-1 broken (expected answer, got answer): 就业推荐表什么时候发？');
    expect(text).toContain('school items broken — publish blocked');
  });
});

describe('the eval of a candidate set', () => {
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  let assistant: Assistant;
  const datasets = ['policy.jsonl', 'routing.jsonl', 'multi-turn.jsonl'].map((name) => path.join(datasetsDir, name));

  beforeAll(async () => {
    assistant = await Assistant.open(config, { db: await createTestDatabase() });
  });
  afterAll(async () => assistant?.close());

  it('uses single-turn items only', async () => {
    const sets = await singleTurnItems(datasets);
    expect(sets.map((set) => set.name)).toEqual(['policy', 'routing']);
    expect(sets.every((set) => set.items.every((item) => item.session === undefined))).toBe(true);
  });

  it('answers over a candidate exactly as the live set does when the candidate is the same set', async () => {
    const live = await assistant.answerer();
    const candidate = await assistant.knowledge.plan({ kind: 'reindex' }, { force: true, model: await embeddingModelFor(config, assistant.tokenizer) });
    const comparison = await compareWithCandidate({ baseline: (q) => live.answer(q), candidate, lexicon: assistant.lexicon, tokenizer: assistant.tokenizer, replies: assistant.replies, floor: 0.5, datasets });
    expect(comparison.candidate.items).toBe(142 + 46);
    expect(comparison.candidate.fullyCorrect).toBe(comparison.baseline.fullyCorrect);
    expect(comparison.delta.fullyCorrect).toBe(0);
    expect(comparison.passed).toBe(true);
    expect(formatComparison(comparison)).toMatch(/fully correct (\d+\.\d)% → \1% \(\+0\.0 pts\)/u);
    await assistant.knowledge.discard(candidate);
  });

  it('shows the loss when a document is withdrawn, and the floor blocks it', async () => {
    const live = await assistant.answerer();
    const sets = await singleTurnItems(datasets);
    const before = await accuracyOf((q) => live.answer(q), sets);
    const candidate = await assistant.knowledge.plan({ kind: 'withdraw', docId: 'moe-2018-zhongzhi-guidance' }, { model: await embeddingModelFor(config, assistant.tokenizer) });
    expect(candidate.snapshot.documents.has('moe-2018-zhongzhi-guidance')).toBe(false);
    const comparison = await compareWithCandidate({ baseline: before, candidate, lexicon: assistant.lexicon, tokenizer: assistant.tokenizer, replies: assistant.replies, floor: before.fullyCorrect - 0.01, datasets });
    expect(comparison.delta.fullyCorrect).toBeLessThan(-0.05);
    expect(comparison.passed).toBe(false);
    expect(formatComparison(comparison)).toContain('NOT met — publish blocked');
    const answerer = candidateAnswerer(candidate, assistant.lexicon, assistant.tokenizer, assistant.replies);
    const reply = await answerer.answer('中职学校要配几名职业指导老师？');
    expect(reply.citations.every((citation) => citation.doc !== 'moe-2018-zhongzhi-guidance')).toBe(true);
    expect((await assistant.knowledge.list()).map((d) => d.id)).toContain('moe-2018-zhongzhi-guidance');
  });
});
