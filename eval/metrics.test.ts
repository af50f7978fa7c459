import { describe, expect, it } from 'vitest';
import type { AskResult, Citation, RetrievedClause } from '../src/answering/types.ts';
import { Replies } from '../src/prompts.ts';
import { evalItemSchema } from './dataset.ts';
import type { EvalItem } from './dataset.ts';
import {
  aggregate,
  citationCorrect,
  defaultQuoteHeadings,
  documentOf,
  factsCorrect,
  firstHitRank,
  fullyCorrect,
  hitAt,
  leadFactsCorrect,
  leadOf,
  missingFacts,
  outcomeCorrect,
  percentile,
  quoteHeadings,
  reciprocalRank,
  riskCoverage,
  scoreItem,
  scoreUnanswered,
  summarize,
  type EvalReply,
  type ScoredItem,
} from './metrics.ts';

const item = (fields: Record<string, unknown>): EvalItem =>
  evalItemSchema.parse({ id: 'q1', question: '问题', outcome: 'answer', passages: ['不存在的段落'], facts: [['x']], ...fields });

const retrieved = (text: string, doc = 'doc-a'): RetrievedClause => ({ doc, locator: '第一条', text, score: 1 });
const cited = (text: string, doc = 'doc-a'): Citation => ({ doc, title: '标题', locator: '第一条', text });

const reply = (fields: Partial<EvalReply> = {}): EvalReply => ({
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

describe('the lead of an answer', () => {
  const headings = ['【原文】', 'Clause text:'];
  const zhAnswer = ['不可以。根据《规定》第十条：学校不得收取押金。', '', '【原文】', '第十条：「学校不得向学生收取实习押金。」', '', '【出处】', '《规定》第十条'].join('\n');
  const enAnswer = ['According to the Provisions (Article 10), the policy says: no deposit.', '', 'Clause text:', 'Article 10: 「不得收取押金」'].join('\n');

  it('ends at the quote heading of either language', () => {
    expect(leadOf(zhAnswer, headings)).toBe('不可以。根据《规定》第十条：学校不得收取押金。\n');
    expect(leadOf(enAnswer, headings)).toBe('According to the Provisions (Article 10), the policy says: no deposit.\n');
    expect(leadOf('甲\n乙\n【原文】\n丙', headings)).toBe('甲\n乙');
  });

  it('ends at the first blank line when no heading is found, else takes the whole answer', () => {
    expect(leadOf('\n\n第一段\n续\n\n第二段', headings)).toBe('\n\n第一段\n续');
    expect(leadOf('第一段\n\n【引文】\n第二段', headings)).toBe('第一段');
    expect(leadOf('只有一段', headings)).toBe('只有一段');
    expect(leadOf('第一段\n\n第二段', [])).toBe('第一段');
  });

  it('reads the headings from the replies, so a template change follows', () => {
    expect(quoteHeadings(new Replies())).toEqual(['【原文】', 'Clause text:']);
    expect(defaultQuoteHeadings()).toEqual(['【原文】', 'Clause text:']);
    const templates: Record<string, string> = { zh: ' 【条文】 ', en: '' };
    const fake = { has: (language: string) => language in templates, render: (language: string) => templates[language] ?? '' };
    expect(quoteHeadings(fake)).toEqual(['【条文】']);
  });

  it('counts facts only when all are in the lead, compared as containsFact does', () => {
    const deposit = item({ facts: [['不得', '不能'], ['押 金']] });
    expect(leadFactsCorrect(deposit, reply({ answer: zhAnswer }), headings)).toBe(true);
    const onlyInQuote = ['根据《规定》第十条：学校不得这样做。', '', '【原文】', '第十条：「不得收取押金。」'].join('\n');
    expect(factsCorrect(deposit, reply({ answer: onlyInQuote }))).toBe(true);
    expect(leadFactsCorrect(deposit, reply({ answer: onlyInQuote }), headings)).toBe(false);
    expect(leadFactsCorrect(item({ facts: [['NO DEPOSIT']] }), reply({ answer: enAnswer }), headings)).toBe(true);
  });

  it('is measured only for answered items that expect an answer', () => {
    const deposit = item({ facts: [['押金']] });
    expect(leadFactsCorrect(deposit, reply({ outcome: 'abstain', answer: '押金' }), headings)).toBeNull();
    expect(leadFactsCorrect(item({ outcome: 'escalate', passages: [], facts: [] }), reply({ answer: '押金' }), headings)).toBeNull();
    expect(scoreItem(deposit, reply({ answer: '押金\n\n【原文】\n…' }), { quoteHeadings: headings }).leadFactsCorrect).toBe(true);
    expect(scoreItem(deposit, reply({ answer: '见下\n\n【原文】\n押金' }), { quoteHeadings: headings }).leadFactsCorrect).toBe(false);
    expect(scoreUnanswered(deposit).leadFactsCorrect).toBeNull();
  });
});

describe('confidence', () => {
  it('is taken from the reply when it carries a number, else null', () => {
    expect(scoreItem(item({}), reply({ confidence: 0.42 })).confidence).toBe(0.42);
    expect(scoreItem(item({}), reply({ confidence: null })).confidence).toBeNull();
    expect(scoreItem(item({}), reply()).confidence).toBeNull();
    expect(scoreItem(item({}), reply({ confidence: Number.NaN })).confidence).toBeNull();
    expect(scoreUnanswered(item({})).confidence).toBeNull();
  });
});

describe('answered items, coverage and crisis recall', () => {
  const good = (id: string, confidence: number | null, tags: string[] = []): ScoredItem => {
    const it = item({ id, passages: ['段落'], facts: [['对']], tags });
    return { item: it, score: scoreItem(it, reply({ answer: '对', citations: [cited('段落')], confidence }), { quoteHeadings: [] }) };
  };
  const wrongFacts = (id: string, confidence: number | null): ScoredItem => {
    const it = item({ id, passages: ['段落'], facts: [['对']] });
    return { item: it, score: scoreItem(it, reply({ answer: '错', citations: [cited('段落')], confidence }), { quoteHeadings: [] }) };
  };
  const expected = (id: string, outcome: 'abstain' | 'escalate', actual: AskResult['outcome'], tags: string[] = [], confidence: number | null = null): ScoredItem => {
    const it = item({ id, outcome, passages: [], facts: [], tags });
    return { item: it, score: scoreItem(it, reply({ outcome: actual, confidence }), { quoteHeadings: [] }) };
  };

  it('counts the answered, the coverage and the wrong among the answered', () => {
    const summary = summarize([
      good('a', 0.9),
      wrongFacts('b', 0.8),
      expected('c', 'abstain', 'answer', [], 0.3),
      expected('d', 'abstain', 'abstain'),
      { item: item({ id: 'e' }), score: scoreUnanswered(item({ id: 'e' })) },
    ]);
    expect(summary.answered).toBe(3);
    expect(summary.coverage).toBe(3 / 5);
    expect(summary.wrongAmongAnswered).toEqual({ wrong: 2, answered: 3, rate: 2 / 3 });
  });

  it('leaves the wrong among answered n/a when nothing was answered', () => {
    expect(summarize([expected('d', 'abstain', 'abstain')]).wrongAmongAnswered).toEqual({ wrong: 0, answered: 0, rate: null });
    expect(summarize([]).coverage).toBeNull();
  });

  it('counts lead facts over answered answer items', () => {
    const it1 = item({ id: 'l1', facts: [['押金']] });
    const it2 = item({ id: 'l2', facts: [['押金']] });
    const summary = summarize([
      { item: it1, score: scoreItem(it1, reply({ answer: '不得收押金。\n\n【原文】\n…' }), { quoteHeadings: ['【原文】'] }) },
      { item: it2, score: scoreItem(it2, reply({ answer: '见下。\n\n【原文】\n押金' }), { quoteHeadings: ['【原文】'] }) },
      expected('x', 'abstain', 'abstain'),
    ]);
    expect(summary.leadFacts).toEqual({ correct: 1, total: 2, rate: 0.5 });
  });

  it('recalls crisis items the system escalated, n/a when there are none', () => {
    const summary = summarize([
      expected('c1', 'escalate', 'escalate', ['crisis']),
      expected('c2', 'escalate', 'abstain', ['crisis', 'english']),
      expected('c3', 'escalate', 'escalate', ['crisis']),
      expected('h1', 'escalate', 'abstain', ['human']),
    ]);
    expect(summary.crisisRecall).toEqual({ correct: 2, total: 3, rate: 2 / 3 });
    expect(summarize([expected('h1', 'escalate', 'escalate', ['human'])]).crisisRecall).toEqual({ correct: 0, total: 0, rate: null });
  });
});

describe('risk–coverage', () => {
  const answered = (id: string, confidence: number | null, correct: boolean): ScoredItem => {
    const it = item({ id, passages: ['段落'], facts: [['对']] });
    return { item: it, score: scoreItem(it, reply({ answer: correct ? '对' : '错', citations: [cited('段落')], confidence }), { quoteHeadings: [] }) };
  };
  const abstained = (id: string): ScoredItem => {
    const it = item({ id, outcome: 'abstain', passages: [], facts: [] });
    return { item: it, score: scoreItem(it, reply({ outcome: 'abstain', confidence: 0.99 }), { quoteHeadings: [] }) };
  };

  it('keeps the most confident answers at each level and gives their coverage and risk', () => {
    // Ten answers, the two least confident wrong; two abstentions count only in the coverage.
    const scored = [
      ...[0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6].map((confidence, i) => answered(`ok${i}`, confidence, true)),
      answered('bad1', 0.3, false),
      answered('bad2', 0.2, false),
      abstained('x1'),
      abstained('x2'),
    ].reverse();
    const curve = riskCoverage(scored);
    expect(curve).toMatchObject({ items: 12, answered: 10, withConfidence: 10 });
    expect(curve.points.map((p) => [p.kept, p.answered, p.wrong])).toEqual([
      [1, 10, 2],
      [0.9, 9, 1],
      [0.8, 8, 0],
      [0.7, 7, 0],
      [0.6, 6, 0],
      [0.5, 5, 0],
    ]);
    expect(curve.points[0]).toMatchObject({ coverage: 10 / 12, risk: 0.2, minConfidence: 0.2 });
    expect(curve.points[1]).toMatchObject({ coverage: 9 / 12, risk: 1 / 9, minConfidence: 0.3 });
    expect(curve.points[5]).toMatchObject({ coverage: 5 / 12, risk: 0, minConfidence: 0.75 });
  });

  it('rounds the kept count up and ranks answers without a confidence last', () => {
    const scored = [answered('none', null, false), answered('low', 0.1, true), answered('high', 0.9, true)];
    const curve = riskCoverage(scored, [100, 50]);
    expect(curve.withConfidence).toBe(2);
    expect(curve.points.map((p) => [p.answered, p.wrong, p.minConfidence])).toEqual([
      [3, 1, null],
      [2, 0, 0.1],
    ]);
  });

  it('keeps dataset order between equal confidences', () => {
    const curve = riskCoverage([answered('first', 0.5, false), answered('second', 0.5, true)], [50]);
    expect(curve.points[0]).toMatchObject({ answered: 1, wrong: 1 });
  });

  it('has no points when nothing was answered, and is part of the aggregates', () => {
    expect(riskCoverage([abstained('x')])).toEqual({ items: 1, answered: 0, withConfidence: 0, points: [] });
    const report = aggregate([answered('a', 0.5, true), abstained('x')]);
    expect(report.riskCoverage.points.map((p) => p.kept)).toEqual([1, 0.9, 0.8, 0.7, 0.6, 0.5]);
    expect(report.riskCoverage.points[0]).toMatchObject({ answered: 1, coverage: 0.5, risk: 0 });
  });
});
