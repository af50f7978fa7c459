import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AskResult } from '../src/answering/types.ts';
import { PolicyAnswerer } from '../src/answering/answer-question.ts';
import { loadConfig } from '../src/config.ts';
import { Replies } from '../src/prompts.ts';
import { repoRoot } from '../src/paths.ts';
import { realCorpus } from '../src/testing/corpus-fixture.ts';
import { fakeReplies, startFakeOpenAIServer } from '../src/generation/fake-openai-server.ts';
import { evalItemSchema } from './dataset.ts';
import { answerBody, faithfulnessScorer } from './faithfulness.ts';
import { evalConfig } from './llm.ts';
import { formatGenerationStats, formatReport } from './report.ts';
import { runEval } from './runner.ts';
import { datasetsDir } from './suite.ts';

const replies = new Replies();
const scorer = faithfulnessScorer(replies);
const citation = { doc: 'lasa', title: '高校毕业（含中职生）职业指导服务规范', locator: '8.5', text: '8.5 服务机构应在 5 个工作日内把投诉处理情况告知投诉人。' };
const reply = (answer: string, extra: Partial<AskResult> = {}): AskResult => ({
  outcome: 'answer',
  answer,
  citations: [citation],
  retrieved: [],
  latency_ms: 1,
  ...extra,
});

describe('faithfulness of one reply', () => {
  it('reads only the answer itself, not the quoted clauses, sources or caveats', () => {
    expect(answerBody('不可以[1]。\n\n【出处】\n[1] 《…》2018｜…\n\n【提示】\n· 未满16周岁', ['【出处】', '【提示】'])).toBe('不可以[1]。');
  });

  it('counts the sentences with claims and those the cited clauses back, [k] being the k-th citation', () => {
    expect(scorer(reply('服务机构应在五个工作日内告知你[1]。另外要在30天内复核[1]。别担心。\n\n【出处】\n[1] 《高校毕业（含中职生）职业指导服务规范》8.5'))).toEqual({
      claimSentences: 2,
      faithfulSentences: 1,
      unsupported: ['30'],
    });
  });

  it('is not measured for abstentions, escalations or answers that state nothing checkable', () => {
    expect(scorer(reply('这个问题我答不了。', { outcome: 'abstain', citations: [] }))).toBeNull();
    expect(scorer(reply('可以的[1]。'))).toBeNull();
  });

  it('is 1.0 for the extractive answers to the policy questions (every word of substance is the clause’s)', async () => {
    const { search, snapshot } = await realCorpus();
    const answerer = new PolicyAnswerer(search, replies);
    const withFacts = faithfulnessScorer(replies, (doc) => {
      const document = snapshot.documents.get(doc);
      return document && { issuer: document.issuer, region: document.region, date: [document.date, document.dateNote].filter(Boolean).join(' ') };
    });
    const { loadDataset } = await import('./dataset.ts');
    const items = await loadDataset(path.join(datasetsDir, 'policy.jsonl'));
    const report = await runEval(items, (question) => answerer.answer(question), { faithfulness: withFacts });
    expect(report.overall.faithfulness?.total).toBeGreaterThan(100);
    expect(report.overall.faithfulness?.rate).toBeGreaterThanOrEqual(0.98);
  });
});

describe('the report with faithfulness', () => {
  const items = [
    { id: 'ok', question: '投诉多久告知？', outcome: 'answer', passages: ['5 个工作日'], facts: [['5']], tags: ['doc:lasa'] },
    { id: 'made-up', question: '复核要多久？', outcome: 'answer', passages: ['5 个工作日'], facts: [['5']], tags: ['doc:lasa'] },
  ].map((fields) => evalItemSchema.parse(fields));
  const answers: Record<string, AskResult> = {
    '投诉多久告知？': reply('服务机构应在5个工作日内告知[1]。'),
    '复核要多久？': reply('服务机构应在5个工作日内告知，并在30天内复核[1]。'),
  };

  it('adds a faithfulness row, a column per group, and lists the unfaithful answers', async () => {
    const report = await runEval(items, async (question) => answers[question]!, { faithfulness: scorer });
    expect(report.overall.faithfulness).toEqual({ correct: 1, total: 2, rate: 0.5 });
    expect(report.items[1]!.faithfulness).toEqual({ claimSentences: 1, faithfulSentences: 0, unsupported: ['30'] });
    const text = formatReport(report, 'llm');
    expect(text).toMatch(/faithfulness \(claim sentences\)\s+1\s+2\s+50\.0%/u);
    expect(text).toMatch(/By document\n.*faithful\n/u);
    expect(text).toContain('Unfaithful answers (1 of 1 shown)\n  made-up  复核要多久？\n      - not in the cited clauses: 30');
  });

  it('leaves the report as it was without faithfulness', async () => {
    const report = await runEval(items, async (question) => answers[question]!);
    expect(report.overall.faithfulness).toBeUndefined();
    expect(formatReport(report, 'plain')).not.toMatch(/faithful/u);
  });

  it('formats the generation counts', () => {
    const text = formatGenerationStats({
      model: 'openai-compatible:fake',
      promptVersion: { zh: 1, en: 1 },
      generated: 6,
      regenerated: 2,
      fallback: { 'guard-rejected': 1, timeout: 1 },
      tokensToday: 1234,
    });
    expect(text).toContain('== generation (openai-compatible:fake, prompt zh v1 / en v1) ==');
    expect(text).toMatch(/generated \(first draft\)\s+6\s+60\.0%/u);
    expect(text).toMatch(/fell back to extractive\s+2\s+20\.0%/u);
    expect(text).toMatch(/ {2}guard-rejected\s+1\s+10\.0%/u);
    expect(text).toContain('tokens used today: 1234');
  });
});

describe('zhiyin eval --llm', () => {
  it('needs LLM_BASE_URL and LLM_MODEL, and without --llm measures the extractive answers', () => {
    expect(() => evalConfig(loadConfig({}), true)).toThrow(/eval --llm needs a model: set LLM_BASE_URL and LLM_MODEL/u);
    const configured = loadConfig({ LLM_BASE_URL: 'http://127.0.0.1:9/v1', LLM_MODEL: 'm', LLM_API_KEY: 'k' });
    expect(evalConfig(configured, true)).toBe(configured);
    expect(evalConfig(configured, false)).toMatchObject({ LLM_BASE_URL: undefined, LLM_MODEL: undefined, LLM_API_KEY: undefined });
  });

  it('runs end to end through the CLI against an OpenAI-compatible server, with faithfulness and generation counts', async () => {
    const fake = await startFakeOpenAIServer(fakeReplies.grounded);
    const dir = await mkdtemp(path.join(tmpdir(), 'zhiyin-eval-llm-'));
    try {
      const dataset = path.join(dir, 'mini.jsonl');
      await writeFile(
        dataset,
        [
          { id: 'm1', question: '服务机构多久要告知投诉处理情况', outcome: 'answer', passages: ['5 个工作日内把投诉处理情况告知投诉人'], facts: [['5 个工作日', '5个工作日']] },
          { id: 'm2', question: '转人工', outcome: 'escalate' },
        ]
          .map((line) => JSON.stringify(line))
          .join('\n'),
      );
      const run = (environment: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> =>
        new Promise((resolve) => {
          const child = spawn(process.execPath, [path.join(repoRoot, 'src/cli/zhiyin.js'), 'eval', '--llm', '--dataset', dataset], {
            env: { PATH: process.env.PATH ?? '', ZHIYIN_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent', ZHIYIN_FROM_SOURCE: '1', ...environment },
          });
          let stdout = '';
          let stderr = '';
          child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
          child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
          child.on('close', (code) => resolve({ code, stdout, stderr }));
        });

      const refused = await run({});
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^zhiyin: eval --llm needs a model/u);

      const { code, stdout } = await run({ LLM_BASE_URL: fake.url, LLM_API_KEY: 'test', LLM_MODEL: 'fake' });
      expect(code).toBe(0);
      expect(stdout).toMatch(/fully correct\s+2\s+2\s+100\.0%/u);
      expect(stdout).toMatch(/faithfulness \(claim sentences\)\s+1\s+1\s+100\.0%/u);
      expect(stdout).toMatch(/generated \(first draft\)\s+1\s+100\.0%/u);
      expect(fake.requests).toHaveLength(1); // 转人工 never reached the model
    } finally {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

