import { normalizeText } from '../retrieval/normalize.ts';

/**
 * The keywords found in a text, longest first: an occurrence lying inside the occurrence of a
 * longer keyword does not count, so 电子商务 is not 电子, 修电脑 is not 电脑, and 火车 is not 车.
 * Each keyword is listed once, in the order of its first counted occurrence.
 *
 * @example keywordsIn('电子商务', ['电子', '电子商务', '商务']) // ['电子商务']
 */
export function keywordsIn(text: string, keywords: readonly string[]): string[] {
  const normalized = normalizeText(text);
  const occurrences: { keyword: string; start: number; end: number }[] = [];
  for (const keyword of new Set(keywords)) {
    const needle = normalizeText(keyword);
    if (needle === '') continue;
    for (let start = normalized.indexOf(needle); start !== -1; start = normalized.indexOf(needle, start + 1)) {
      occurrences.push({ keyword, start, end: start + needle.length });
    }
  }
  const counted = occurrences.filter(
    (inner) => !occurrences.some((outer) => outer.end - outer.start > inner.end - inner.start && outer.start <= inner.start && inner.end <= outer.end),
  );
  counted.sort((a, b) => a.start - b.start);
  return [...new Set(counted.map((occurrence) => occurrence.keyword))];
}
