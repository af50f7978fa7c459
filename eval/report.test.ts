import { describe, expect, it } from 'vitest';
import type { AskResult } from '../src/answering/types.ts';
import { evalItemSchema } from './dataset.ts';
import { displayWidth, formatReport, toJson, truncate } from './report.ts';
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
});

describe('text width', () => {
  it('counts CJK characters as two columns and cuts on column width', () => {
    expect(displayWidth('ab中文')).toBe(6);
    expect(truncate('中文中文中文', 7)).toBe('中文中…');
    expect(truncate('short\nline', 40)).toBe('short line');
  });
});
