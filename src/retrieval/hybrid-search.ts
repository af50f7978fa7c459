import type { Clause } from '../knowledge/types.ts';
import type { DocumentInfo, KnowledgeSnapshot } from '../knowledge/snapshot.ts';
import { Bm25Index, type ScoredId } from './bm25.ts';
import type { Lexicon } from './lexicon.ts';
import { analyzeQuery, synonymExpansions, type AnalyzedQuery } from './query.ts';
import type { Tokenizer } from './tokenizer.ts';
import { HomophoneCorrector } from './homophones.ts';

/** How much a homophone repair counts next to the student's own words. */
const homophoneWeight = 0.8;

/** Nearest clauses to a text in some vector space; `score` is a similarity (higher is closer). */
export interface DenseSearch {
  search(text: string, k: number): Promise<ScoredId[]>;
}

/** A clause found for a question, with the evidence from each retriever. */
export interface RankedClause {
  clause: Clause;
  document: DocumentInfo;
  /** Reciprocal-rank-fusion score. */
  score: number;
  lexicalScore: number;
  lexicalRank: number | null;
  denseScore: number;
  denseRank: number | null;
}

export interface HybridSearchOptions {
  /** How many candidates each retriever contributes before fusion. */
  candidates?: number;
  /** The RRF constant k in 1 / (k + rank). */
  rrfK?: number;
  lexicalWeight?: number;
  denseWeight?: number;
  /** Weight of the character-bigram BM25 list, which survives word-segmentation mismatches. */
  bigramWeight?: number;
}

/** The text BM25 indexes for a clause: its words plus headings, lead sentence and the document's region. */
export function indexTextOf(clause: Clause, document: DocumentInfo | undefined): string {
  return [clause.context, clause.text, document?.region ?? ''].join(' ');
}

/**
 * Hybrid clause retrieval: BM25 over jieba words (with synonym expansion) and a dense vector
 * search, fused by reciprocal rank.
 *
 * @example
 * const search = new HybridSearch(snapshot, lexicon, tokenizer, dense);
 * const { results } = await search.search('实习单位能扣我身份证吗', 5);
 */
export class HybridSearch {
  readonly #bm25: Bm25Index;
  readonly #bigrams: Bm25Index;
  readonly #homophones: HomophoneCorrector;
  readonly #byId: Map<string, Clause>;
  readonly #options: Required<HybridSearchOptions>;

  constructor(
    readonly snapshot: KnowledgeSnapshot,
    readonly lexicon: Lexicon,
    readonly tokenizer: Tokenizer,
    readonly dense: DenseSearch | null,
    options: HybridSearchOptions = {},
  ) {
    this.#options = { candidates: 40, rrfK: 60, lexicalWeight: 1, denseWeight: 0.8, bigramWeight: 0.5, ...options };
    this.#byId = new Map(snapshot.clauses.map((clause) => [clause.id, clause]));
    this.#bm25 = new Bm25Index(
      snapshot.clauses.map((clause) => ({
        id: clause.id,
        terms: tokenizer.words(indexTextOf(clause, snapshot.documents.get(clause.docId))),
      })),
    );
    this.#homophones = new HomophoneCorrector(this.#bm25.terms());
    this.#bigrams = new Bm25Index(
      snapshot.clauses.map((clause) => ({ id: clause.id, terms: tokenizer.bigrams(`${clause.context} ${clause.text}`) })),
    );
  }

  /** The lexical index, for confidence checks (idf of a term, whether it occurs at all). */
  get lexicalIndex(): Bm25Index {
    return this.#bm25;
  }

  /** The question as weighted search terms: own words, synonyms and homophone repairs. */
  analyze(question: string): AnalyzedQuery {
    const query = analyzeQuery(question, this.lexicon, this.tokenizer);
    const isKnown = (word: string): boolean => this.#bm25.has(word) || this.lexicon.stopwords.has(word);
    for (const { typed, words } of this.#homophones.corrections(this.tokenizer.tokens(query.searchText), isKnown)) {
      for (const word of words) if (!query.terms.has(word)) query.terms.set(word, homophoneWeight);
      for (const term of query.ownTerms) if (typed.includes(term) && !this.#bm25.has(term)) query.expandedTerms.add(term);
      query.repairs.push(...words);
    }
    return query;
  }

  /** The k best clauses for a question, best first. */
  async search(question: string | AnalyzedQuery, k: number): Promise<{ query: AnalyzedQuery; results: RankedClause[] }> {
    const query = typeof question === 'string' ? this.analyze(question) : question;
    const { candidates, rrfK, lexicalWeight, denseWeight, bigramWeight } = this.#options;
    const lexical = this.#bm25.search(query.terms, candidates);
    const bigramQuery = new Map(this.tokenizer.bigrams([query.searchText, ...query.repairs].join(' ')).map((pair) => [pair, 1]));
    const bigrams = bigramWeight > 0 ? this.#bigrams.search(bigramQuery, candidates) : [];
    const denseText = [query.searchText, ...synonymExpansions(query.searchText, this.lexicon), ...query.repairs].join(' ');
    const dense = this.dense && query.terms.size > 0 ? await this.dense.search(denseText, candidates) : [];

    const fused = new Map<string, RankedClause>();
    const entry = (id: string): RankedClause | undefined => {
      let ranked = fused.get(id);
      const clause = this.#byId.get(id);
      if (!ranked && clause) {
        ranked = {
          clause,
          document: this.snapshot.documents.get(clause.docId)!,
          score: 0,
          lexicalScore: 0,
          lexicalRank: null,
          denseScore: 0,
          denseRank: null,
        };
        fused.set(id, ranked);
      }
      return ranked;
    };
    lexical.forEach(({ id, score }, rank) => {
      const ranked = entry(id);
      if (!ranked) return;
      ranked.lexicalScore = score;
      ranked.lexicalRank = rank + 1;
      ranked.score += lexicalWeight / (rrfK + rank + 1);
    });
    dense.forEach(({ id, score }, rank) => {
      const ranked = entry(id);
      if (!ranked) return;
      ranked.denseScore = score;
      ranked.denseRank = rank + 1;
      ranked.score += denseWeight / (rrfK + rank + 1);
    });
    bigrams.forEach(({ id }, rank) => {
      const ranked = entry(id);
      if (ranked) ranked.score += bigramWeight / (rrfK + rank + 1);
    });
    const results = [...fused.values()]
      .sort((x, y) => y.score - x.score || y.lexicalScore - x.lexicalScore || x.clause.ordinal - y.clause.ordinal)
      .slice(0, k);
    return { query, results };
  }
}

/** Cosine search over vectors held in memory; the store-backed search does the same in pgvector. */
export class InMemoryDenseSearch implements DenseSearch {
  constructor(
    readonly embed: (text: string) => Promise<number[]>,
    readonly vectors: ReadonlyArray<{ id: string; vector: number[] }>,
  ) {}

  async search(text: string, k: number): Promise<ScoredId[]> {
    const query = await this.embed(text);
    return this.vectors
      .map(({ id, vector }) => ({ id, score: cosine(query, vector) }))
      .filter(({ score }) => score > 0)
      .sort((x, y) => y.score - x.score)
      .slice(0, k);
  }
}

function cosine(x: number[], y: number[]): number {
  let dot = 0;
  let nx = 0;
  let ny = 0;
  for (let i = 0; i < x.length; i += 1) {
    dot += x[i]! * (y[i] ?? 0);
    nx += x[i]! * x[i]!;
    ny += (y[i] ?? 0) * (y[i] ?? 0);
  }
  return nx === 0 || ny === 0 ? 0 : dot / Math.sqrt(nx * ny);
}
