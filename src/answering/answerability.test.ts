import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Replies } from '../prompts.ts';
import { realCorpus } from '../testing/corpus-fixture.ts';
import { PolicyAnswerer } from './answer-question.ts';
import {
  AnswerabilityModel,
  answerabilityModelFile,
  featureNames,
  fitLogistic,
  loadAnswerabilityModel,
  type AnswerabilityModelJson,
} from './answerability.ts';

/** A model that judges every answer 50 % likely right, with the operating points given. */
const flatModel = (answerAt: number, clarifyAt: number): AnswerabilityModel =>
  new AnswerabilityModel({ features: featureNames, weights: featureNames.map(() => 0), bias: 0, answerAt, clarifyAt });

describe('fitLogistic', () => {
  it('learns which feature separates right answers from wrong ones', () => {
    const examples = Array.from({ length: 40 }, (_, index) => ({ x: [index % 2, 0.5], y: (index % 2) as 0 | 1 }));
    const { weights } = fitLogistic(examples);
    expect(weights[0]).toBeGreaterThan(1);
    expect(Math.abs(weights[1]!)).toBeLessThan(Math.abs(weights[0]!));
  });
});

describe('the answerability model', () => {
  it('decides answer, clarify or abstain at its operating points', () => {
    const model = flatModel(0.8, 0.3);
    expect(model.decide(0.9)).toBe('answer');
    expect(model.decide(0.5)).toBe('clarify');
    expect(model.decide(0.1)).toBe('abstain');
  });

  it('is not used when it was trained on other features', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zhiyin-answerability-'));
    const file = path.join(dir, 'model.json');
    const stale: AnswerabilityModelJson = { features: ['coverage'], weights: [1], bias: 0, answerAt: 0.5, clarifyAt: 0.2 };
    await writeFile(file, JSON.stringify(stale));
    expect(loadAnswerabilityModel(file)).toBeNull();
    expect(loadAnswerabilityModel(path.join(dir, 'missing.json'))).toBeNull();
  });

  it('ships a model trained on the features this code computes', () => {
    const model = loadAnswerabilityModel(answerabilityModelFile);
    expect(model).not.toBeNull();
    expect(model!.json.answerAt).toBeGreaterThan(model!.json.clarifyAt);
  });
});

describe('selective answering', () => {
  let corpus: Awaited<ReturnType<typeof realCorpus>>;
  beforeAll(async () => {
    corpus = await realCorpus();
  });

  it('asks back with numbered clauses when the model is unsure, and answers from the one picked', async () => {
    const answerer = new PolicyAnswerer(corpus.search, new Replies(), undefined, undefined, flatModel(0.9, 0.1));
    const question = '职业指导老师要参加培训吗';
    const result = await answerer.answer(question);
    expect(result.outcome).toBe('abstain');
    expect(result.clarify).toBe(true);
    expect(result.choices!.length).toBeGreaterThanOrEqual(2);
    expect(result.answer).toContain('1. 《');
    expect(result.answer).toContain('2. 《');
    expect(result.citations).toEqual([]);

    const second = result.choices![1]!;
    const picked = await answerer.answerFrom(question, second.clauseId);
    expect(picked?.outcome).toBe('answer');
    expect(picked?.citations[0]).toMatchObject({ doc: second.doc, locator: second.locator });
  });

  it('abstains and shows the closest clauses when the model judges the answer unlikely', async () => {
    const answerer = new PolicyAnswerer(corpus.search, new Replies(), undefined, undefined, flatModel(0.9, 0.8));
    const result = await answerer.answer('职业指导老师要参加培训吗');
    expect(result.outcome).toBe('abstain');
    expect(result.clarify).toBeUndefined();
    expect(result.answer).toContain('最接近的条款');
  });

  it('answers when the model is sure', async () => {
    const answerer = new PolicyAnswerer(corpus.search, new Replies(), undefined, undefined, flatModel(0.4, 0.1));
    const result = await answerer.answer('实习单位能扣我身份证吗？');
    expect(result.outcome).toBe('answer');
    expect(result.assessment?.decision).toBe('answer');
  });
});
