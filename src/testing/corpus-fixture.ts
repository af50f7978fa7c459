/**
 * The real knowledge base, searchable in memory, for tests that need retrieval over the actual
 * policy documents: the five `knowledge/documents/*.md` with their shipped question variants
 * (`knowledge/variants/*.tsv`, as the store attaches them), the lexicon under `knowledge/lexicon/`,
 * BM25 and a corpus-fitted LSA embedding held by an in-memory dense search. Built once per test
 * file (it takes well under a second) and never written anywhere.
 *
 * @example const { search } = await realCorpus(); await search.search('实习押金', 5);
 */
import path from 'node:path';
import { readDocumentDirectory, snapshotOf, type LoadedDocument } from '../knowledge/corpus.ts';
import type { KnowledgeSnapshot } from '../knowledge/snapshot.ts';
import { loadShippedVariants, type ShippedVariants } from '../knowledge/variants.ts';
import { knowledgeDir } from '../paths.ts';
import { CorpusLsaEmbeddings } from '../retrieval/embeddings/corpus-lsa.ts';
import { HybridSearch, InMemoryDenseSearch, indexTextOf } from '../retrieval/hybrid-search.ts';
import { loadLexicon, type Lexicon } from '../retrieval/lexicon.ts';
import { Tokenizer } from '../retrieval/tokenizer.ts';

export interface RealCorpus {
  documents: LoadedDocument[];
  /** The shipped question variants, by document and clause. */
  variants: ShippedVariants;
  snapshot: KnowledgeSnapshot;
  lexicon: Lexicon;
  tokenizer: Tokenizer;
  embeddings: CorpusLsaEmbeddings;
  search: HybridSearch;
}

export const documentsDir = path.join(knowledgeDir, 'documents');

let built: Promise<RealCorpus> | undefined;

async function build(): Promise<RealCorpus> {
  const documents = await readDocumentDirectory(documentsDir);
  const variants = await loadShippedVariants(documentsDir);
  const snapshot = snapshotOf(documents, 0, variants);
  const lexicon = loadLexicon();
  const tokenizer = new Tokenizer(lexicon);
  const texts = snapshot.clauses.map((clause) => indexTextOf(clause, snapshot.documents.get(clause.docId)));
  const embeddings = new CorpusLsaEmbeddings({ tokenizer }).fit(texts);
  const vectors = snapshot.clauses.map((clause, index) => ({ id: clause.id, vector: embeddings.embed(texts[index]!) }));
  const dense = new InMemoryDenseSearch((text) => embeddings.embedQuery(text), vectors);
  const search = new HybridSearch(snapshot, lexicon, tokenizer, dense);
  return { documents, variants, snapshot, lexicon, tokenizer, embeddings, search };
}

/** The real corpus with its hybrid search (built on first use, then shared within the test file). */
export function realCorpus(): Promise<RealCorpus> {
  built ??= build();
  return built;
}
