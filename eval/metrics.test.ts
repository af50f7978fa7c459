import { describe, expect, it } from 'vitest';
import type { AskResult, Citation, RetrievedClause } from '../src/answering/types.ts';
import { evalItemSchema } from './dataset.ts';
import type { EvalItem } from './dataset.ts';
import {
  aggregate,
  citationCorrect,
  documentOf,
  factsCorrect,
  firstHitRank,
  fullyCorrect,
  hitAt,
  missingFacts,
  outcomeCorrect,
  percentile,
  reciprocalRank,
  scoreItem,
} from './metrics.ts';

const item = (fields: Record<string, unknown>): EvalItem =>
  evalItemSchema.parse({ id: 'q1', question: '问题', outcome: 'answer', passages: ['不存在的段落'], facts: [['x']], ...fields });

const retrieved = (text: string, doc = 'doc-a'): RetrievedClause => ({ doc, locator: '第一条', text, score: 1 });
const cited = (text: string, doc = 'doc-a'): Citation => ({ doc, title: '标题', locator: '第一条', text });

const reply = (fields: Partial<AskResult> = {}): AskResult => ({
  outcome: 'answer',
  answer: '',
  citations: [],
  retrieved: [],
  latency_ms: 100,
  ...fields,
});

describe('outcome', () => {
  it('is correct when the system decided what the item expects', () => {
    expect(outcomeCorrect(item({ outcome: 'escalate' }), reply({ outcome: 'escalate' }))).toBe(true);
    expect(outcomeCorrect(item({ outcome: 'escalate' }), reply({ outcome: 'abstain' }))).toBe(false);
  });
});

describe('retrieval', () => {
  const shandong = item({ passages: ['30门职业指导金课'] });

  it('finds a passage in a chunk after removing all whitespace on both sides', () => {
    const chunk = '评选 30 门职业指导\n金课，\u3000遴选典型案例';
    expect(hitAt(shandong, reply({ retrieved: [retrieved(chunk)] }), 1)).toBe(true);
    const spacedPassage = item({ passages: ['评选 30 门 职业指导金课'] });
    expect(hitAt(spacedPassage, reply({ retrieved: [retrieved('评选30门职业指导金课')] }), 1)).toBe(true);
  });

  it('counts a hit at k only within the top k chunks', () => {
    const result = reply({ retrieved: [retrieved('无关'), retrieved('无关'), retrieved('共评选30门职业指导金课')] });
    expect(hitAt(shandong, result, 1)).toBe(false);
    expect(hitAt(shandong, result, 3)).toBe(true);
    expect(hitAt(shandong, result, 5)).toBe(true);
  });

  it('accepts any one of several passages', () => {
    const either = item({ passages: ['甲段落', '乙段落'] });
    expect(firstHitRank(either, reply({ retrieved: [retrieved('无关'), retrieved('这里是乙段落')] }))).toBe(2);
  });

  it('gives the reciprocal rank of the first chunk with a passage, 0 when none has one', () => {
    const result = reply({ retrieved: [retrieved('无关'), retrieved('30门职业指导金课'), retrieved('30门职业指导金课')] });
    expect(reciprocalRank(shandong, result)).toBe(0.5);
    expect(reciprocalRank(shandong, reply({ retrieved: [retrieved('无关')] }))).toBe(0);
    expect(firstHitRank(shandong, reply())).toBeNull();
  });
});

describe('citation', () => {
  const insurance = item({ passages: ['必须为实习学生投保实习责任保险'] });

  it('is correct when a cited chunk contains a passage, whitespace removed', () => {
    const result = reply({ citations: [cited('无关'), cited('学校 必须为实习学生\n投保实习责任保险。')] });
    expect(citationCorrect(insurance, result)).toBe(true);
  });

  it('ignores retrieved chunks the answer does not cite', () => {
    const result = reply({ retrieved: [retrieved('必须为实习学生投保实习责任保险')], citations: [cited('无关')] });
    expect(citationCorrect(insurance, result)).toBe(false);
    expect(hitAt(insurance, result, 1)).toBe(true);
  });
});

describe('facts', () => {
  const goldCourses = item({ facts: [['30门', '30 门', '三十门'], ['金课']] });

  it('needs a member of every alternative-list', () => {
    expect(factsCorrect(goldCourses, reply({ answer: '山东省将评选三十门金课。' }))).toBe(true);
    expect(factsCorrect(goldCourses, reply({ answer: '山东省将评选三十门课程。' }))).toBe(false);
    expect(missingFacts(goldCourses, reply({ answer: '山东省将评选三十门课程。' }))).toEqual([['金课']]);
  });

  it('ignores whitespace on both sides', () => {
    expect(factsCorrect(item({ facts: [['30门']] }), reply({ answer: '共 30 门' }))).toBe(true);
    expect(factsCorrect(item({ facts: [['30 门']] }), reply({ answer: '共30门' }))).toBe(true);
  });

  it('compares ASCII letters case-insensitively', () => {
    const english = item({ facts: [['insurance', '保险']] });
    expect(factsCorrect(english, reply({ answer: 'Yes: Internship Liability INSURANCE is required.' }))).toBe(true);
    expect(factsCorrect(item({ facts: [['Liability Insurance']] }), reply({ answer: 'liabilityinsurance' }))).toBe(true);
  });
});

describe('fully correct', () => {
  const answerItem = item({ passages: ['不得通过中介机构'], facts: [['不得', '不能']] });
  const good = reply({ answer: '不得这样安排。', citations: [cited('学校不得通过中介机构安排实习')] });

  it('needs outcome, citation and facts for answer items', () => {
    expect(fullyCorrect(answerItem, good)).toBe(true);
    expect(fullyCorrect(answerItem, { ...good, outcome: 'abstain' })).toBe(false);
    expect(fullyCorrect(answerItem, { ...good, citations: [] })).toBe(false);
    expect(fullyCorrect(answerItem, { ...good, answer: '可以。' })).toBe(false);
  });

  it('scores abstain and escalate items on the outcome alone', () => {
    const abstain = item({ outcome: 'abstain', passages: [], facts: [] });
    expect(fullyCorrect(abstain, reply({ outcome: 'abstain', answer: '这个问题我无法回答' }))).toBe(true);
    expect(fullyCorrect(abstain, reply({ outcome: 'answer' }))).toBe(false);
    const escalate = item({ outcome: 'escalate', passages: [], facts: [] });
    expect(fullyCorrect(escalate, reply({ outcome: 'escalate' }))).toBe(true);
  });

  it('leaves retrieval, citation and facts unmeasured on abstain items', () => {
    const score = scoreItem(item({ outcome: 'abstain', passages: [], facts: [] }), reply({ outcome: 'abstain' }));
    expect(score).toMatchObject({ hitAt1: null, hitAt5: null, rank: null, reciprocalRank: null, citationCorrect: null, factsCorrect: null });
    expect(score.fullyCorrect).toBe(true);
  });
});

describe('documents', () => {
  it('takes the doc: tag, else what docOf says, else unknown', () => {
    const tagged = item({ tags: ['english', 'doc:moe-2018'] });
    expect(documentOf(tagged, () => 'other')).toBe('moe-2018');
    expect(documentOf(item({}), () => 'shandong-2023')).toBe('shandong-2023');
    expect(documentOf(item({}), () => undefined)).toBe('unknown');
    expect(documentOf(item({}))).toBe('unknown');
  });
});

describe('aggregate', () => {
  const passage = '段落';
  const hitAtRank = (rank: number | null): RetrievedClause[] =>
    [1, 2, 3, 4, 5].map((r) => retrieved(r === rank ? `含${passage}` : '无关'));
  const entries = [
    { item: item({ id: 'a1', passages: [passage], facts: [['对']], tags: ['doc:d1'] }), result: reply({ answer: '对', retrieved: hitAtRank(1), citations: [cited(passage)], latency_ms: 100 }) },
    { item: item({ id: 'a2', passages: [passage], facts: [['对']], tags: ['doc:d1', 'english'] }), result: reply({ answer: '错', retrieved: hitAtRank(2), latency_ms: 300 }) },
    { item: item({ id: 'a3', passages: [passage], facts: [['对']], tags: ['doc:d2'] }), result: reply({ outcome: 'abstain', retrieved: hitAtRank(null), latency_ms: 200 }) },
    { item: item({ id: 'x1', outcome: 'abstain', passages: [], facts: [], tags: ['injection'] }), result: reply({ outcome: 'abstain', latency_ms: 50 }) },
  ].map(({ item, result }) => ({ item, score: scoreItem(item, result) }));
  const report = aggregate(entries);

  it('counts retrieval, citation and facts over answer items only', () => {
    expect(report.overall.items).toBe(4);
    expect(report.overall.hitAt1).toEqual({ correct: 1, total: 3, rate: 1 / 3 });
    expect(report.overall.hitAt5).toEqual({ correct: 2, total: 3, rate: 2 / 3 });
    expect(report.overall.mrr).toEqual({ value: (1 + 0.5 + 0) / 3, total: 3 });
    expect(report.overall.citation.total).toBe(3);
    expect(report.overall.facts).toEqual({ correct: 1, total: 3, rate: 1 / 3 });
  });

  it('counts outcome and full correctness over every item', () => {
    expect(report.overall.outcome).toEqual({ correct: 3, total: 4, rate: 0.75 });
    expect(report.overall.fullyCorrect).toEqual({ correct: 2, total: 4, rate: 0.5 });
  });

  it('groups by expected outcome, document and tag', () => {
    expect(Object.keys(report.byOutcome)).toEqual(['answer', 'abstain']);
    expect(report.byOutcome.abstain?.hitAt1.rate).toBeNull();
    expect(report.byDocument.d1?.items).toBe(2);
    expect(report.byDocument.unknown?.items).toBe(1);
    expect(Object.keys(report.byTag)).toEqual(['english', 'injection']);
  });

  it('uses docOf for items without a doc: tag', () => {
    const byDocument = aggregate(entries, () => 'found').byDocument;
    expect(Object.keys(byDocument)).toEqual(['d1', 'd2', 'found']);
  });

  it('reports latency percentiles by nearest rank', () => {
    expect(report.overall.latency).toEqual({ p50: 100, p95: 300 });
    const ms = Array.from({ length: 20 }, (_, i) => (i + 1) * 100);
    expect(percentile(ms, 50)).toBe(1000);
    expect(percentile(ms, 95)).toBe(1900);
    expect(percentile([], 50)).toBeNull();
  });
});
