/**
 * Off-the-shelf retrievers that `eval/bench.ts` runs next to zhiyin's own search, each behind the
 * same small adapter. Every peer indexes the same per-clause text (`indexTextOf`) and, so that the
 * comparison is about ranking rather than word segmentation, splits Chinese with the same jieba
 * `Tokenizer.words` zhiyin uses. Otherwise each keeps its library defaults.
 */
import { create, insertMultiple, search as oramaSearch } from '@orama/orama';
import type { Tokenizer as OramaTokenizer } from '@orama/orama';
import MiniSearch from 'minisearch';
import { BM25Retriever } from '@langchain/community/retrievers/bm25';
import { Document } from '@langchain/core/documents';
import type { Tokenizer } from '../src/retrieval/tokenizer.ts';

/** One clause as every retriever sees it: its id and the text to index (`indexTextOf`). */
export interface BenchClause {
  id: string;
  text: string;
}

/** A retriever under test: build an index over the clauses, then return the top-k clause ids. */
export interface BenchRetriever {
  readonly name: string;
  build(clauses: readonly BenchClause[]): Promise<void>;
  search(question: string, k: number): Promise<string[]>;
}

/**
 * Orama 3 full-text search with a custom `components.tokenizer` (jieba words). Library defaults
 * otherwise: BM25 relevance, prefix matching (`exact: false`, `tolerance: 0`), `threshold: 1`.
 */
export function oramaRetriever(tokenizer: Tokenizer): BenchRetriever {
  const jiebaTokenizer: OramaTokenizer = {
    language: 'chinese',
    normalizationCache: new Map(),
    tokenize: (raw: string) => tokenizer.words(raw),
  };
  const schema = { text: 'string' } as const;
  const newDb = () => create({ schema, components: { tokenizer: jiebaTokenizer } });
  let db: ReturnType<typeof newDb> | undefined;
  return {
    name: 'Orama',
    async build(clauses) {
      db = newDb();
      await insertMultiple(
        db,
        clauses.map(({ id, text }) => ({ id, text })),
      );
    },
    async search(question, k) {
      if (!db) throw new Error('Orama: build() first');
      const { hits } = await oramaSearch(db, { term: question, properties: ['text'], limit: k });
      return hits.map((hit) => hit.id);
    },
  };
}

/** MiniSearch 7 with jieba words as `tokenize` and an identity `processTerm`; defaults otherwise (BM25, OR, no prefix/fuzzy). */
export function miniSearchRetriever(tokenizer: Tokenizer): BenchRetriever {
  let index: MiniSearch<BenchClause> | undefined;
  return {
    name: 'MiniSearch',
    async build(clauses) {
      index = new MiniSearch<BenchClause>({
        fields: ['text'],
        idField: 'id',
        tokenize: (text) => tokenizer.words(text),
        processTerm: (term) => term,
      });
      index.addAll([...clauses]);
    },
    async search(question, k) {
      if (!index) throw new Error('MiniSearch: build() first');
      return index
        .search(question)
        .slice(0, k)
        .map((result) => String(result.id));
    },
  };
}

/**
 * LangChain's `BM25Retriever`, which splits on whitespace: it is given documents whose
 * `pageContent` is the clause's jieba words joined by spaces, and queries tokenised the same way.
 * It keeps no index: all BM25 work happens per query, over every document.
 */
export function langChainBm25Retriever(tokenizer: Tokenizer): BenchRetriever {
  let retriever: BM25Retriever | undefined;
  return {
    name: 'LangChain BM25',
    async build(clauses) {
      const documents = clauses.map(
        ({ id, text }) => new Document({ id, pageContent: tokenizer.words(text).join(' '), metadata: { id } }),
      );
      retriever = BM25Retriever.fromDocuments(documents, { k: 5 });
    },
    async search(question, k) {
      if (!retriever) throw new Error('LangChain BM25: build() first');
      const words = tokenizer.words(question);
      // An empty query would become the keyword "", which LangChain's BM25 matches everywhere.
      if (words.length === 0) return [];
      retriever.k = k;
      const documents = await retriever.invoke(words.join(' '));
      return documents.map((document) => String(document.metadata.id));
    },
  };
}

/** The peers, in table order. */
export function peerRetrievers(tokenizer: Tokenizer): BenchRetriever[] {
  return [oramaRetriever(tokenizer), miniSearchRetriever(tokenizer), langChainBm25Retriever(tokenizer)];
}
