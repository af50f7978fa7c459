import { describe, expect, it } from 'vitest';
import type { AskResult } from '../src/answering/types.ts';
import { evalItemSchema } from './dataset.ts';
import type { EvalReply } from './metrics.ts';
import { displayWidth, formatReport, formatRun, formatSummaryTable, toJson, truncate } from './report.ts';
import { runEval } from './runner.ts';

const items = [
  { id: 'ok', question: '山东省要评多少门职业指导金课？', outcome: 'answer', passages: ['30门职业指导金课'], facts: [['30门', '三十门']], tags: ['doc:shandong'] },
  { id: 'bad', question: '实习单位可以通过中介公司来安排我们实习吗？这是一个很长很长的问题', outcome: 'answer', passages: ['不得通过中介机构'], facts: [['不得', '不能']], tags: ['doc:moe'] },
  { id: 'person', question: '我想跟真人老师聊聊', outcome: 'escalate' },
].map((fields) => evalItemSchema.parse(fields));

const replies: Record<string, AskResult> = {
  ok: {
    outcome: 'answer',
    answer: '共评选 30 门。',
    citations: [{ doc: 'shandong', title: 'T', locator: '二、11.', text: '评选30门职业指导金课' }],
    retrieved: [{ doc: 'shandong', locator: '二、11.', text: '评选30门职业指导金课', score: 1 }],
    latency_ms: 800,
  },
  bad: { outcome: 'abstain', answer: '无法回答', citations: [], retrieved: [], latency_ms: 200 },
  person: { outcome: 'escalate', answer: '已为你转人工', citations: [], retrieved: [], latency_ms: 50 },
};

const report = await runEval(items, async (question) => {
  const item = items.find((i) => i.question === question);
  return replies[item?.id ?? ''] as AskResult;
});

describe('formatReport', () => {
  const text = formatReport(report, 'core.jsonl');

  it('opens with the dataset, then counts and percentages for every metric', () => {
    expect(text).toMatch(/^== core\.jsonl \(3 items\) ==/);
    expect(text).toMatch(/fully correct\s+2\s+3\s+66\.7%/);
    expect(text).toMatch(/outcome accuracy\s+2\s+3\s+66\.7%/);
    expect(text).toMatch(/hit@1 \(answer items\)\s+1\s+2\s+50\.0%/);
    expect(text).toMatch(/hit@5 \(answer items\)\s+1\s+2\s+50\.0%/);
    expect(text).toMatch(/MRR \(answer items\)\s+0\.500\s+2/);
    expect(text).toMatch(/citation accuracy\s+1\s+2\s+50\.0%/);
    expect(text).toMatch(/fact accuracy\s+1\s+2\s+50\.0%/);
    expect(text).toMatch(/latency p50 \/ p95 ms\s+200\s+800/);
  });

  it('breaks the metrics down per outcome and per document', () => {
    expect(text).toMatch(/By outcome\n.*\nanswer\s+2\s+1\/2 50%/);
    expect(text).toMatch(/escalate\s+1\s+1\/1 100%\s+1\/1 100%\s+n\/a/);
    expect(text).toMatch(/By document\n.*\nmoe\s+1\s+0\/1 0%.*\nshandong\s+1\s+1\/1 100%/);
  });

  it('lists failed items with a cut question and what failed', () => {
    expect(text).toContain('Failed items (1 of 1 shown)');
    expect(text).toContain('  bad  实习单位可以通过中介公司来安排我们实习…');
    expect(text).toContain('- outcome: expected answer, got abstain');
    expect(text).toContain('- citation: no cited chunk contains a passage (cited nothing)');
    expect(text).toContain('- facts missing: 不得 | 不能');
    expect(text).not.toMatch(/^ {2}ok /m);
  });

  it('lists at most maxFailures items', () => {
    expect(formatReport(report, 'core.jsonl', { maxFailures: 0 })).toContain('Failed items (0 of 1 shown)');
  });
});

describe('toJson', () => {
  it('round-trips the whole report', () => {
    expect(JSON.parse(toJson(report))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('carries the new metrics overall, per item and the risk–coverage curve', () => {
    const json = JSON.parse(toJson(confident)) as Record<string, any>;
    expect(json.overall).toMatchObject({
      answered: 4,
      coverage: 4 / 6,
      wrongAmongAnswered: { wrong: 1, answered: 4, rate: 0.25 },
      leadFacts: { correct: 2, total: 3 },
      crisisRecall: { correct: 1, total: 2, rate: 0.5 },
    });
    expect(json.items[0]).toMatchObject({ id: 'c1', confidence: 0.9, leadFactsCorrect: true });
    expect(json.riskCoverage.points[0]).toMatchObject({ kept: 1, answered: 4, wrong: 1, risk: 0.25, minConfidence: 0.2 });
  });
});

// A second run whose replies carry a confidence, with crisis items and an answer that should not be one.
const confidentItems = [
  { id: 'c1', question: 'q1', outcome: 'answer', passages: ['押金'], facts: [['押金']] },
  { id: 'c2', question: 'q2', outcome: 'answer', passages: ['押金'], facts: [['押金']] },
  { id: 'c3', question: 'q3', outcome: 'answer', passages: ['押金'], facts: [['不得']] },
  { id: 'c4', question: 'q4 不该回答', outcome: 'abstain' },
  { id: 'k1', question: 'q5', outcome: 'escalate', tags: ['crisis'] },
  { id: 'k2', question: 'q6', outcome: 'escalate', tags: ['crisis'] },
].map((fields) => evalItemSchema.parse(fields));

const answerWith = (lead: string, confidence: number): EvalReply => ({
  outcome: 'answer',
  answer: `${lead}\n\n【原文】\n第十条：「不得收取押金。」`,
  citations: [{ doc: 'moe', title: 'T', locator: '第十条', text: '不得收取押金' }],
  retrieved: [],
  latency_ms: 10,
  confidence,
});

const confidentReplies: Record<string, EvalReply> = {
  q1: answerWith('学校不得收押金。', 0.9),
  q2: answerWith('押金不能收。', 0.8),
  q3: answerWith('见下面的条文。', 0.7),
  'q4 不该回答': answerWith('押金', 0.2),
  q5: { outcome: 'escalate', answer: '老师会联系你', citations: [], retrieved: [], latency_ms: 5 },
  q6: { outcome: 'abstain', answer: '无法回答', citations: [], retrieved: [], latency_ms: 5 },
};

const confident = await runEval(confidentItems, async (question) => confidentReplies[question] as EvalReply, { quoteHeadings: ['【原文】'] });

describe('the new metrics in the text report', () => {
  it('opens with a one-line summary table of the headline figures', () => {
    const lines = formatReport(report, 'core').split('\n');
    expect(lines[2]).toMatch(/^dataset\s+items\s+fully\s+outcome\s+hit@1\s+hit@5\s+citation\s+facts\s+lead facts\s+coverage\s+wrong\/answered\s+crisis recall\s+p50 ms\s+p95 ms$/);
    expect(lines[3]).toMatch(/^core\s+3\s+66\.7%\s+66\.7%\s+50\.0%\s+50\.0%\s+50\.0%\s+50\.0%\s+100\.0%\s+33\.3%\s+0\.0%\s+n\/a\s+200\s+800$/);
  });

  it('adds answered, wrong among answered, lead facts and crisis recall to the overall table', () => {
    const text = formatReport(confident, 'c');
    expect(text).toMatch(/lead facts \(answered answer items\)\s+2\s+3\s+66\.7%/);
    expect(text).toMatch(/answered \(coverage\)\s+4\s+6\s+66\.7%/);
    expect(text).toMatch(/wrong among answered\s+1\s+4\s+25\.0%/);
    expect(text).toMatch(/crisis recall \(crisis items escalated\)\s+1\s+2\s+50\.0%/);
    expect(formatReport(report, 'core')).toMatch(/crisis recall \(crisis items escalated\)\s+0\s+0\s+n\/a/);
  });

  it('prints the risk–coverage curve, most confident answers first', () => {
    const text = formatReport(confident, 'c');
    expect(text).toContain('Risk–coverage (answered items, most confident first)');
    expect(text).toMatch(/kept\s+answered\s+coverage\s+wrong\s+risk\s+min conf\n100%\s+4\s+66\.7%\s+1\s+25\.0%\s+0\.200\n90%\s+4\s+66\.7%\s+1\s+25\.0%\s+0\.200\n80%\s+4 /);
    expect(text).toMatch(/\n70%\s+3\s+50\.0%\s+0\s+0\.0%\s+0\.700\n60%\s+3 .*\n50%\s+2\s+33\.3%\s+0\s+0\.0%\s+0\.800/);
  });

  it('says when the replies carry no confidence', () => {
    expect(formatReport(report, 'core')).toContain('Risk–coverage (answered items, most confident first)\n  n/a: the replies carry no confidence');
  });

  it('lists the answers whose lead lacks a fact', () => {
    const text = formatReport(confident, 'c');
    expect(text).toContain('Facts not all in the lead (1 of 1 shown)\n  c3  q3');
  });

  it('prints one summary table for all datasets before their reports', () => {
    const text = formatRun([
      { name: 'core', report },
      { name: 'confident', report: confident },
    ]);
    expect(text.split('\n').slice(0, 3).join('\n')).toBe(
      formatSummaryTable([
        { name: 'core', report },
        { name: 'confident', report: confident },
      ]),
    );
    expect(text).toMatch(/^confident\s+6\s+66\.7%\s+66\.7%\s.*\s66\.7%\s+25\.0%\s+50\.0%\s+10\s+10$/m);
    expect(text.match(/^dataset\s+items/gm)).toHaveLength(1);
    expect(text).toContain('== core (3 items) ==');
    expect(text).toContain('== confident (6 items) ==');
  });
});

describe('text width', () => {
  it('counts CJK characters as two columns and cuts on column width', () => {
    expect(displayWidth('ab中文')).toBe(6);
    expect(truncate('中文中文中文', 7)).toBe('中文中…');
    expect(truncate('short\nline', 40)).toBe('short line');
  });
});
