import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLexicon } from '../retrieval/lexicon.ts';
import { Tokenizer } from '../retrieval/tokenizer.ts';
import {
  defaultFeatureSettings,
  FeatureExtractor,
  loadMessageClassifier,
  MessageClassifier,
  messageLabels,
  normalizeMessage,
  parseModel,
  thresholdForRecall,
  trainClassifier,
} from './message-classifier.ts';
import type { LabelledMessage, MessageClassifierModel, MessageLabel } from './message-classifier.ts';

const tokenizer = new Tokenizer(loadLexicon());
const extractor = new FeatureExtractor(undefined, tokenizer);

/** A toy set in which crisis and its look-alikes (死记硬背, 笑死, 跳槽) share characters. */
function toySet(): LabelledMessage[] {
  const variants = (label: MessageLabel, texts: string[]): LabelledMessage[] =>
    texts.flatMap((text) => ['', '唉，', '请问'].map((prefix) => ({ text: `${prefix}${text}`, label })));
  return [
    ...variants('crisis', ['我不想活了', '我想死', '活着没意思', '真的撑不下去了', '我想结束自己的生命', '想死的心都有']),
    ...variants('person', ['转人工', '我要找老师', '帮我联系辅导员', '找个真人']),
    ...variants('complaint', ['我要投诉学校', '实习单位太坑人了', '我要举报这个公司']),
    ...variants('policy', ['死记硬背的考试政策', '跳槽要付违约金吗', '药学专业实习补贴', '顶岗实习能扣身份证吗', '人工智能专业就业政策']),
    ...variants('out_of_scope', ['今天天气怎么样', '推荐一部电影', '帮我写代码']),
    ...variants('chitchat', ['笑死我了', '你好呀', '谢谢你', '哈哈哈']),
    ...variants('menu_reply', ['1', '2', '第一个', '选第二个']),
  ];
}

const train = (examples = toySet(), seed = 1): MessageClassifierModel =>
  trainClassifier(examples, { tokenizer, seed, epochs: 15, classWeights: { crisis: 3 } });

describe('normalizeMessage', () => {
  it('folds traditional characters to simplified', () => {
    expect(normalizeMessage('我覺得壓力很大，轉人工')).toBe('我觉得压力很大,转人工');
    expect(normalizeMessage('實習單位')).toBe('实习单位');
  });

  it('folds full-width forms, lower-cases, and joins spaced-out Han characters', () => {
    expect(normalizeMessage('ＫＴＶ　ＯＫ')).toBe('ktv ok');
    expect(normalizeMessage('转 人 工')).toBe('转人工');
    expect(normalizeMessage('  I  want\tHELP ')).toBe('i want help');
  });
});

describe('FeatureExtractor', () => {
  it('reads traditional and simplified text as the same features', () => {
    expect(extractor.features('我不想活了，覺得撐不下去')).toEqual(extractor.features('我不想活了，觉得撑不下去'));
  });

  it('gives Han character 1- to 3-grams within runs, never across punctuation or longer', () => {
    const features = extractor.features('压力大，想死');
    expect(features).toEqual(expect.arrayContaining(['h:压', 'h:压力', 'h:压力大', 'h:想死', 'h:死']));
    expect(features).not.toContain('h:大想');
    expect(features.some((feature) => /^h:.{4,}$/u.test(feature))).toBe(false);
  });

  it('adds jieba words, so that 死记硬背 is a word of its own', () => {
    expect(extractor.features('死记硬背有用吗')).toContain('j:死记硬背');
    expect(extractor.features('人工智能专业')).toContain('j:人工智能');
  });

  it('gives Latin words and their 3- to 5-character n-grams with edge marks', () => {
    const features = extractor.features('Help me');
    expect(features).toEqual(expect.arrayContaining(['w:help', 'w:me', 'l:<he', 'l:hel', 'l:elp>', 'l:<help', 'l:<me', 'l:me>']));
    // The whole marked word is the word feature already.
    expect(features).not.toContain('l:<help>');
    expect(features).not.toContain('l:<me>');
  });

  it('bridges one filler character with skip-bigrams when asked', () => {
    const withSkips = new FeatureExtractor({ ...defaultFeatureSettings, skipBigrams: true }, tokenizer);
    expect(withSkips.features('想去死')).toContain('s:想_死');
    expect(extractor.features('想去死')).not.toContain('s:想_死');
  });

  it('values each feature 1/√n by default, or 1 when binary', () => {
    expect(extractor.valueFor(4)).toBe(0.5);
    expect(new FeatureExtractor({ ...defaultFeatureSettings, scaling: 'binary' }, tokenizer).valueFor(4)).toBe(1);
    expect(extractor.valueFor(0)).toBe(0);
  });

  it('marks short messages whole and their shape, once each', () => {
    const features = extractor.features('２');
    expect(features).toEqual(expect.arrayContaining(['n:2', 'm:2', 'shape:digits', 'len:1']));
    expect(new Set(extractor.features('哈哈哈哈')).size).toBe(extractor.features('哈哈哈哈').length);
  });
});

describe('trainClassifier', () => {
  const model = train();
  const classifier = MessageClassifier.fromJSON(model, { tokenizer });

  it('separates the toy set, look-alikes included', () => {
    expect(classifier.classify('我真的不想活了').label).toBe('crisis');
    expect(classifier.classify('唉，我想死').label).toBe('crisis');
    expect(classifier.classify('死记硬背的考试政策').label).toBe('policy');
    expect(classifier.classify('转人工').label).toBe('person');
    expect(classifier.classify('我要投诉学校').label).toBe('complaint');
    expect(classifier.classify('笑死我了').label).toBe('chitchat');
    expect(classifier.classify('2').label).toBe('menu_reply');
    expect(classifier.classify('今天天气怎么样').label).toBe('out_of_scope');
  });

  it('recognises traditional spelling of what it learned in simplified', () => {
    // Every character of these differs between the two spellings.
    expect(classifier.classify('聯繫輔導員').label).toBe('person');
    expect(classifier.classify('實習單位太坑人').label).toBe('complaint');
  });

  it('gives probabilities over all seven labels that sum to 1', () => {
    const { probabilities } = classifier.classify('实习补贴');
    expect(Object.keys(probabilities).sort()).toEqual([...messageLabels].sort());
    expect(Object.values(probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('is deterministic: the same data and seed give the same model, another seed another', () => {
    expect(train()).toEqual(model);
    expect(train(toySet(), 2).weights).not.toEqual(model.weights);
  });

  it('keeps only features seen in at least two messages, rounded to 4 decimals', () => {
    const once = trainClassifier([...toySet(), { text: '独一无二', label: 'chitchat' }], { tokenizer });
    expect(Object.keys(once.weights)).not.toContain('h:独一无');
    expect(Object.keys(once.weights)).toContain('h:想死');
    for (const row of Object.values(model.weights)) for (const w of row) expect(Math.round(w * 10_000) / 10_000).toBe(w);
  });

  it('can train on features seen once and still save only those seen twice', () => {
    const examples = [...toySet(), { text: '独一无二', label: 'chitchat' as const }];
    expect(Object.keys(trainClassifier(examples, { tokenizer, minCount: 1 }).weights)).toContain('h:独一无');
    expect(Object.keys(trainClassifier(examples, { tokenizer, minCount: 1, saveMinCount: 2 }).weights)).not.toContain('h:独一无');
  });

  it('records what it was trained on', () => {
    expect(model.labels).toEqual([...messageLabels]);
    expect(model.training).toMatchObject({ examples: toySet().length, perLabel: { crisis: 18, menu_reply: 12 } });
  });

  it('weights crisis up when told: a higher crisis weight raises crisis probability on an ambiguous message', () => {
    const plain = MessageClassifier.fromJSON(trainClassifier(toySet(), { tokenizer }), { tokenizer });
    const weighted = MessageClassifier.fromJSON(trainClassifier(toySet(), { tokenizer, classWeights: { crisis: 6 } }), { tokenizer });
    const text = '撑不下去的实习';
    expect(weighted.classify(text).probabilities.crisis).toBeGreaterThan(plain.classify(text).probabilities.crisis);
  });
});

describe('model JSON', () => {
  const model = train();

  it('round-trips through JSON text to the same classifications', () => {
    const direct = MessageClassifier.fromJSON(model, { tokenizer });
    const reread = MessageClassifier.fromJSON(JSON.stringify(model), { tokenizer });
    for (const text of ['我不想活了', '实习补贴多少', '1', 'hello']) expect(reread.classify(text)).toEqual(direct.classify(text));
    expect(reread.toJSON()).toEqual(model);
  });

  it('rejects a model whose weights do not fit its labels, or with unknown labels', () => {
    expect(() => parseModel({ ...model, bias: [0, 1] })).toThrow(/bias/u);
    expect(() => parseModel({ ...model, weights: { 'h:死': [1] } })).toThrow(/h:死/u);
    expect(() => parseModel({ ...model, labels: [...model.labels.slice(0, -1), 'spam'] })).toThrow(/spam/u);
    expect(() => parseModel({ ...model, format: 'other' })).toThrow();
    const width = model.labels.length;
    expect(() => parseModel({ ...model, weights: { 'h:死': [...Array(width - 1).fill(0), 'x'] } })).toThrow(/h:死.*not a number/u);
    expect(() => parseModel({ ...model, weights: { 'h:死': 'x' } })).toThrow(/h:死/u);
    expect(() => parseModel({ ...model, weights: [[0]] })).toThrow(/weights/u);
  });
});

describe('crisis threshold', () => {
  /** By hand: 累 pulls to policy (weight 2) and a little to crisis (weight 1.2). */
  const handMade = (crisisThreshold: number, row = [4, 0, 0, 6, 0, 0, 0]): MessageClassifier =>
    MessageClassifier.fromJSON(
      {
        format: 'zhiyin-message-classifier',
        version: 1,
        labels: [...messageLabels],
        features: { hanNgrams: [1, 1], latinNgrams: [3, 5], jiebaWords: false, wholeMessageMax: 0, scaling: 'unit' },
        crisisThreshold,
        bias: [0, 0, 0, 0, 0, 0, 0],
        weights: { 'h:累': row },
      },
      { tokenizer },
    );

  it('routes to crisis when the crisis probability reaches the threshold although policy wins', () => {
    // features: h:累, len:1 → scale 1/√2
    const low = handMade(0.1).classify('累');
    expect(low.label).toBe('policy');
    expect(low.probabilities.crisis).toBeGreaterThan(0.1);
    expect(low.probabilities.crisis).toBeLessThan(0.5);
    expect(low.crisis).toBe(true);
    expect(handMade(0.45).classify('累').crisis).toBe(false);
  });

  it('always counts crisis as crisis when it is the most probable label', () => {
    const classifier = handMade(0.99, [6, 0, 0, 4, 0, 0, 0]);
    expect(classifier.crisisThreshold).toBe(0.99);
    const result = classifier.classify('累');
    expect(result.label).toBe('crisis');
    expect(result.probabilities.crisis).toBeLessThan(0.99);
    expect(result.crisis).toBe(true);
  });

  it('thresholdForRecall picks the highest threshold that keeps the recall', () => {
    expect(thresholdForRecall([0.9, 0.4, 0.2, Infinity], 0.75)).toBe(0.4);
    expect(thresholdForRecall([0.9, 0.4, 0.2, Infinity], 1)).toBe(0.2);
    const hundred = Array.from({ length: 100 }, (_, i) => (i + 1) / 1000);
    expect(thresholdForRecall(hundred, 0.99)).toBe(0.002);
    expect(thresholdForRecall([Infinity, Infinity], 0.99)).toBe(0.5);
    expect(thresholdForRecall([], 0.99)).toBe(0.5);
  });
});

describe('loadMessageClassifier', () => {
  it('returns null when there is no model file, so the router keeps to its phrases', () => {
    expect(loadMessageClassifier(path.join(mkdtempSync(path.join(tmpdir(), 'zhiyin-router-')), 'model.json'))).toBeNull();
  });

  it('reads a model file once and gives the same classifier after', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'zhiyin-router-')), 'model.json');
    writeFileSync(file, JSON.stringify(train()));
    const first = loadMessageClassifier(file);
    expect(first?.classify('我想死').label).toBe('crisis');
    writeFileSync(file, 'changed');
    expect(loadMessageClassifier(file)).toBe(first);
  });

  it('throws on a model file that is there but malformed', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'zhiyin-router-')), 'model.json');
    writeFileSync(file, JSON.stringify({ format: 'zhiyin-message-classifier', version: 1 }));
    expect(() => loadMessageClassifier(file)).toThrow();
  });
});
