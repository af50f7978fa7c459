import { issuerNames } from '../answering/document-question.ts';
import type { DocumentInfo } from '../knowledge/snapshot.ts';
import type { Clause } from '../knowledge/types.ts';
import { stripWhitespace } from '../retrieval/normalize.ts';
import type { SourceAsks } from './follow-up.ts';

/**
 * The clause of a document whose own text states what a source question asks — who issued or
 * drafted it (a signature block, 本标准起草单位, 由教育部负责解释), when (the signed date, 自发布之日起施行)
 * or where it applies (a clause naming its region) — so that the answer to "谁发的" cites the
 * words that say so, not only the clause answered before. Null when no clause states it.
 *
 * @example statingClause('who', shandong, clauses) // the 落款 clause: 山东省人力资源和社会保障厅 山东省教育厅 …
 */
export function statingClause(asks: SourceAsks, document: DocumentInfo, clauses: readonly Clause[]): Clause | null {
  const own = clauses.filter((clause) => clause.docId === document.id);
  const flat = (clause: Clause): string => stripWhitespace(clause.text);
  const preferred = (candidates: Clause[], saying: RegExp): Clause | null =>
    candidates.find((clause) => clause.locator === '落款') ?? candidates.find((clause) => saying.test(flat(clause))) ?? candidates[0] ?? null;
  if (asks === 'who') {
    const names = issuerNames(document.issuer);
    const naming = own.filter((clause) => names.some((name) => flat(clause).includes(name)));
    return preferred(naming, /起草单位|负责解释|印发|发布|制定/u) ?? own.find((clause) => /起草单位|负责解释/u.test(flat(clause))) ?? null;
  }
  if (asks === 'when') {
    const date = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(document.date ?? '');
    const written = date ? `${date[1]}年${Number(date[2])}月${Number(date[3])}日` : null;
    const dated = written ? own.filter((clause) => flat(clause).includes(written)) : [];
    return preferred(dated, /施行|印发|发布/u) ?? own.find((clause) => /自.{0,12}(?:施行|生效)/u.test(flat(clause))) ?? null;
  }
  if (asks === 'where') {
    const stem = document.region.replace(/(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市)$/u, '');
    if (stem === '全国' || stem === '') return null;
    return own.find((clause) => clause.locator !== '落款' && flat(clause).includes(stem)) ?? null;
  }
  return null;
}
