import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough, Readable } from 'node:stream';
import { Assistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { createTestDatabase } from '../store/testing.ts';
import type { KnowledgeSnapshot } from '../knowledge/snapshot.ts';
import { answerLines, type AskLine } from './ask-lines.ts';

let assistant: Assistant;
let snapshot: KnowledgeSnapshot;

beforeAll(async () => {
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
  snapshot = await assistant.knowledge.snapshot();
});
afterAll(async () => assistant?.close());

/** Feeds `input` to answerLines over the real assistant and returns the raw output lines. */
async function run(input: string): Promise<{ lines: string[]; counts: { lines: number; errors: number } }> {
  const output = new PassThrough();
  let written = '';
  output.on('data', (chunk: Buffer) => (written += chunk.toString('utf8')));
  const counts = await answerLines(Readable.from([input]), output, (question) => assistant.ask(question));
  output.end();
  expect(written.endsWith('\n')).toBe(true);
  return { lines: written.slice(0, -1).split('\n'), counts };
}

function clauseTextOf(doc: string, locator: string): string[] {
  return snapshot.clauses.filter((clause) => clause.docId === doc && clause.locator === locator).map((clause) => clause.text);
}

/** Checks one successful line against the contract: exact keys, full clause texts, at most five retrieved. */
function expectContractShape(line: AskLine): void {
  expect(Object.keys(line).sort()).toEqual(['answer', 'citations', 'id', 'latency_ms', 'outcome', 'retrieved']);
  expect(['answer', 'abstain', 'escalate']).toContain(line.outcome);
  expect(typeof line.answer).toBe('string');
  expect(line.answer.length).toBeGreaterThan(0);
  expect(typeof line.latency_ms).toBe('number');
  expect(line.latency_ms).toBeGreaterThanOrEqual(0);
  expect(line.retrieved.length).toBeLessThanOrEqual(5);
  for (const citation of line.citations) {
    expect(Object.keys(citation).sort()).toEqual(['doc', 'locator', 'text', 'title']);
    expect(citation.title).toBe(snapshot.documents.get(citation.doc)?.title);
    expect(clauseTextOf(citation.doc, citation.locator)).toContain(citation.text);
  }
  for (const clause of line.retrieved) {
    expect(Object.keys(clause).sort()).toEqual(['doc', 'locator', 'text']);
    expect(clauseTextOf(clause.doc, clause.locator)).toContain(clause.text);
  }
}

describe('answerLines (zhiyin ask --jsonl) over the real knowledge base', () => {
  it('answers every question line with exactly one contract line, in input order, skipping blank lines', async () => {
    const questions = [
      { id: 'deposit', question: '实习单位能扣我身份证吗？' },
      { id: 'gaokao', question: '今年高考分数线多少' },
      { id: 'person', question: '转人工' },
      { id: 'crisis', question: '我不想活了' },
    ];
    const input = ['', JSON.stringify(questions[0]), '   ', JSON.stringify(questions[1]), '', JSON.stringify(questions[2]), JSON.stringify(questions[3]), ''].join(
      '\n',
    );
    const { lines, counts } = await run(input);

    expect(lines).toHaveLength(4);
    expect(counts).toEqual({ lines: 4, errors: 0 });
    const results = lines.map((line) => JSON.parse(line) as AskLine);
    expect(results.map((result) => result.id)).toEqual(['deposit', 'gaokao', 'person', 'crisis']);
    for (const result of results) expectContractShape(result);

    const [deposit, gaokao, person, crisis] = results as [AskLine, AskLine, AskLine, AskLine];
    expect(deposit.outcome).toBe('answer');
    expect(deposit.citations.length).toBeGreaterThan(0);
    expect(deposit.citations.map((citation) => citation.doc)).toContain('liaoning-zhongzhi-quality');
    expect(deposit.citations.some((citation) => citation.text.includes('居民身份证'))).toBe(true);
    expect(deposit.retrieved.length).toBeGreaterThan(0);

    expect(gaokao.outcome).toBe('abstain');
    expect(gaokao.citations).toEqual([]);

    expect(person.outcome).toBe('escalate');
    expect(person.citations).toEqual([]);

    expect(crisis.outcome).toBe('escalate');
    expect(crisis.answer).toMatch(/12355|110/u);
  });

  it('cites full clause texts, not the excerpt quoted in the answer', async () => {
    const { lines } = await run(`${JSON.stringify({ id: 1, question: '实习单位能扣我身份证吗？' })}\n`);
    const [line] = lines.map((raw) => JSON.parse(raw) as AskLine);
    expect(line!.id).toBe('1');
    const cited = line!.citations.find((citation) => citation.text.includes('居民身份证'))!;
    const clause = snapshot.clauses.find((candidate) => candidate.docId === cited.doc && candidate.text === cited.text)!;
    expect(clause.locator).toBe(cited.locator);
    // The clause goes on well beyond the sentence the answer leads with.
    expect(cited.text).toContain('不得要求学生提供担保');
    expect(cited.text).toContain('实习押金');
  });

  it('gives a line that is not JSON, or has no "question", an error line of its own and goes on', async () => {
    const input = [
      '{"id":"first","question":"实习单位能扣我身份证吗？"}',
      'this is not json',
      '{"id":"no-question","text":"实习押金"}',
      '{"id":"wrong-type","question":42}',
      'null',
      '{"id":"last","question":"转人工"}',
    ].join('\n');
    const { lines, counts } = await run(input);

    expect(lines).toHaveLength(6);
    expect(counts).toEqual({ lines: 6, errors: 4 });
    const results = lines.map((line) => JSON.parse(line) as AskLine);
    expect(results.map((result) => result.id)).toEqual(['first', null, 'no-question', 'wrong-type', null, 'last']);

    expectContractShape(results[0]!);
    expect(results[0]!.outcome).toBe('answer');
    for (const failed of results.slice(1, 5)) {
      expect(Object.keys(failed).sort()).toEqual(['answer', 'citations', 'error', 'id', 'latency_ms', 'outcome', 'retrieved']);
      expect(failed.error).toEqual(expect.any(String));
      expect(failed.citations).toEqual([]);
      expect(failed.retrieved).toEqual([]);
    }
    expect(results[1]!.error).toMatch(/line 2: not valid JSON/u);
    expect(results[2]!.error).toMatch(/line 3: needs a string "question"/u);
    expect(results[3]!.error).toMatch(/needs a string "question"/u);
    expect(results[4]!.error).toMatch(/needs a string "question"/u);
    expectContractShape(results[5]!);
    expect(results[5]!.outcome).toBe('escalate');
  });

  it('hands the session of a line to the ask function', async () => {
    const seen: [string, string | undefined][] = [];
    const output = new PassThrough();
    const input = ['{"id":"a","question":"实习押金","session":"s-1"}', '{"id":"b","question":"转人工","session":7}', '{"id":"c","question":"你好"}'].join('\n');
    await answerLines(Readable.from([input]), output, async (question, session) => {
      seen.push([question, session]);
      return assistant.ask(question);
    });
    expect(seen).toEqual([
      ['实习押金', 's-1'],
      ['转人工', '7'],
      ['你好', undefined],
    ]);
  });
});
