import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticKnowledgeBase } from '../testing/synthetic-knowledge-base.ts';
import { repoRoot } from '../paths.ts';
import { realCorpus } from '../testing/corpus-fixture.ts';
import { Bm25Index, type ScoredId } from './bm25.ts';
import { HybridSearch, indexTextOf, withoutClauseNumber } from './hybrid-search.ts';
import { wordsOutsideAmounts } from './amount-units.ts';
import { loadLexicon } from './lexicon.ts';
import { Tokenizer } from './tokenizer.ts';
import { seededRandom as randomFrom } from '../seeded-random.ts';

const query = (...terms: (string | [string, number])[]): Map<string, number> =>
  new Map(terms.map((term) => (typeof term === 'string' ? [term, 1] : term)));

const index = new Bm25Index([
  { id: 'deposit', terms: ['实习', '押金', '不得', '收取'] },
  { id: 'insurance', terms: ['实习', '责任', '保险', '投保'] },
  { id: 'teachers', terms: ['职业指导', '教师', '配备'] },
  { id: 'complaints', terms: ['投诉', '工作日', '告知', '投诉人', '投诉'] },
]);

describe('Bm25Index', () => {
  it('ranks the documents holding the query terms, best first, and leaves out the rest', () => {
    const results = index.search(query('押金', '实习'), 10);
    expect(results.map((result) => result.id)).toEqual(['deposit', 'insurance']);
    expect(results[0]!.score).toBeGreaterThan(results[1]!.score);
  });

  it('returns at most k documents', () => {
    expect(index.search(query('实习'), 1)).toHaveLength(1);
  });

  it('finds nothing for terms no document holds', () => {
    expect(index.search(query('高考'), 10)).toEqual([]);
    expect(new Bm25Index([]).search(query('实习'), 10)).toEqual([]);
  });

  it('weighs a rare term above a common one, never below zero, and an unknown one at zero', () => {
    expect(index.idf('押金')).toBeGreaterThan(index.idf('实习'));
    expect(index.idf('实习')).toBeGreaterThan(0);
    const everywhere = new Bm25Index([
      { id: 'a', terms: ['实习'] },
      { id: 'b', terms: ['实习'] },
    ]);
    expect(everywhere.idf('实习')).toBeGreaterThan(0);
    expect(index.idf('高考')).toBe(0);
  });

  it('scales a term’s contribution by its query weight', () => {
    const full = index.search(query('押金'), 1)[0]!.score;
    const expansion = index.search(query(['押金', 0.6]), 1)[0]!.score;
    expect(expansion).toBeCloseTo(full * 0.6, 10);
  });

  it('counts the terms of a group as the best of them plus a share of the others', () => {
    const pieces = new Bm25Index([
      { id: 'whole', terms: ['工作', '人员', '工作人员', '条件'] },
      { id: 'other', terms: ['从业', '人员', '从业人员', '条件'] },
      { id: 'filler', terms: ['押金'] },
    ]);
    const asked = query('工作', '人员', '工作人员');
    const groupOf = new Map([['工作', '工作人员'], ['人员', '工作人员'], ['工作人员', '工作人员']]);
    const single = (term: string, id: string): number => pieces.search(query(term), 3).find((hit) => hit.id === id)!.score;
    const [best, ...others] = ['工作', '人员', '工作人员'].map((term) => single(term, 'whole')).sort((x, y) => y - x);
    const grouped = pieces.search(asked, 3, { groupOf, rest: 0.5 });
    expect(grouped.find((hit) => hit.id === 'whole')!.score).toBeCloseTo(best! + 0.5 * (others[0]! + others[1]!), 10);
    // a document holding one piece keeps that piece's whole score
    expect(grouped.find((hit) => hit.id === 'other')!.score).toBeCloseTo(single('人员', 'other'), 10);
    // rest 1: every term counts as a word of its own
    expect(pieces.search(asked, 3, { groupOf, rest: 1 })).toEqual(pieces.search(asked, 3));
  });

  it('prefers the shorter document when two hold a term equally often', () => {
    const lengths = new Bm25Index([
      { id: 'long', terms: ['押金', '说明', '说明', '说明', '说明', '说明'] },
      { id: 'short', terms: ['押金', '说明'] },
    ]);
    expect(lengths.search(query('押金'), 2).map((result) => result.id)).toEqual(['short', 'long']);
  });

  it('rewards repeated terms with diminishing returns', () => {
    const repeats = new Bm25Index([
      { id: 'once', terms: ['投诉', 'a', 'b', 'c'] },
      { id: 'twice', terms: ['投诉', '投诉', 'b', 'c'] },
      { id: 'four', terms: ['投诉', '投诉', '投诉', '投诉'] },
      { id: 'other', terms: ['x', 'y', 'z', 'w'] },
    ]);
    const score = Object.fromEntries(repeats.search(query('投诉'), 3).map((result) => [result.id, result.score]));
    expect(score.twice!).toBeGreaterThan(score.once!);
    expect(score.four!).toBeGreaterThan(score.twice!);
    expect(score.four! - score.twice!).toBeLessThan(2 * (score.twice! - score.once!));
  });

  it('orders equal scores by id, so results are stable', () => {
    const ties = new Bm25Index([
      { id: 'b', terms: ['押金'] },
      { id: 'a', terms: ['押金'] },
      { id: 'c', terms: ['押金'] },
    ]);
    expect(ties.search(query('押金'), 3).map((result) => result.id)).toEqual(['a', 'b', 'c']);
  });

  it('tells which terms it holds and how many documents', () => {
    expect(index.size).toBe(4);
    expect(index.has('投诉人')).toBe(true);
    expect(index.has('高考')).toBe(false);
    expect(new Set(index.terms())).toContain('工作日');
  });
});

/**
 * BM25 scored the plain way, every posting of every query term, the whole list sorted: what
 * `Bm25Index.search` computed before it pruned. The pruned search must return exactly this.
 */
function exhaustiveSearch(documents: ReadonlyArray<{ id: string; terms: readonly string[] }>, query: Map<string, number>, k: number): ScoredId[] {
  return exhaustiveScorer(documents)(query, k);
}

function exhaustiveScorer(documents: ReadonlyArray<{ id: string; terms: readonly string[] }>, k1 = 1.2, b = 0.75): (query: Map<string, number>, k: number) => ScoredId[] {
  const postings = new Map<string, Map<number, number>>();
  const lengths = documents.map((document) => document.terms.length);
  documents.forEach((document, index) => {
    for (const term of document.terms) {
      let posting = postings.get(term);
      if (!posting) postings.set(term, (posting = new Map()));
      posting.set(index, (posting.get(index) ?? 0) + 1);
    }
  });
  const averageLength = documents.length === 0 ? 1 : lengths.reduce((sum, length) => sum + length, 0) / documents.length;
  return (query, k) => {
    const scores = new Map<number, number>();
    for (const [term, weight] of query) {
      const posting = postings.get(term);
      if (!posting) continue;
      const idf = Math.log(1 + (documents.length - posting.size + 0.5) / (posting.size + 0.5));
      for (const [index, frequency] of posting) {
        const saturation = (frequency * (k1 + 1)) / (frequency + k1 * (1 - b + (b * lengths[index]!) / averageLength));
        scores.set(index, (scores.get(index) ?? 0) + weight * idf * saturation);
      }
    }
    return [...scores]
      .map(([index, score]) => ({ id: documents[index]!.id, score }))
      .sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1))
      .slice(0, k);
  };
}


describe('Bm25Index pruned top k, against scoring every posting', () => {
  it('returns exactly the exhaustive ranking on random corpora and queries (scores, order, ties)', () => {
    let compared = 0;
    for (let seed = 1; seed <= 60; seed += 1) {
      const random = randomFrom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      // Zipf-like vocabularies: a few terms in most documents, a long tail in few; small ones give many ties.
      const vocabulary = Array.from({ length: pick([3, 12, 60, 400]) }, (_, i) => `t${i}`);
      const term = (): string => vocabulary[Math.min(vocabulary.length - 1, Math.floor(vocabulary.length * random() ** 3))]!;
      const count = pick([0, 1, 5, 40, 300, 1500]);
      const documents = Array.from({ length: count }, (_, i) => ({
        // ids out of insertion order, so that ties are broken by id, not by position
        id: `d${((i * 7919) % 10007).toString(36)}`,
        terms: Array.from({ length: pick([0, 1, 3, 8, 20, 60]) }, term),
      }));
      const index = new Bm25Index(documents);
      const exhaustive = exhaustiveScorer(documents);
      for (let q = 0; q < 25; q += 1) {
        const terms = Array.from({ length: 1 + Math.floor(random() * 10) }, () => (random() < 0.1 ? 'unknown' : term()));
        const weighted = new Map(terms.map((t) => [t, pick([1, 1, 0.8, 0.6, 0.25, 0, random()])]));
        const k = pick([1, 2, 5, 10, 40, 5000]);
        expect(index.search(weighted, k), `seed ${seed} query ${q}`).toEqual(exhaustive(weighted, k));
        compared += 1;
      }
    }
    expect(compared).toBe(1500);
  });

  it('cuts through a run of equal scores by id', () => {
    const documents = Array.from({ length: 200 }, (_, i) => ({ id: `c${(i * 37) % 200}`, terms: i % 2 === 0 ? ['押金', '实习'] : ['押金', '实习', '学校'] }));
    const index = new Bm25Index(documents);
    for (const k of [1, 7, 99, 100, 101, 150]) {
      const query = new Map([['押金', 1], ['学校', 0.6], ['实习', 0.3]]);
      expect(index.search(query, k)).toEqual(exhaustiveSearch(documents, query, k));
    }
  });

  it('edge cases: an empty query, one term, k beyond the matches, k of zero', () => {
    const documents = [
      { id: 'a', terms: ['实习', '押金'] },
      { id: 'b', terms: ['实习'] },
      { id: 'c', terms: [] },
    ];
    const index = new Bm25Index(documents);
    expect(index.search(new Map(), 5)).toEqual([]);
    expect(index.search(query('实习'), 1)).toEqual(exhaustiveSearch(documents, query('实习'), 1));
    expect(index.search(query('押金', '实习'), 50)).toEqual(exhaustiveSearch(documents, query('押金', '实习'), 50));
    expect(index.search(query('押金', '实习'), 50).map((result) => result.id)).toEqual(['a', 'b']);
    expect(index.search(query('押金'), 0)).toEqual([]);
  });

  it('is exact on the real knowledge base for the dev questions, words and character bigrams', async () => {
    const { snapshot, tokenizer, search } = await realCorpus();
    const documents = snapshot.clauses.map((clause) => ({ id: clause.id, terms: wordsOutsideAmounts(indexTextOf(clause, snapshot.documents.get(clause.docId)), tokenizer) }));
    const bigramDocuments = snapshot.clauses.map((clause) => ({ id: clause.id, terms: tokenizer.bigrams(`${clause.context} ${withoutClauseNumber(clause.text)}`) }));
    const bigrams = new Bm25Index(bigramDocuments);
    const exhaustiveWords = exhaustiveScorer(documents);
    const exhaustiveBigrams = exhaustiveScorer(bigramDocuments);
    const questions = (await Promise.all(['policy', 'holdout', 'holdout-b', 'dev-fresh'].map((name) => readFile(path.join(repoRoot, 'eval', 'datasets', `${name}.jsonl`), 'utf8'))))
      .flatMap((text) => text.split('\n'))
      .filter((line) => line.trim() !== '')
      .map((line) => (JSON.parse(line) as { question: string }).question);
    expect(questions.length).toBeGreaterThan(400);
    for (const question of questions) {
      const analyzed = search.analyze(question);
      for (const k of [5, 40]) {
        expect(search.lexicalIndex.search(analyzed.terms, k), question).toEqual(exhaustiveWords(analyzed.terms, k));
        const bigramQuery = new Map(tokenizer.bigrams([analyzed.searchText, ...analyzed.repairs].join(' ')).map((pair) => [pair, 1]));
        expect(bigrams.search(bigramQuery, k), question).toEqual(exhaustiveBigrams(bigramQuery, k));
      }
    }
  });

  it('is exact on the synthetic knowledge base of the bench (clauses sharing most of their words)', () => {
    const { clauses, snapshot, questions } = syntheticKnowledgeBase(3000, 60);
    const tokenizer = new Tokenizer(loadLexicon());
    const search = new HybridSearch(snapshot, loadLexicon(), tokenizer, null);
    const exhaustive = exhaustiveScorer(clauses.map((clause) => ({ id: clause.id, terms: wordsOutsideAmounts(indexTextOf(clause, snapshot.documents.get(clause.docId)), tokenizer) })));
    for (const question of questions) {
      const { terms } = search.analyze(question);
      expect(search.lexicalIndex.search(terms, 40), question).toEqual(exhaustive(terms, 40));
    }
  });
});
