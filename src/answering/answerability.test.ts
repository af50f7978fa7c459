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
  coverageMargin,
  type AnswerabilityModelJson,
  type AnswerFeatures,
} from './answerability.ts';
import type { RankedClause } from '../retrieval/hybrid-search.ts';

/** A ranked clause with only what the margins read: its clause's place and its scores. */
const ranked = (ordinal: number, score: number, coverage: number, part = 0, parts = 1): RankedClause =>
  ({ clause: { id: `doc#${ordinal}`, docId: 'doc', ordinal, part, parts }, score, coverage }) as unknown as RankedClause;

/** A model that judges every answer 50 % likely right, with the operating points given. */
const flatModel = (answerAt: number, clarifyAt: number): AnswerabilityModel =>
  new AnswerabilityModel({ features: featureNames, weights: featureNames.map(() => 0), bias: 0, answerAt, clarifyAt });

describe('the margin of coverage over the other clauses found', () => {
  it('does not count another part of the same clause as a rival', () => {
    const best = ranked(4, 1.0, 0.8, 1, 2);
    const sibling = ranked(5, 0.99, 0.8, 2, 2);
    const other = ranked(9, 0.5, 0.3);
    expect(coverageMargin(best, [best, sibling, other])).toBeCloseTo(0.5, 6);
  });

  it('is no margin when another clause holds as much of the question (a tie)', () => {
    const results = [ranked(1, 1.0, 0.6), ranked(2, 0.9, 0.6)];
    expect(coverageMargin(results[0]!, results)).toBe(0);
    expect(coverageMargin(results[0]!, [results[0]!])).toBeCloseTo(0.6, 6);
  });
});

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

  it('is not used when it weighs a feature this code does not compute', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zhiyin-answerability-'));
    const file = path.join(dir, 'model.json');
    const stale: AnswerabilityModelJson = { features: ['coverage', 'retiredFeature'], weights: [1, 1], bias: 0, answerAt: 0.5, clarifyAt: 0.2 };
    await writeFile(file, JSON.stringify(stale));
    expect(loadAnswerabilityModel(file)).toBeNull();
    expect(loadAnswerabilityModel(path.join(dir, 'missing.json'))).toBeNull();
  });

  it('weighs the features it names, in its own order, and no others', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'zhiyin-answerability-'));
    const file = path.join(dir, 'model.json');
    const subset: AnswerabilityModelJson = { features: ['leadCoverage', 'coverage'], weights: [2, 0], bias: -1, answerAt: 0.5, clarifyAt: 0.2 };
    await writeFile(file, JSON.stringify(subset));
    const model = loadAnswerabilityModel(file)!;
    const features = Object.fromEntries(featureNames.map((name) => [name, 1])) as AnswerFeatures;
    // sigmoid(-1 + 2·leadCoverage): coverage weighs 0 and every other feature is not in the model
    expect(model.probability({ ...features, leadCoverage: 0.5 })).toBeCloseTo(0.5, 6);
    expect(model.probability({ ...features, leadCoverage: 1, coverage: 0 })).toBeCloseTo(1 / (1 + Math.exp(-1)), 6);
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
