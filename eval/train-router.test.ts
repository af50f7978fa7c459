import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LabelledMessage, MessageLabel } from '../src/answering/message-classifier.ts';
import { loadLexicon } from '../src/retrieval/lexicon.ts';
import { Tokenizer } from '../src/retrieval/tokenizer.ts';
import { dataFingerprint, splitHeldOut } from './router-report.ts';
import { chooseCrisisThreshold, defaultTrainOptions, modelText, outOfFoldCrisisScores, trainRouter, withSentences } from './train-router.ts';

const tokenizer = new Tokenizer(loadLexicon());

const variants = (label: MessageLabel, texts: string[]): LabelledMessage[] =>
  texts.flatMap((text) => ['', '唉，', '请问', '老师，'].flatMap((prefix) => ['', '。', '啊'].map((suffix) => ({ text: `${prefix}${text}${suffix}`, label }))));

const examples: LabelledMessage[] = [
  ...variants('crisis', ['我不想活了', '我想死', '活着没意思', '撑不下去了']),
  ...variants('person', ['转人工', '我要找老师']),
  ...variants('policy', ['死记硬背的考试政策', '跳槽要付违约金吗', '药学专业实习补贴']),
  ...variants('chitchat', ['笑死我了', '你好呀']),
];

function dataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'zhiyin-train-router-'));
  writeFileSync(path.join(dir, 'messages-fixture.jsonl'), examples.map((example) => JSON.stringify(example)).join('\n'));
  return dir;
}

describe('withSentences', () => {
  it("adds the sentences of ordinary messages with their message's label, never a crisis message's", () => {
    const added = withSentences([
      { text: '我已经交了 还要交什么', label: 'policy' },
      { text: '投了一百份简历，我真的撑不住了', label: 'crisis' },
      { text: '还要交什么', label: 'policy' },
    ]).slice(3);
    expect(added.map(({ text, label }) => ({ text, label }))).toEqual([{ text: '我已经交了', label: 'policy' }]);
  });
});

describe('chooseCrisisThreshold', () => {
  const steps = (count: number, from: number, step: number): number[] => Array.from({ length: count }, (_, i) => from + i * step);

  it('takes the 99 % point of the cross-validated and held-out crisis scores pooled', () => {
    // 300 scores: 3 may be missed, so the fourth lowest is the threshold; the held-out part alone would allow 0.31
    const crossValidated = [0.02, 0.03, 0.04, ...steps(197, 0.6, 0.001)];
    const heldOut = [0.3, 0.31, ...steps(98, 0.7, 0.001)];
    expect(chooseCrisisThreshold(crossValidated, heldOut)).toEqual({ threshold: 0.3, pooled: 0.3, heldOut: 0.31, crossValidated: 0.04 });
  });

  it('never lets the held-out crisis recall fall below the target, whatever the pool allows', () => {
    const crossValidated = steps(900, 0.5, 0);
    const heldOut = [0.05, 0.06, ...steps(98, 0.9, 0.001)];
    const choice = chooseCrisisThreshold(crossValidated, heldOut);
    expect(choice.pooled).toBe(0.5);
    expect(choice.heldOut).toBe(0.06);
    expect(choice.threshold).toBe(0.06);
    expect(heldOut.filter((score) => score >= choice.threshold).length / heldOut.length).toBeGreaterThanOrEqual(0.99);
  });

  it('rounds down, so that rounding never costs recall', () => {
    expect(chooseCrisisThreshold([0.123456], [0.123456], 1).threshold).toBe(0.1234);
  });
});

describe('trainRouter', () => {
  const options = { ...defaultTrainOptions, tokenizer, epochs: 6 };
  const trained = trainRouter(options, dataDir());

  it('trains on the training part only and records which it was', () => {
    const { train, heldOut } = splitHeldOut(examples);
    expect(trained.model.training).toMatchObject({ examples: train.length, heldOutExamples: heldOut.length, dataFingerprint: dataFingerprint(train) });
    expect(trained.model.training!['sentenceExamples']).toBe(withSentences(train).length - train.length);
    expect(trained.heldOut.items).toBe(heldOut.length);
  });

  it('stores the chosen crisis threshold, where it came from, and the held-out numbers in the model', () => {
    expect(trained.model.crisisThreshold).toBeGreaterThan(0);
    expect(trained.model.crisisThreshold).toBeLessThanOrEqual(0.5);
    expect(trained.model.crisisThreshold).toBe(trained.threshold.threshold);
    expect(trained.model.crisisThreshold).toBeLessThanOrEqual(trained.threshold.heldOut);
    expect(trained.model.training!['crisisThresholdParts']).toEqual({ crossValidated: trained.threshold.crossValidated, heldOut: trained.threshold.heldOut, pooled: trained.threshold.pooled });
    expect(trained.model.heldOut).toMatchObject({ items: trained.heldOut.items, crisisRecall: 1, labels: trained.heldOut.labels });
  });

  it('gets each training crisis message a score from a model that did not see it', () => {
    const { train } = splitHeldOut(examples);
    const scores = outOfFoldCrisisScores(train, options);
    expect(scores).toHaveLength(train.filter((example) => example.label === 'crisis').length);
  });

  it('writes the model as JSON that reads back the same, one feature a line', () => {
    const text = modelText(trained.model);
    expect(JSON.parse(text)).toEqual(trained.model);
    expect(text.split('\n').length).toBeGreaterThan(Object.keys(trained.model.weights).length);
  });
});
