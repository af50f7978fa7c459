import { Postings } from './postings.ts';

/** A query as weighted terms: the student's own words weigh 1, expansions less. */
export type WeightedQuery = Map<string, number>;

export interface ScoredId {
  id: string;
  score: number;
}

/**
 * Query terms that find one thing in several ways (a typed word and the pieces search mode cut
 * from it): in a document's score the best of them counts fully and the others by `rest` (0–1).
 */
export interface TermGroups {
  /** Each grouped term with its group's key (a piece with the word it was cut from, the word with itself). */
  groupOf: ReadonlyMap<string, string>;
  rest: number;
}

/** A query term during a search: where its postings are and how much it can add to a score. */
interface Cursor {
  /** Position of the term in the query: scores add the terms up in query order. */
  order: number;
  /** weight × idf */
  weight: number;
  position: number;
  end: number;
  /** The most the term adds to any document's score. */
  bound: number;
}

/**
 * Slack on every pruning decision, relative to the score to beat: sums of bounds taken in another
 * order than the scores may round differently, and a document that ties the k-th may still win on
 * its id, so only a document clearly below is skipped.
 */
const pruningSlack = 1e-9;

/**
 * Okapi BM25 over pre-tokenised documents, held in memory as typed-array postings
 * (`Postings`). `search` finds the exact top k with MaxScore pruning: terms whose bounds together
 * cannot lift a document past the current k-th score are only looked up for documents the other
 * terms found, and a document is dropped as soon as the terms left cannot lift it. Scores, and
 * the order of equal scores (by id), are those of scoring every posting.
 *
 * @example
 * const index = new Bm25Index([{ id: 'a', terms: ['实习', '押金'] }]);
 * index.search(new Map([['押金', 1]]), 5); // [{ id: 'a', score: … }]
 */
export class Bm25Index {
  readonly #postings: Postings;
  readonly #ids: string[];
  /** Each document's place in id order: equal scores go to the smaller id. */
  readonly #idOrder: Int32Array;
  /** k1 · (1 − b + b · length / average length), per document. */
  readonly #norms: Float64Array;
  /** The largest saturation (tf · (k1 + 1) / (tf + norm)) of each term over its postings. */
  readonly #maxSaturation: Float64Array;

  constructor(
    documents: ReadonlyArray<{ id: string; terms: readonly string[] }>,
    readonly k1 = 1.2,
    readonly b = 0.75,
    /** The documents' postings when already built (stored with the knowledge-base version): their terms are then not read. */
    postings?: Postings,
  ) {
    this.#ids = documents.map((document) => document.id);
    if (postings && postings.lengths.length !== documents.length) throw new Error('Bm25Index: the postings index another number of documents');
    this.#postings = postings ?? Postings.build(documents.map((document) => document.terms));
    const lengths = this.#postings.lengths;
    let total = 0;
    for (const length of lengths) total += length;
    const averageLength = documents.length === 0 ? 1 : total / documents.length;
    this.#norms = new Float64Array(documents.length);
    for (let document = 0; document < documents.length; document += 1) {
      this.#norms[document] = this.k1 * (1 - this.b + (this.b * lengths[document]!) / averageLength);
    }
    const byId = Array.from(this.#ids.keys()).sort((x, y) => (this.#ids[x]! < this.#ids[y]! ? -1 : this.#ids[x]! > this.#ids[y]! ? 1 : x - y));
    this.#idOrder = new Int32Array(documents.length);
    byId.forEach((document, place) => (this.#idOrder[document] = place));
    const { offsets, documents: postingDocuments, frequencies } = this.#postings;
    this.#maxSaturation = new Float64Array(offsets.length - 1);
    for (let term = 0; term + 1 < offsets.length; term += 1) {
      let max = 0;
      for (let position = offsets[term]!; position < offsets[term + 1]!; position += 1) {
        const saturation = this.#saturation(frequencies[position]!, postingDocuments[position]!);
        if (saturation > max) max = saturation;
      }
      this.#maxSaturation[term] = max;
    }
  }

  /**
   * An index over documents given by id whose postings are already built (read from the store):
   * the same scores and order as indexing their terms.
   *
   * @example const index = Bm25Index.fromPostings(ids, Postings.fromBytes(stored));
   */
  static fromPostings(ids: readonly string[], postings: Postings, k1 = 1.2, b = 0.75): Bm25Index {
    return new Bm25Index(
      ids.map((id) => ({ id, terms: [] })),
      k1,
      b,
      postings,
    );
  }

  /** The postings, to store with the knowledge-base version. */
  get postings(): Postings {
    return this.#postings;
  }

  get size(): number {
    return this.#ids.length;
  }

  /** Inverse document frequency (BM25+ style, never negative); 0 for unknown terms. */
  idf(term: string): number {
    const id = this.#postings.termIds.get(term);
    return id === undefined ? 0 : this.#idfOf(id);
  }

  /** Every term some document holds. */
  terms(): IterableIterator<string> {
    return this.#postings.termIds.keys();
  }

  /** Whether any document holds the term. */
  has(term: string): boolean {
    return this.#postings.termIds.has(term);
  }

  /**
   * The k best documents for the query, best first; documents sharing no term are left out.
   * With `groups`, the terms of a group add up as the best of them plus `rest` of the others.
   */
  search(query: WeightedQuery, k: number, groups?: TermGroups): ScoredId[] {
    const limit = Math.min(k, this.#ids.length);
    if (!(limit >= 1)) return [];
    const cursors: Cursor[] = [];
    for (const [term, weight] of query) {
      const id = this.#postings.termIds.get(term);
      if (id === undefined) continue;
      const weighted = weight * this.#idfOf(id);
      cursors.push({ order: cursors.length, weight: weighted, position: this.#postings.offsets[id]!, end: this.#postings.offsets[id + 1]!, bound: weighted * this.#maxSaturation[id]! });
    }
    if (cursors.length === 0) return [];
    const groupOfCursor = groupIndexes([...query.keys()].filter((term) => this.#postings.termIds.has(term)), groups);
    const groupCount = Math.max(-1, ...groupOfCursor) + 1;
    const groupBest = new Float64Array(groupCount);
    const groupSum = new Float64Array(groupCount);
    const rest = groups?.rest ?? 1;
    // Bounds hold only for weights ≥ 0; any other query is scored without pruning.
    const prunable = cursors.every((cursor) => cursor.weight >= 0 && Number.isFinite(cursor.bound));
    // Lightest first: the first `skippable` terms together cannot lift a document into the top k.
    const byBound = prunable ? [...cursors].sort((x, y) => x.bound - y.bound) : cursors;
    const boundsUpTo = new Float64Array(byBound.length + 1);
    byBound.forEach((cursor, i) => (boundsUpTo[i + 1] = boundsUpTo[i]! + cursor.bound));
    const best = new TopK(Math.floor(limit), this.#idOrder);
    const contributions = new Float64Array(cursors.length);
    const holds = new Uint8Array(cursors.length);
    const { documents, frequencies } = this.#postings;
    let skippable = 0;
    let floor = -Infinity;
    for (;;) {
      let document = 0x7fffffff;
      for (let i = skippable; i < byBound.length; i += 1) {
        const cursor = byBound[i]!;
        if (cursor.position < cursor.end && documents[cursor.position]! < document) document = documents[cursor.position]!;
      }
      if (document === 0x7fffffff) break;
      holds.fill(0);
      let partial = 0;
      for (let i = skippable; i < byBound.length; i += 1) {
        const cursor = byBound[i]!;
        if (cursor.position < cursor.end && documents[cursor.position] === document) {
          const contribution = cursor.weight * this.#saturation(frequencies[cursor.position]!, document);
          contributions[cursor.order] = contribution;
          holds[cursor.order] = 1;
          partial += contribution;
          cursor.position += 1;
        }
      }
      let dropped = false;
      for (let i = skippable - 1; i >= 0; i -= 1) {
        if (partial + boundsUpTo[i + 1]! < floor) {
          dropped = true;
          break;
        }
        const cursor = byBound[i]!;
        cursor.position = this.#postings.seek(cursor.position, cursor.end, document);
        if (cursor.position < cursor.end && documents[cursor.position] === document) {
          const contribution = cursor.weight * this.#saturation(frequencies[cursor.position]!, document);
          contributions[cursor.order] = contribution;
          holds[cursor.order] = 1;
          partial += contribution;
        }
      }
      if (dropped) continue;
      let score = 0;
      if (groupCount === 0) {
        for (let order = 0; order < cursors.length; order += 1) if (holds[order] === 1) score += contributions[order]!;
      } else {
        // a group's score is never above the sum of its terms' scores, so the bounds above still hold
        groupBest.fill(0);
        groupSum.fill(0);
        for (let order = 0; order < cursors.length; order += 1) {
          if (holds[order] !== 1) continue;
          const group = groupOfCursor[order]!;
          if (group < 0) score += contributions[order]!;
          else {
            groupSum[group]! += contributions[order]!;
            if (contributions[order]! > groupBest[group]!) groupBest[group] = contributions[order]!;
          }
        }
        for (let group = 0; group < groupCount; group += 1) score += groupBest[group]! + rest * (groupSum[group]! - groupBest[group]!);
      }
      if (best.offer(document, score) && best.full && prunable) {
        floor = best.threshold - Math.abs(best.threshold) * pruningSlack;
        while (skippable < byBound.length && boundsUpTo[skippable + 1]! < floor) skippable += 1;
      }
    }
    return best.sorted().map(({ document, score }) => ({ id: this.#ids[document]!, score }));
  }

  #idfOf(term: number): number {
    const frequency = this.#postings.documentFrequency(term);
    if (frequency === 0) return 0;
    return Math.log(1 + (this.#ids.length - frequency + 0.5) / (frequency + 0.5));
  }

  #saturation(frequency: number, document: number): number {
    return (frequency * (this.k1 + 1)) / (frequency + this.#norms[document]!);
  }
}

/** For each term in order, the index of its group (−1: in none); groups are numbered as first met. */
function groupIndexes(terms: readonly string[], groups: TermGroups | undefined): number[] {
  if (!groups || groups.rest >= 1) return terms.map(() => -1);
  const numbers = new Map<string, number>();
  return terms.map((term) => {
    const key = groups.groupOf.get(term);
    if (key === undefined) return -1;
    if (!numbers.has(key)) numbers.set(key, numbers.size);
    return numbers.get(key)!;
  });
}

/**
 * The k best (document, score) pairs seen so far, in a heap whose root is the worst of them:
 * a lower score is worse, and of equal scores the larger id.
 */
class TopK {
  readonly #documents: Int32Array;
  readonly #scores: Float64Array;
  #size = 0;

  constructor(
    readonly capacity: number,
    readonly idOrder: Int32Array,
  ) {
    this.#documents = new Int32Array(capacity);
    this.#scores = new Float64Array(capacity);
  }

  get full(): boolean {
    return this.#size === this.capacity;
  }

  /** The k-th best score (when full). */
  get threshold(): number {
    return this.#scores[0]!;
  }

  /** Keeps the document if it is among the k best so far; whether it was kept. */
  offer(document: number, score: number): boolean {
    if (this.#size < this.capacity) {
      let slot = this.#size;
      this.#size += 1;
      while (slot > 0) {
        const parent = (slot - 1) >> 1;
        if (!this.#worse(document, score, this.#documents[parent]!, this.#scores[parent]!)) break;
        this.#documents[slot] = this.#documents[parent]!;
        this.#scores[slot] = this.#scores[parent]!;
        slot = parent;
      }
      this.#documents[slot] = document;
      this.#scores[slot] = score;
      return true;
    }
    if (!this.#worse(this.#documents[0]!, this.#scores[0]!, document, score)) return false;
    let slot = 0;
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= this.#size) break;
      const right = left + 1;
      const child = right < this.#size && this.#worse(this.#documents[right]!, this.#scores[right]!, this.#documents[left]!, this.#scores[left]!) ? right : left;
      if (!this.#worse(this.#documents[child]!, this.#scores[child]!, document, score)) break;
      this.#documents[slot] = this.#documents[child]!;
      this.#scores[slot] = this.#scores[child]!;
      slot = child;
    }
    this.#documents[slot] = document;
    this.#scores[slot] = score;
    return true;
  }

  /** Best first. */
  sorted(): { document: number; score: number }[] {
    const entries = Array.from({ length: this.#size }, (_, i) => ({ document: this.#documents[i]!, score: this.#scores[i]! }));
    return entries.sort((x, y) => y.score - x.score || this.idOrder[x.document]! - this.idOrder[y.document]!);
  }

  #worse(document: number, score: number, other: number, otherScore: number): boolean {
    return score < otherScore || (score === otherScore && this.idOrder[document]! > this.idOrder[other]!);
  }
}
