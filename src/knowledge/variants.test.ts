/**
 * Question variants (关联问题): the variants-file format, pairing a file with its document's
 * clauses by key and text hash, attaching them to every part of a clause, and the shipped files
 * themselves — every clause of the five documents has 2–4 questions in a student's words per
 * part (a long clause split into parts carries questions for each part's content).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { knowledgeDir } from '../paths.ts';
import { chunkDocument } from './chunker.ts';
import { readDocumentDirectory, snapshotOf } from './corpus.ts';
import { attachVariants, bestVariant, clauseTextHash, hashedClauses, loadShippedVariants, parseVariantFile, shippedVariantsOf, VariantFileError } from './variants.ts';

const documentsDir = path.join(knowledgeDir, 'documents');

const doc = {
  id: 'x',
  body: '## 第一章 总则\n\n第一条 学校应当配备职业指导教师。\n\n第二条 实习单位不得向学生收取实习押金。',
};

describe('the variants file', () => {
  it('reads locator<TAB>question lines, skipping comments and blank lines', () => {
    expect(parseVariantFile('# 注释\n\n第一条\t学校要有就业老师吗？\n第一条\t  就业老师   必须配吗？ \n', 'x.tsv')).toEqual([
      { key: '第一条', question: '学校要有就业老师吗？', line: 3 },
      { key: '第一条', question: '就业老师 必须配吗？', line: 4 },
    ]);
  });

  it('names the file and line of a malformed line', () => {
    expect(() => parseVariantFile('第一条 没有制表符\n第二条\t\n', 'x.tsv')).toThrow(/^x\.tsv: line 1: expected "locator<TAB>question"; line 2: empty locator or question$/u);
  });

  it('pairs each question with its clause and the hash of the clause text; an unknown locator fails', () => {
    const shipped = shippedVariantsOf(doc, '第二条\t实习要交押金吗？\n第二条\t实习单位能收钱吗？\n', 'x.tsv');
    const second = hashedClauses(chunkDocument(doc)).find((clause) => clause.key === '第二条')!;
    expect(shipped.get('第二条')).toEqual({ hash: second.hash, questions: ['实习要交押金吗？', '实习单位能收钱吗？'] });
    expect(() => shippedVariantsOf(doc, '第三条\t有第三条吗？\n', 'x.tsv')).toThrow(VariantFileError);
    expect(() => shippedVariantsOf(doc, '第三条\t有第三条吗？\n', 'x.tsv')).toThrow(/line 1: x has no clause "第三条"/u);
  });

  it('a text hash ignores whitespace, as clause diffs do', () => {
    expect(clauseTextHash('第一条 学校应当\n配备教师。')).toBe(clauseTextHash('第一条学校应当配备教师。'));
    expect(clauseTextHash('第一条 学校应当配备教师。')).not.toBe(clauseTextHash('第一条 学校可以配备教师。'));
  });
});

describe('attaching variants to clauses', () => {
  it('every part of a split clause carries its whole clause’s questions, only while the text matches', () => {
    const long = { id: 'y', body: `第一条 ${'学校应当开展职业指导工作，帮助学生了解职业。'.repeat(30)}\n\n第二条 其他。` };
    const clauses = chunkDocument(long);
    const first = hashedClauses(clauses)[0]!;
    expect(first.ordinals.length).toBeGreaterThan(1);
    const attached = attachVariants(clauses, [
      { clauseKey: '第一条', textHash: first.hash, question: '学校会做职业指导吗？' },
      { clauseKey: '第二条', textHash: 'written-for-another-text', question: '过时的问题？' },
    ]);
    for (const ordinal of first.ordinals) expect(attached[ordinal]!.variants).toEqual(['学校会做职业指导吗？']);
    expect(attached.at(-1)!.variants).toBeUndefined();
  });

  it('the best variant for a question is the one sharing most of its weighted words', () => {
    const words = (text: string): string[] => [...text.replace(/[？?，。]/gu, '')];
    expect(bestVariant('押金', ['要交押金吗', '能扣证件吗'], words, () => 1)).toEqual({ question: '要交押金吗', share: 1 });
    expect(bestVariant('工资', ['要交押金吗'], words, () => 1)).toBeNull();
    expect(bestVariant('押金', undefined, words, () => 1)).toBeNull();
  });
});

describe('the shipped variants (knowledge/variants/*.tsv)', () => {
  it('give every clause of the five documents 2–4 questions per part, none of them a copy of the clause', async () => {
    const documents = await readDocumentDirectory(documentsDir);
    const shipped = await loadShippedVariants(documentsDir);
    expect([...shipped.keys()].sort()).toEqual(documents.map((document) => document.id).sort());
    let total = 0;
    for (const document of documents) {
      const own = shipped.get(document.id)!;
      for (const clause of hashedClauses(chunkDocument(document))) {
        const entry = own.get(clause.key);
        expect(entry, `${document.id} ${clause.key}`).toBeDefined();
        expect(entry!.hash).toBe(clause.hash);
        expect(entry!.questions.length, `${document.id} ${clause.key}`).toBeGreaterThanOrEqual(2);
        expect(entry!.questions.length, `${document.id} ${clause.key}`).toBeLessThanOrEqual(4 * clause.ordinals.length);
        const text = clause.text.replace(/\s+/gu, '');
        for (const question of entry!.questions) {
          expect(text.includes(question.replace(/[？?]$/u, '')), question).toBe(false);
          expect(question).toMatch(/[？?]$/u);
        }
        total += entry!.questions.length;
      }
    }
    expect(total).toBeGreaterThanOrEqual(300);
  });

  it('snapshotOf gives the clauses their shipped questions', async () => {
    const documents = await readDocumentDirectory(documentsDir);
    const snapshot = snapshotOf(documents, 0, await loadShippedVariants(documentsDir));
    const article = snapshot.clauses.find((clause) => clause.docId === 'moe-2018-zhongzhi-guidance' && clause.locator === '第十五条')!;
    expect(article.variants).toContain('中职学校至少要有几个职业指导老师？');
    expect(snapshot.clauses.every((clause) => (clause.variants?.length ?? 0) >= 2)).toBe(true);
  });

  it('no variants directory: no shipped variants', async () => {
    expect((await loadShippedVariants(documentsDir, path.join(knowledgeDir, 'no-such-directory'))).size).toBe(0);
  });
});
