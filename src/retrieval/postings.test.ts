import { describe, expect, it } from 'vitest';
import { Postings } from './postings.ts';

const postingsOf = (postings: Postings, term: string): { documents: number[]; frequencies: number[] } => {
  const id = postings.termIds.get(term)!;
  const [start, end] = [postings.offsets[id]!, postings.offsets[id + 1]!];
  return { documents: [...postings.documents.subarray(start, end)], frequencies: [...postings.frequencies.subarray(start, end)] };
};

describe('Postings', () => {
  it('lists each term’s documents in order with how often it occurs there, and each document’s length', () => {
    const postings = Postings.build([['实习', '押金', '实习'], [], ['押金'], ['实习', '实习', '实习', '保险']]);
    expect(postingsOf(postings, '实习')).toEqual({ documents: [0, 3], frequencies: [2, 3] });
    expect(postingsOf(postings, '押金')).toEqual({ documents: [0, 2], frequencies: [1, 1] });
    expect(postingsOf(postings, '保险')).toEqual({ documents: [3], frequencies: [1] });
    expect([...postings.lengths]).toEqual([3, 0, 1, 4]);
    expect(postings.documentFrequency(postings.termIds.get('实习')!)).toBe(2);
    expect(postings.termIds.has('高考')).toBe(false);
  });

  it('keeps a frequency above 65,535 exact', () => {
    const postings = Postings.build([Array.from({ length: 70_000 }, () => '的'), ['的']]);
    expect(postingsOf(postings, '的').frequencies).toEqual([70_000, 1]);
  });

  it('indexes more terms than its first tables hold', () => {
    const terms = Array.from({ length: 5000 }, (_, i) => `t${i}`);
    const postings = Postings.build([terms, terms.slice(0, 2500)]);
    expect(postings.termIds.size).toBe(5000);
    expect(postingsOf(postings, 't2499').documents).toEqual([0, 1]);
    expect(postingsOf(postings, 't4999').documents).toEqual([0]);
  });

  it('seeks the first posting at or after a document, as a linear scan would', () => {
    const documents = Array.from({ length: 3000 }, (_, i) => (i % 7 === 0 || i % 13 === 0 ? ['x'] : ['y']));
    const postings = Postings.build(documents);
    const id = postings.termIds.get('x')!;
    const [start, end] = [postings.offsets[id]!, postings.offsets[id + 1]!];
    const linear = (from: number, target: number): number => {
      let position = from;
      while (position < end && postings.documents[position]! < target) position += 1;
      return position;
    };
    for (const from of [start, start + 1, start + 100, end - 1, end]) {
      for (let target = 0; target <= 3001; target += 17) expect(postings.seek(from, end, target), `from ${from} to ${target}`).toBe(linear(from, target));
    }
  });

  it('reads back from its bytes the same index, narrow or wide frequencies', () => {
    for (const documents of [[['实习', '押金', '实习'], [], ['押金'], ['实习', '保险']], [Array.from({ length: 70_000 }, () => '的'), ['的', '保险']], []]) {
      const postings = Postings.build(documents);
      const copy = Postings.fromBytes(postings.toBytes());
      expect([...copy.termIds]).toEqual([...postings.termIds]);
      expect(copy.offsets).toEqual(postings.offsets);
      expect(copy.documents).toEqual(postings.documents);
      expect(copy.frequencies).toEqual(postings.frequencies);
      expect(copy.lengths).toEqual(postings.lengths);
    }
  });

  it('reads bytes at any offset of a larger buffer (as a database driver hands them over)', () => {
    const bytes = Postings.build([['实习', '押金'], ['押金']]).toBytes();
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(postingsOf(Postings.fromBytes(shifted.subarray(3)), '押金')).toEqual({ documents: [0, 1], frequencies: [1, 1] });
  });

  it('refuses bytes that are not a whole index of its format', () => {
    const bytes = Postings.build([['实习', '押金'], ['押金']]).toBytes();
    expect(() => Postings.fromBytes(bytes.subarray(0, bytes.length - 1))).toThrow(/Postings.fromBytes/u);
    expect(() => Postings.fromBytes(new Uint8Array(16))).toThrow(/Postings.fromBytes/u);
    const otherVersion = new Uint8Array(bytes);
    new DataView(otherVersion.buffer).setInt32(4, 2, true);
    expect(() => Postings.fromBytes(otherVersion)).toThrow(/format/u);
    const badDocument = new Uint8Array(bytes);
    const documentsAt = 32 + Math.ceil((3 * 4) / 8) * 8;
    new DataView(badDocument.buffer).setInt32(documentsAt, 7, true);
    expect(() => Postings.fromBytes(badDocument)).toThrow(/no document/u);
  });
});
