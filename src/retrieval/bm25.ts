/** A query as weighted terms: the student's own words weigh 1, expansions less. */
export type WeightedQuery = Map<string, number>;

export interface ScoredId {
  id: string;
  score: number;
}

/**
 * Okapi BM25 over pre-tokenised documents, held in memory (the clause set is small;
 * postings are rebuilt on every knowledge-base version).
 *
 * @example
 * const index = new Bm25Index([{ id: 'a', terms: ['实习', '押金'] }]);
 * index.search(new Map([['押金', 1]]), 5); // [{ id: 'a', score: … }]
 */
export class Bm25Index {
  readonly #postings = new Map<string, Map<number, number>>();
  readonly #lengths: number[] = [];
  readonly #ids: string[] = [];
  readonly #averageLength: number;

  constructor(
    documents: ReadonlyArray<{ id: string; terms: readonly string[] }>,
    readonly k1 = 1.2,
    readonly b = 0.75,
  ) {
    documents.forEach((document, index) => {
      this.#ids.push(document.id);
      this.#lengths.push(document.terms.length);
      for (const term of document.terms) {
        let posting = this.#postings.get(term);
        if (!posting) this.#postings.set(term, (posting = new Map()));
        posting.set(index, (posting.get(index) ?? 0) + 1);
      }
    });
    const total = this.#lengths.reduce((sum, length) => sum + length, 0);
    this.#averageLength = documents.length === 0 ? 1 : total / documents.length;
  }

  get size(): number {
    return this.#ids.length;
  }

  /** Inverse document frequency (BM25+ style, never negative); 0 for unknown terms. */
  idf(term: string): number {
    const frequency = this.#postings.get(term)?.size ?? 0;
    if (frequency === 0) return 0;
    return Math.log(1 + (this.#ids.length - frequency + 0.5) / (frequency + 0.5));
  }

  /** Every term some document holds. */
  terms(): IterableIterator<string> {
    return this.#postings.keys();
  }

  /** Whether any document holds the term. */
  has(term: string): boolean {
    return this.#postings.has(term);
  }

  /** The k best documents for the query, best first; documents sharing no term are left out. */
  search(query: WeightedQuery, k: number): ScoredId[] {
    const scores = new Map<number, number>();
    for (const [term, weight] of query) {
      const posting = this.#postings.get(term);
      if (!posting) continue;
      const idf = this.idf(term);
      for (const [index, frequency] of posting) {
        const length = this.#lengths[index] ?? 0;
        const saturation =
          (frequency * (this.k1 + 1)) / (frequency + this.k1 * (1 - this.b + (this.b * length) / this.#averageLength));
        scores.set(index, (scores.get(index) ?? 0) + weight * idf * saturation);
      }
    }
    return [...scores]
      .map(([index, score]) => ({ id: this.#ids[index]!, score }))
      .sort((x, y) => y.score - x.score || (x.id < y.id ? -1 : 1))
      .slice(0, k);
  }
}
