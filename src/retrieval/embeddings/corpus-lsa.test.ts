import { beforeAll, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { readDocumentDirectory, snapshotOf } from '../../knowledge/corpus.ts';
import type { Clause } from '../../knowledge/types.ts';
import { knowledgeDir } from '../../paths.ts';
import { loadLexicon } from '../lexicon.ts';
import { Tokenizer } from '../tokenizer.ts';
import { CorpusLsaEmbeddings } from './corpus-lsa.ts';

const tokenizer = new Tokenizer(loadLexicon());

const cosine = (x: number[], y: number[]): number => x.reduce((sum, value, index) => sum + value * y[index]!, 0);

describe('CorpusLsaEmbeddings on the real clauses', () => {
  let clauses: Clause[];
  let texts: string[];
  let lsa: CorpusLsaEmbeddings;
  const clause = (docId: string, locator: string, containing = ''): Clause =>
    clauses.find((candidate) => candidate.docId === docId && candidate.locator === locator && candidate.text.includes(containing))!;

  beforeAll(async () => {
    clauses = [...snapshotOf(await readDocumentDirectory(path.join(knowledgeDir, 'documents'))).clauses];
    texts = clauses.map((candidate) => candidate.text);
    lsa = new CorpusLsaEmbeddings({ tokenizer }).fit(texts);
  });

  it('is deterministic: fitting again on the same texts gives identical vectors and model name', () => {
    const again = new CorpusLsaEmbeddings({ tokenizer }).fit(texts);
    expect(again.modelName).toBe(lsa.modelName);
    expect(again.dimensions).toBe(lsa.dimensions);
    for (const text of [texts[0]!, texts[100]!, '实习单位能扣我身份证吗']) expect(again.embed(text)).toEqual(lsa.embed(text));
  });

  it('names the fitted space after what it was fitted on', () => {
    const other = new CorpusLsaEmbeddings({ tokenizer }).fit(texts.slice(1));
    expect(lsa.modelName).toMatch(/^corpus-lsa-[0-9a-f]{12}$/u);
    expect(other.modelName).not.toBe(lsa.modelName);
  });

  it('keeps at most the dimensions asked for', () => {
    expect(lsa.dimensions).toBe(128);
    expect(lsa.embed(texts[0]!)).toHaveLength(128);
    expect(new CorpusLsaEmbeddings({ tokenizer, dimensions: 16 }).fit(texts).dimensions).toBe(16);
  });

  it('embeds a text to unit length', () => {
    const vector = lsa.embed('不得向学生收取实习押金');
    expect(Math.hypot(...vector)).toBeCloseTo(1, 10);
  });

  it('gives a zero vector to a text sharing no word with the corpus', () => {
    const vector = lsa.embed('qwerty zxcvb');
    expect(vector).toHaveLength(lsa.dimensions);
    expect(vector.every((value) => value === 0)).toBe(true);
  });

  it('places related clauses closer than unrelated ones', () => {
    const complaintDeadline = lsa.embed(clause('lasa-draft-graduate-guidance-standard', '8.5').text);
    const complaintHandling = lsa.embed(clause('lasa-draft-graduate-guidance-standard', '8.4').text);
    const academicSupport = lsa.embed(clause('moe-2018-zhongzhi-guidance', '第五条').text);
    expect(cosine(complaintDeadline, complaintHandling)).toBeGreaterThan(cosine(complaintDeadline, academicSupport));
  });

  it('places a question nearer the clause that answers it than an unrelated clause', () => {
    const question = lsa.embed('实习押金 扣押 居民身份证');
    const answer = lsa.embed(clause('liaoning-zhongzhi-quality', '二、11.', '扣押').text);
    const unrelated = lsa.embed(clause('moe-2018-zhongzhi-guidance', '第三十条').text);
    expect(cosine(question, answer)).toBeGreaterThan(cosine(question, unrelated));
  });

  it('is stored and loaded as bytes: the loaded space has the same name and gives the same vectors, without fitting', () => {
    const loaded = CorpusLsaEmbeddings.fromBytes(lsa.toBytes(), { tokenizer });
    expect(loaded.modelName).toBe(lsa.modelName);
    expect(loaded.dimensions).toBe(lsa.dimensions);
    for (const text of [texts[0]!, texts[42]!, '实习单位能扣我身份证吗']) expect(loaded.embed(text)).toEqual(lsa.embed(text));
  });

  it('measures the word mass it does not know: none in the texts it was fitted on, some in new wording', () => {
    expect(lsa.unknownShare(texts)).toBe(0);
    expect(lsa.unknownShareAtFit).toBe(0);
    const share = lsa.unknownShare(['氢能源燃料电池无人机编队巡检']);
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThanOrEqual(1);
  });

  it('embeds texts it measured for their embedding from the words it kept: the same vectors, each text tokenised once', () => {
    const measured = [...texts.slice(0, 20), '氢能源燃料电池无人机编队巡检，实习押金'];
    const expected = measured.map((text) => lsa.embed(text));
    const loaded = CorpusLsaEmbeddings.fromBytes(lsa.toBytes(), { tokenizer });
    const words = vi.spyOn(tokenizer, 'words');
    try {
      expect(loaded.unknownShare(measured, { keep: true })).toBe(lsa.unknownShare(measured));
      words.mockClear();
      expect(measured.map((text) => loaded.embed(text))).toEqual(expected);
      expect(words).not.toHaveBeenCalled();
      expect(loaded.embed(measured[0]!)).toEqual(expected[0]);
      expect(words).toHaveBeenCalledTimes(1);
    } finally {
      words.mockRestore();
    }
  });

  it('answers the LangChain Embeddings calls with the same vectors', async () => {
    expect(await lsa.embedQuery('实习押金')).toEqual(lsa.embed('实习押金'));
    expect(await lsa.embedDocuments(['实习押金', '投诉'])).toEqual([lsa.embed('实习押金'), lsa.embed('投诉')]);
  });
});

describe('CorpusLsaEmbeddings before and around fitting', () => {
  it('refuses to embed before it is fitted', () => {
    expect(() => new CorpusLsaEmbeddings({ tokenizer }).embed('实习')).toThrow(/call fit\(\) before embedding/u);
  });

  it('fits many texts by block power iteration, deterministically (in a worker thread the same), with related texts closer than unrelated ones', () => {
    const topics = ['实习押金不得收取', '职业指导教师配备', '投诉处理告知投诉人', '学业辅导学习习惯', '就业协议签订', '毕业生档案转递'];
    const many = Array.from({ length: 700 }, (_, i) => `${topics[i % topics.length]}，第${i}项，${topics[(i * 5 + 1) % topics.length]}`);
    const first = new CorpusLsaEmbeddings({ tokenizer, dimensions: 16 }).fit(many);
    const second = new CorpusLsaEmbeddings({ tokenizer, dimensions: 16 }).fit(many);
    expect(first.modelName).toBe(second.modelName);
    expect(first.embed(many[3]!)).toEqual(second.embed(many[3]!));
    expect(first.dimensions).toBe(16);
    const deposit = first.embed('实习押金不得收取');
    return new CorpusLsaEmbeddings({ tokenizer, dimensions: 16 }).fitOffThread(many).then((offThread) => {
      expect(offThread.modelName).toBe(first.modelName);
      expect(offThread.embed(many[3]!)).toEqual(first.embed(many[3]!));
      expect(cosine(deposit, first.embed('不得收取实习押金'))).toBeGreaterThan(cosine(deposit, first.embed('毕业生档案转递')));
    });
  });

  it('refuses to store a space it has not fitted, and refuses bytes of another format', () => {
    expect(() => new CorpusLsaEmbeddings({ tokenizer }).toBytes()).toThrow(/call fit\(\) before storing/u);
    const bytes = new CorpusLsaEmbeddings({ tokenizer }).fit(['实习押金不得收取', '职业指导教师配备']).toBytes();
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    const header = Buffer.from(bytes.subarray(4, 4 + length)).toString('utf8').replace('"format":1', '"format":9');
    bytes.set(Buffer.from(header), 4);
    expect(() => CorpusLsaEmbeddings.fromBytes(bytes, { tokenizer })).toThrow(/format 9/u);
  });

  it('has no more dimensions than texts it was fitted on, sampling when told to fit fewer', () => {
    const texts = ['实习押金不得收取', '职业指导教师配备', '投诉处理告知投诉人', '学业辅导学习习惯'];
    expect(new CorpusLsaEmbeddings({ tokenizer }).fit(texts).dimensions).toBeLessThanOrEqual(4);
    expect(new CorpusLsaEmbeddings({ tokenizer, maxFitTexts: 2 }).fit(texts).dimensions).toBeLessThanOrEqual(2);
  });
});
