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

  /**
   * The index as bytes, to store and read back with {@link Postings.fromBytes}: a header, the four
   * arrays, then the terms in term-number order, NUL-separated UTF-8.
   *
   * @example const copy = Postings.fromBytes(postings.toBytes());
   */
  toBytes(): Uint8Array {
    const terms = [...this.termIds.keys()];
    if (terms.some((term) => term.includes(termSeparator))) throw new Error('Postings.toBytes: a term holds a NUL character');
    const text = new TextEncoder().encode(terms.join(termSeparator));
    const wide = this.frequencies instanceof Uint32Array;
    const header = new Int32Array([formatMagic, formatVersion, terms.length, this.documents.length, this.lengths.length, wide ? 4 : 2, text.length]);
    const parts: ArrayBufferView[] = [header, this.offsets, this.documents, this.lengths, this.frequencies];
    let size = 0;
    for (const part of parts) size += padded(part.byteLength);
    const bytes = new Uint8Array(size + text.length);
    let at = 0;
    for (const part of parts) {
      bytes.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), at);
      at += padded(part.byteLength);
    }
    bytes.set(text, at);
    return bytes;
  }

  /**
   * Reads an index written by {@link Postings.toBytes}; throws on bytes that are not one (another
   * format version, a cut-off copy, numbers out of range), so that a caller can build it afresh.
   */
  static fromBytes(stored: Uint8Array): Postings {
    // one aligned copy: the typed arrays are views over it
    const bytes = new Uint8Array(stored);
    const fail = (why: string): never => {
      throw new Error(`Postings.fromBytes: ${why}`);
    };
    if (bytes.byteLength < headerLength * 4) fail('too short');
    const [magic, version, termCount, postingCount, documentCount, frequencyWidth, textLength] = new Int32Array(bytes.buffer, 0, headerLength) as unknown as number[];
    if (magic !== formatMagic || version !== formatVersion) fail('not a postings index of this format');
    if (![termCount, postingCount, documentCount, textLength].every((n) => Number.isInteger(n) && n! >= 0) || (frequencyWidth !== 2 && frequencyWidth !== 4)) fail('bad header');
    let at = padded(headerLength * 4);
    const take = <T>(length: number, width: number, make: (offset: number) => T): T => {
      if (at + length * width > bytes.byteLength) fail('cut off');
      const array = make(at);
      at += padded(length * width);
      return array;
    };
    const offsets = take(termCount! + 1, 4, (offset) => new Int32Array(bytes.buffer, offset, termCount! + 1));
    const documents = take(postingCount!, 4, (offset) => new Int32Array(bytes.buffer, offset, postingCount!));
    const lengths = take(documentCount!, 4, (offset) => new Int32Array(bytes.buffer, offset, documentCount!));
    const frequencies = take(postingCount!, frequencyWidth!, (offset) =>
      frequencyWidth === 4 ? new Uint32Array(bytes.buffer, offset, postingCount!) : new Uint16Array(bytes.buffer, offset, postingCount!),
    );
    if (at + textLength! !== bytes.byteLength) fail('length does not match');
    const terms = textLength === 0 && termCount === 0 ? [] : new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at)).split(termSeparator);
    if (terms.length !== termCount || offsets[0] !== 0 || offsets[termCount!] !== postingCount) fail('terms and postings disagree');
    for (let term = 0; term < termCount!; term += 1) if (offsets[term + 1]! < offsets[term]!) fail('offsets out of order');
    for (const document of documents) if (document < 0 || document >= documentCount!) fail('a posting names no document');
    const termIds = new Map<string, number>();
    terms.forEach((term, id) => termIds.set(term, id));
    if (termIds.size !== termCount) fail('a term is listed twice');
    return new Postings(termIds, offsets, documents, frequencies, lengths);
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

const termSeparator = '\u0000';
/** "ZYPI", then the format's version: bytes of another layout are refused. */
const formatMagic = 0x5a595049;
const formatVersion = 1;
const headerLength = 7;
/** Each array starts on an 8-byte boundary. */
const padded = (byteLength: number): number => Math.ceil(byteLength / 8) * 8;

function grown(array: Int32Array<ArrayBuffer>, fill: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(array.length * 2).fill(fill);
  larger.set(array);
  return larger;
}
