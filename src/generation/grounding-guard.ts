import { extractClaims, supportOf, supports, type Claim, type Support } from './claims.ts';

/** A clause an answer may cite as [n]: its text and what the prompt said about its document. */
export interface GroundingSource {
  text: string;
  title?: string;
  locator?: string;
  issuer?: string;
  region?: string;
  date?: string;
}

/** One sentence of an answer, its [n] markers, its claims and those no cited clause backs. */
export interface SentenceCheck {
  /** 1-based, as the complaint to the model counts. */
  index: number;
  text: string;
  markers: number[];
  claims: Claim[];
  unsupported: Claim[];
}

/** Why an answer may not be sent as it is. */
export type GroundingProblem =
  | { kind: 'no-marker' }
  | { kind: 'unknown-marker'; marker: number }
  | { kind: 'uncited-claim'; sentence: number; claims: string[] }
  | { kind: 'unsupported-claim'; sentence: number; claims: string[]; markers: number[] };

export interface GroundingResult {
  ok: boolean;
  problems: GroundingProblem[];
  sentences: SentenceCheck[];
  /** The valid markers, in the order the answer first uses them. */
  cited: number[];
}

const markerPattern = /\[(\d+(?:\s*[,，、\-–~]\s*\d+)*)\]/gu;

/**
 * Writes the citation markers models vary on in one form: ［１］, 【1】, [1，2] → [1], [1,2].
 *
 * @example normalizeMarkers('见【2】') // '见[2]'
 */
export function normalizeMarkers(text: string): string {
  return text.replace(/[［【\[]\s*([0-9０-９]+(?:\s*[,，、\-–~]\s*[0-9０-９]+)*)\s*[］】\]]/gu, (_, inside: string) =>
    `[${inside.normalize('NFKC').replace(/\s+/gu, '').replace(/[，、]/gu, ',')}]`,
  );
}

/** The clause numbers the [n] markers in a text point at, with ranges ([1-3]) expanded. */
export function markersIn(text: string): number[] {
  const numbers: number[] = [];
  for (const match of text.matchAll(markerPattern)) {
    for (const part of match[1]!.split(/\s*[,，、]\s*/u)) {
      const [from, to] = part.split(/\s*[-–~]\s*/u).map(Number);
      if (to === undefined) numbers.push(from!);
      else for (let n = from!; n <= to && n - from! < 20; n += 1) numbers.push(n);
    }
  }
  return numbers;
}

/** The text without its [n] markers. */
export function stripMarkers(text: string): string {
  return text.replace(markerPattern, '');
}

/**
 * Renumbers markers so that the clauses are numbered in the order the answer cites them:
 * `order[k]` is the old number that becomes k + 1.
 *
 * @example renumberMarkers('甲[3]，乙[1]。', [3, 1]) // '甲[1]，乙[2]。'
 */
export function renumberMarkers(text: string, order: readonly number[]): string {
  const next = new Map(order.map((old, index) => [old, index + 1]));
  return text.replace(markerPattern, (whole, inside: string) => {
    const renumbered = markersIn(`[${inside}]`).map((old) => next.get(old));
    if (renumbered.some((value) => value === undefined)) return whole;
    return `[${[...new Set(renumbered)].join(',')}]`;
  });
}

/** Line-start list marks (-, •, 1. , （2）) and Markdown emphasis, which are layout rather than claims. */
function withoutLayout(line: string): string {
  return line
    .replace(/^\s*(?:#{1,6}\s+|[-*•·]\s*|\d{1,2}[.、)）](?=\s|\p{Script=Han})\s*|[（(]\d{1,2}[)）]\s*)/u, '')
    .replace(/\*\*|__/gu, '');
}

/**
 * The sentences of an answer, line by line, split after 。！？；!?; and after a full stop that
 * ends an English sentence (not 8.5). Markers written after the stop ("…告知。[1]") stay with the
 * sentence before them.
 */
export function splitSentences(answer: string): string[] {
  const sentences: string[] = [];
  for (const rawLine of answer.split(/\r?\n/u)) {
    const line = withoutLayout(rawLine);
    const parts = line.match(/[^。！？!?；;]*?(?:[。！？!?；;]+|\.(?=\s|$)|$)/gu) ?? [];
    const lineSentences: string[] = [];
    for (const part of parts) {
      if (part.trim() === '') continue;
      const leading = /^\s*(?:\[[^\]]*\]\s*)+/u.exec(part);
      if (leading && lineSentences.length > 0 && markersIn(leading[0]).length > 0) {
        lineSentences[lineSentences.length - 1] += leading[0];
        const rest = part.slice(leading[0].length);
        if (rest.trim() !== '') lineSentences.push(rest);
      } else {
        lineSentences.push(part);
      }
    }
    sentences.push(...lineSentences.map((sentence) => sentence.trim()).filter((sentence) => sentence !== ''));
  }
  return sentences;
}

/** The support of each source, built once per answer. */
function supportsOf(sources: readonly GroundingSource[]): Support[] {
  return sources.map((source) =>
    supportOf([source.text, source.title ?? '', source.locator ?? '', source.issuer ?? '', source.region ?? '', source.date ?? '']),
  );
}

/**
 * Checks an answer before it is sent: it cites at least one clause; every [n] points at a given
 * clause (1..N); and every number, date, percentage, ratio, 《title》 and named body in a sentence
 * appears in a clause that sentence cites (full-/half-width, spaces and Chinese/Arabic numerals
 * folded). A sentence with such claims must cite.
 *
 * @example checkGrounding('服务机构应在五个工作日内告知投诉人[1]。', [{ text: '服务机构应在 5 个工作日内…' }]).ok // true
 */
export function checkGrounding(answer: string, sources: readonly GroundingSource[]): GroundingResult {
  const text = normalizeMarkers(answer);
  const supportList = supportsOf(sources);
  const problems: GroundingProblem[] = [];
  const cited: number[] = [];
  const unknown = new Set<number>();
  const sentences = splitSentences(text).map((sentence, position): SentenceCheck => {
    const markers = [...new Set(markersIn(sentence))];
    const valid = markers.filter((n) => Number.isInteger(n) && n >= 1 && n <= sources.length);
    for (const n of markers) if (!valid.includes(n)) unknown.add(n);
    for (const n of valid) if (!cited.includes(n)) cited.push(n);
    const claims = extractClaims(stripMarkers(sentence));
    const unsupported =
      valid.length === 0 ? claims : claims.filter((claim) => !valid.some((n) => supports(supportList[n - 1]!, claim)));
    return { index: position + 1, text: sentence, markers, claims, unsupported };
  });
  if (cited.length === 0) problems.push({ kind: 'no-marker' });
  for (const marker of unknown) problems.push({ kind: 'unknown-marker', marker });
  for (const sentence of sentences) {
    if (sentence.unsupported.length === 0) continue;
    const claims = [...new Set(sentence.unsupported.map((claim) => claim.raw))];
    const valid = sentence.markers.filter((n) => n >= 1 && n <= sources.length);
    if (valid.length === 0) {
      // A sentence that only points at a clause that does not exist is reported once, as that marker.
      if (sentence.markers.length === 0) problems.push({ kind: 'uncited-claim', sentence: sentence.index, claims });
    } else {
      problems.push({ kind: 'unsupported-claim', sentence: sentence.index, claims, markers: valid });
    }
  }
  return { ok: problems.length === 0, problems, sentences, cited };
}

/** How many of an answer's sentences state something checkable, and how many of those the cited clauses back. */
export interface Faithfulness {
  claimSentences: number;
  faithfulSentences: number;
  /** The claims no cited clause backs, as written. */
  unsupported: string[];
}

/**
 * Faithfulness of an answer: of the sentences that state a number, date, ratio, title or named
 * body, the share whose claims all appear in the clauses they cite. A sentence without markers
 * is read against every source (extractive answers cite by quoting, not by [n]).
 *
 * @example sentenceFaithfulness('应在五个工作日内告知[1]。', [{ text: '应在 5 个工作日内告知' }]) // { claimSentences: 1, faithfulSentences: 1, unsupported: [] }
 */
export function sentenceFaithfulness(answer: string, sources: readonly GroundingSource[]): Faithfulness {
  const supportList = supportsOf(sources);
  const result: Faithfulness = { claimSentences: 0, faithfulSentences: 0, unsupported: [] };
  for (const sentence of splitSentences(normalizeMarkers(answer))) {
    const claims = extractClaims(stripMarkers(sentence));
    if (claims.length === 0) continue;
    const markers = markersIn(sentence).filter((n) => n >= 1 && n <= sources.length);
    const cited = markers.length > 0 ? markers.map((n) => supportList[n - 1]!) : supportList;
    const unsupported = claims.filter((claim) => !cited.some((support) => supports(support, claim)));
    result.claimSentences += 1;
    if (unsupported.length === 0) result.faithfulSentences += 1;
    else result.unsupported.push(...unsupported.map((claim) => claim.raw));
  }
  return result;
}
