import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MessageClassifier, messageLabels, trainClassifier } from '../src/answering/message-classifier.ts';
import type { LabelledMessage, MessageLabel } from '../src/answering/message-classifier.ts';
import { loadLexicon } from '../src/retrieval/lexicon.ts';
import { Tokenizer } from '../src/retrieval/tokenizer.ts';
import {
  crossValidationFolds,
  dataFingerprint,
  formatRouterHeldOut,
  loadRouterMessages,
  routerHeldOut,
  scoreHeldOut,
  splitHeldOut,
} from './router-report.ts';

const tokenizer = new Tokenizer(loadLexicon());

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'zhiyin-router-data-'));
}

const jsonl = (rows: unknown[]): string => `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;

/** `count` distinct messages per label. */
function numbered(label: MessageLabel, count: number, stem: string): LabelledMessage[] {
  return Array.from({ length: count }, (_, i) => ({ text: `${stem}${i}号`, label }));
}

describe('loadRouterMessages', () => {
  it('reads every messages-*.jsonl, drops repeats (spellings folded), texts with two labels and bad lines', () => {
    const dir = tempDir();
    writeFileSync(
      path.join(dir, 'messages-safety.jsonl'),
      jsonl([
        { text: '我不想活了', label: 'crisis' },
        { text: '我不想活了', label: 'crisis' },
        { text: '轉人工', label: 'person' },
        { text: '笑死', label: 'crisis' },
      ]) + '{"text": "cut off\n',
    );
    writeFileSync(
      path.join(dir, 'messages-everyday.jsonl'),
      jsonl([
        { text: '转人工', label: 'person' },
        { text: '笑死', label: 'chitchat' },
        { text: '实习补贴', label: 'policy' },
        { text: '你好', label: 'greeting' },
        { label: 'policy' },
      ]),
    );
    writeFileSync(path.join(dir, 'other.jsonl'), jsonl([{ text: '不读这个', label: 'policy' }]));
    const data = loadRouterMessages(dir);
    expect(data.files).toEqual(['messages-everyday.jsonl', 'messages-safety.jsonl']);
    expect(data.examples.map((example) => [example.text, example.label])).toEqual([
      ['转人工', 'person'],
      ['实习补贴', 'policy'],
      ['我不想活了', 'crisis'],
    ]);
    expect(data.duplicates).toBe(2);
    expect(data.conflicts).toEqual([{ text: '笑死', labels: ['chitchat', 'crisis'] }]);
    expect(data.rejected).toHaveLength(3);
    expect(data.rejected.join('\n')).toMatch(/greeting/u);
  });

  it('reads an absent directory as no data', () => {
    expect(loadRouterMessages(path.join(tempDir(), 'missing')).examples).toEqual([]);
  });
});

describe('splitHeldOut', () => {
  const examples = [...numbered('crisis', 50, '危机'), ...numbered('policy', 200, '政策'), ...numbered('menu_reply', 10, '菜单')];

  it('holds out 20 % of each label, apart from the training part', () => {
    const { train, heldOut } = splitHeldOut(examples);
    const count = (list: LabelledMessage[], label: MessageLabel): number => list.filter((example) => example.label === label).length;
    expect([count(heldOut, 'crisis'), count(heldOut, 'policy'), count(heldOut, 'menu_reply')]).toEqual([10, 40, 2]);
    expect(train.length + heldOut.length).toBe(examples.length);
    const held = new Set(heldOut.map((example) => example.text));
    expect(train.some((example) => held.has(example.text))).toBe(false);
  });

  it('does not depend on the order of the files', () => {
    const reversed = splitHeldOut([...examples].reverse());
    const texts = (list: LabelledMessage[]): string[] => list.map((example) => example.text).sort();
    expect(texts(reversed.heldOut)).toEqual(texts(splitHeldOut(examples).heldOut));
  });

  it('keeps a message on its side when other messages are added', () => {
    const before = new Set(splitHeldOut(examples).heldOut.map((example) => example.text));
    const after = splitHeldOut([...examples, ...numbered('policy', 5, '新增')]).heldOut.map((example) => example.text);
    const kept = after.filter((text) => before.has(text)).length;
    // Only the places the new messages take can move out.
    expect(kept).toBeGreaterThanOrEqual(before.size - 5);
  });
});

describe('crossValidationFolds', () => {
  it('splits into disjoint folds that cover everything, each label spread evenly', () => {
    const examples = [...numbered('crisis', 10, '危机'), ...numbered('policy', 25, '政策')];
    const folds = crossValidationFolds(examples, 5);
    expect(folds.flat().map((example) => example.text).sort()).toEqual(examples.map((example) => example.text).sort());
    for (const fold of folds) expect(fold.filter((example) => example.label === 'crisis')).toHaveLength(2);
    for (const fold of folds) expect(fold.filter((example) => example.label === 'policy')).toHaveLength(5);
  });
});

/** A hand-made classifier: 死 is crisis, 笑 chitchat, 策 policy. */
function handMade(crisisThreshold = 0.5): MessageClassifier {
  const row = (label: MessageLabel, weight: number): number[] => messageLabels.map((each) => (each === label ? weight : 0));
  return MessageClassifier.fromJSON(
    {
      format: 'zhiyin-message-classifier',
      version: 1,
      labels: [...messageLabels],
      features: { hanNgrams: [1, 1], latinNgrams: [3, 5], jiebaWords: false, wholeMessageMax: 0, scaling: 'unit' },
      crisisThreshold,
      bias: [0, 0, 0, 0, 0, 0, 0],
      weights: { 'h:死': row('crisis', 10), 'h:笑': row('chitchat', 14), 'h:策': row('policy', 10) },
    },
    { tokenizer },
  );
}

describe('scoreHeldOut', () => {
  const heldOut: LabelledMessage[] = [
    { text: '死', label: 'crisis' },
    { text: '死', label: 'crisis' },
    { text: '策', label: 'crisis' },
    { text: '笑死', label: 'chitchat' },
    { text: '策', label: 'policy' },
  ];

  it('counts expected × routed, recall, precision and crisis recall', () => {
    const result = scoreHeldOut(handMade(), heldOut);
    const at = (label: MessageLabel): number => messageLabels.indexOf(label);
    expect(result.matrix[at('crisis')]![at('crisis')]).toBe(2);
    expect(result.matrix[at('crisis')]![at('policy')]).toBe(1);
    expect(result.matrix[at('chitchat')]![at('chitchat')]).toBe(1);
    expect(result.crisisRecall).toBeCloseTo(2 / 3);
    expect(result.recall.policy).toBe(1);
    expect(result.precision.policy).toBe(0.5);
    expect(result.recall.person).toBeNull();
    expect(result.missedCrisis.map((item) => item.text)).toEqual(['策']);
    expect(result.lookalikes).toEqual({ total: 1, falseCrisis: 0 });
  });

  it('counts the router\'s own crisis patterns on top, and hard negatives from the safety file', () => {
    const items: LabelledMessage[] = [
      { text: '策略：我想自杀', label: 'crisis' },
      { text: '笑死', label: 'chitchat', source: 'messages-safety.jsonl' },
      { text: '笑', label: 'chitchat', source: 'messages-everyday.jsonl' },
    ];
    const result = scoreHeldOut(handMade(), items);
    expect(result.crisisRecall).toBe(0);
    expect(result.withOverrides.crisisRecall).toBe(1);
    expect(result.hardNegatives).toEqual({ total: 1, falseCrisis: 0 });
    expect(scoreHeldOut(handMade(0.01), items).hardNegatives).toEqual({ total: 1, falseCrisis: 1 });
    expect(result.thresholds.map((row) => row.threshold)).toContain(0.5);
  });

  it('applies the crisis threshold: a low one turns 笑死 into a (false) crisis', () => {
    const result = scoreHeldOut(handMade(0.01), heldOut);
    expect(result.falseCrisis.map((item) => item.text)).toEqual(['笑死']);
    expect(result.lookalikes).toEqual({ total: 1, falseCrisis: 1 });
    expect(result.crisisRecallArgmax).toBeCloseTo(2 / 3);
    expect(formatRouterHeldOut(result)).toMatch(/CRISIS RECALL 66\.7% at threshold 0\.0100/u);
  });
});

describe('routerHeldOut', () => {
  const examples = [
    ...['我不想活了', '我想死', '活着没意思', '撑不下去了', '想结束生命'].flatMap((text) => [text, `唉${text}`, `${text}啊`]).map((text) => ({ text, label: 'crisis' as const })),
    ...['实习补贴', '三方协议', '顶岗实习', '药学专业', '跳槽违约金'].flatMap((text) => [text, `请问${text}`, `${text}呢`]).map((text) => ({ text, label: 'policy' as const })),
  ];

  function fixture(): { dir: string; modelFile: string } {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'messages-test.jsonl'), jsonl(examples));
    const { train } = splitHeldOut(examples);
    const model = trainClassifier(train, { tokenizer });
    model.training = { ...model.training, dataFingerprint: dataFingerprint(train) };
    const modelFile = path.join(dir, 'model.json');
    writeFileSync(modelFile, JSON.stringify(model));
    return { dir, modelFile };
  }

  it('is null without a model or without data', () => {
    const { dir, modelFile } = fixture();
    expect(routerHeldOut({ modelFile: path.join(dir, 'none.json'), dataDir: dir })).toBeNull();
    expect(routerHeldOut({ modelFile, dataDir: tempDir() })).toBeNull();
  });

  it('re-classifies the held-out part with the model file', () => {
    const { dir, modelFile } = fixture();
    const result = routerHeldOut({ modelFile, dataDir: dir })!;
    expect(result.labels).toEqual([...messageLabels]);
    expect(result.items).toBe(splitHeldOut(examples).heldOut.length);
    expect(result.matrix.flat().reduce((a, b) => a + b, 0)).toBe(result.items);
    expect(result.crisisRecall).not.toBeNull();
    expect(result.stale).toBe(false);
  });

  it('says when the data changed since the model was trained', () => {
    const { dir, modelFile } = fixture();
    writeFileSync(path.join(dir, 'messages-more.jsonl'), jsonl(numbered('chitchat', 10, '哈哈')));
    expect(routerHeldOut({ modelFile, dataDir: dir })!.stale).toBe(true);
  });
});
