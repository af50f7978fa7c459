/**
 * An inverted index in typed arrays: every term's postings (document numbers ascending, each with
 * the term's frequency in that document) laid end to end, as compressed sparse rows. A posting
 * costs 6 bytes (8 when some term repeats more than 65,535 times in one document), instead of a
 * map entry per posting.
 *
 * @example
 * const postings = Postings.build([['实习', '押金'], ['实习']]);
 * const term = postings.termIds.get('实习')!; // 0
 * postings.documents.subarray(postings.offsets[term], postings.offsets[term + 1]); // [0, 1]
 */
export class Postings {
  private constructor(
    /** Term → term number. */
    readonly termIds: Map<string, number>,
    /** Term t's postings are positions `offsets[t]` to `offsets[t + 1]` (exclusive). */
    readonly offsets: Int32Array,
    /** The document number of each posting, ascending within a term. */
    readonly documents: Int32Array,
    /** How often the term occurs in that document. */
    readonly frequencies: Uint16Array | Uint32Array,
    /** Each document's length in terms. */
    readonly lengths: Int32Array,
  ) {}

  /** Indexes documents given as their terms, in order; a document's number is its position. */
  static build(documents: ReadonlyArray<readonly string[]>): Postings {
    const lengths = new Int32Array(documents.length);
    let total = 0;
    documents.forEach((terms, document) => {
      lengths[document] = terms.length;
      total += terms.length;
    });
    // One (term, document, frequency) triple per distinct term of a document, in document order.
    const termOf = new Int32Array(total);
    const documentOf = new Int32Array(total);
    const frequencyOf = new Uint32Array(total);
    const termIds = new Map<string, number>();
    let lastDocument = new Int32Array(1024).fill(-1);
    let lastTriple = new Int32Array(1024);
    let documentFrequency = new Int32Array(1024);
    let triples = 0;
    let maxFrequency = 0;
    documents.forEach((terms, document) => {
      for (const term of terms) {
        let id = termIds.get(term);
        if (id === undefined) {
          id = termIds.size;
          termIds.set(term, id);
          if (id === lastDocument.length) {
            lastDocument = grown(lastDocument, -1);
            lastTriple = grown(lastTriple, 0);
            documentFrequency = grown(documentFrequency, 0);
          }
        }
        if (lastDocument[id] === document) {
          const frequency = (frequencyOf[lastTriple[id]!] = frequencyOf[lastTriple[id]!]! + 1);
          if (frequency > maxFrequency) maxFrequency = frequency;
          continue;
        }
        lastDocument[id] = document;
        lastTriple[id] = triples;
        documentFrequency[id] = documentFrequency[id]! + 1;
        termOf[triples] = id;
        documentOf[triples] = document;
        frequencyOf[triples] = 1;
        if (maxFrequency === 0) maxFrequency = 1;
        triples += 1;
      }
    });
    const terms = termIds.size;
    const offsets = new Int32Array(terms + 1);
    for (let term = 0; term < terms; term += 1) offsets[term + 1] = offsets[term]! + documentFrequency[term]!;
    const next = offsets.slice(0, terms);
    const postingDocuments = new Int32Array(triples);
    const frequencies = maxFrequency > 0xffff ? new Uint32Array(triples) : new Uint16Array(triples);
    // Triples come in document order, so each term's postings come out ascending.
    for (let triple = 0; triple < triples; triple += 1) {
      const position = next[termOf[triple]!]!;
      next[termOf[triple]!] = position + 1;
      postingDocuments[position] = documentOf[triple]!;
      frequencies[position] = frequencyOf[triple]!;
    }
    return new Postings(termIds, offsets, postingDocuments, frequencies, lengths);
  }

  /** How many documents hold the term (by number). */
  documentFrequency(term: number): number {
    return this.offsets[term + 1]! - this.offsets[term]!;
  }

  /**
   * The first position in `from`…`end` (exclusive) whose document is `target` or after it; `end`
   * when there is none. Gallops, then bisects: cheap for the short hops of a merge.
   */
  seek(from: number, end: number, target: number): number {
    const documents = this.documents;
    if (from >= end || documents[from]! >= target) return from;
    let low = from;
    let step = 1;
    let high = from + step;
    while (high < end && documents[high]! < target) {
      low = high;
      step *= 2;
      high = from + step;
    }
    if (high > end) high = end;
    // documents[low] < target; the answer lies in low + 1 … high
    let lo = low + 1;
    while (lo < high) {
      const middle = (lo + high) >>> 1;
      if (documents[middle]! < target) lo = middle + 1;
      else high = middle;
    }
    return lo;
  }
}

function grown(array: Int32Array<ArrayBuffer>, fill: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(array.length * 2).fill(fill);
  larger.set(array);
  return larger;
}
