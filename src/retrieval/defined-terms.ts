import type { AnalyzedQuery } from './query.ts';
import type { Tokenizer } from './tokenizer.ts';

/**
 * Short names a document defines for its own terms: "江西省人力资源和社会保障厅（以下简称省人社厅）"
 * makes 省人社厅 stand for the long name in that document. A student who uses either name finds
 * the clauses that use the other.
 */

/** 「long（以下简称“short”）」 and its variants (以下称, 下称, quotes of any kind or none). */
const definition = /([^，。；：、,;:\s（(]{2,40})[（(](?:以下简称|以下称|下称|简称)[“"「『《]?([^”"」』》）)，。]{2,12})[”"」』》]?[）)]/gu;

/** A short name for the document itself (《办法》, 本规定) says nothing a question could use. */
const documentItself = /^本?(?:办法|规定|意见|通知|细则|条例|标准|方案|规划|计划|规程|制度|决定)$/u;

/** The long name is what follows the last of these words before it (本文件适用于…, 给予…), or one of these characters opening it (对…). */
const beforeTheName = /^.*(?:规定了|适用于|是指|包括|给予|设立|成立|组建)|^(?:对|为|由|向|将|是)/u;

/** One short name and the long name it stands for. */
export interface DefinedTerm {
  short: string;
  long: string;
}

/**
 * The short names a text defines, each with its long name, in order; a short name defined
 * twice keeps its first long name.
 *
 * @example definedTerms('江西省人力资源和社会保障厅（以下简称省人社厅）负责…') // [{ short: '省人社厅', long: '江西省人力资源和社会保障厅' }]
 */
export function definedTerms(text: string): DefinedTerm[] {
  const terms: DefinedTerm[] = [];
  for (const [, before, short] of text.matchAll(definition)) {
    const long = before!.replace(beforeTheName, '').replace(/^[《“"「]|[》”"」]$/gu, '');
    const name = short!.trim();
    if ([...long].length < 2 || long === name || documentItself.test(name) || terms.some((term) => term.short === name)) continue;
    terms.push({ short: name, long });
  }
  return terms;
}

/** How much a defined name's other form counts next to the student's own words (as a synonym does). */
const definedTermWeight = 0.6;

/**
 * Adds to a question that uses one name of a defined term the other name: its words as search
 * terms, and the name itself as a phrase of the concept the student's word belongs to, so that a
 * clause using the other name holds that concept.
 *
 * @example withDefinedTerms(query, [{ short: '见习补贴', long: '就业见习补贴' }], tokenizer)
 */
export function withDefinedTerms(query: AnalyzedQuery, terms: readonly DefinedTerm[], tokenizer: Pick<Tokenizer, 'exactWords'>): AnalyzedQuery {
  for (const { short, long } of terms) {
    const [said, other] = query.searchText.includes(long) ? [long, short] : query.searchText.includes(short) ? [short, long] : [null, null];
    if (said === null || other === null) continue;
    for (const word of tokenizer.exactWords(other)) if ([...word].length >= 2 && !query.terms.has(word)) query.terms.set(word, definedTermWeight);
    const concepts = query.concepts.filter((concept) => concept.terms.some((term) => said.includes(term)));
    for (const concept of concepts) if (!concept.phrases.includes(other)) concept.phrases.push(other);
  }
  return query;
}
