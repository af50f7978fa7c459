import type { Clause } from '../knowledge/types.ts';
import type { DocumentInfo, KnowledgeSnapshot } from '../knowledge/snapshot.ts';
import { createHash } from 'node:crypto';
import { Bm25Index, type ScoredId, type TermGroups } from './bm25.ts';
import { Postings } from './postings.ts';
import type { Lexicon } from './lexicon.ts';
import { analyzeQuery, synonymExpansions, withTheirPieces, type AnalyzedQuery } from './query.ts';
import type { Tokenizer } from './tokenizer.ts';
import { normalizeText } from './normalize.ts';
import { HomophoneCorrector } from './homophones.ts';
import { answerTypeIsStrict, holdsAnswerType } from './answer-types.ts';
import { amountUnits, outsideAmounts, wordsOutsideAmounts } from './amount-units.ts';
import { definedTerms, withDefinedTerms, type DefinedTerm } from './defined-terms.ts';

/** The province of a corpus region that is a city, as students may name it instead. */
const provinceOf: Record<string, string[]> = { 拉萨市: ['西藏自治区', '西藏'] };

/**
 * The kinds of school a question or a document's `audience` may name. 高职 (higher vocational
 * college) is higher education; 中职 and 职高 are secondary vocational schools.
 */
const schoolTypes: ReadonlyArray<{ type: string; pattern: RegExp }> = [
  { type: '中职', pattern: /中职|中等职业|职业高中|职高|中专/u },
  { type: '高校', pattern: /高校|高等学校|高等院校|高职|大学|大专|本科/u },
];

/** The school types a text names (中职, 高校). */
export function schoolTypesIn(text: string): Set<string> {
  return new Set(schoolTypes.filter(({ pattern }) => pattern.test(text)).map(({ type }) => type));
}

/**
 * Whether a document's audience names kinds of school, none of them one the question names (a
 * 中职 question and a document for 高校 graduates); a document for both, or for none named, is not.
 */
export function audienceMisses(named: ReadonlySet<string>, audience: string): boolean {
  if (named.size === 0) return false;
  const covered = schoolTypesIn(audience);
  return covered.size > 0 && ![...named].some((type) => covered.has(type));
}

/** A question asking for a list: what a list's opening part (its lead-in) answers. */
const listQuestion = /哪些|哪几|包括(?:什么|啥|哪)|都有(?:什么|啥)|\bwhat are\b|\blist\b/iu;

/** How far the later parts of a split clause fall behind its opening part for a list question. */
const listPartLag = 0.03;

/** The share of a word the student typed whole that its known pieces hold, when the rest was cut into single characters. */
const piecesOfATypedWord = 0.5;

/** The least weight a word the knowledge base uses has in a question's coverage (see `#knownIdf`). */
const minKnownIdf = 1;

/** How much a homophone repair counts next to the student's own words. */
const homophoneWeight = 0.8;

/** A question word (几级, 几个, 多少): it asks, and is nobody's typo for 积极 or 机构. */
const questionWord = /^(?:几[\p{Script=Han}]|多少|多久|多大|什么|怎么|哪[个些里年])$/u;
/** A particle (的, 吗, 呢…): a stretch holding one is words in a row (里的), not a mistyped term (立德). */
const particle = /[的了吗呢啊吧呀嘛么啦哦]/u;

/** Whether a stretch of a question is no typo: a question word, or a stretch with a particle in it. */
function isNotATypo(stretch: string): boolean {
  return questionWord.test(stretch) || particle.test(stretch);
}

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
  /** Share of the question's term weight the clause holds (0–1); see `coverage`. */
  coverage: number;
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
  /** Re-rank the fused candidates by coverage, region and answer type (off: plain fusion). */
  rerank?: boolean;
  /** How much coverage (share of the question a clause holds) counts when re-ranking. */
  coverageWeight?: number;
  /** Re-rank bonus for documents of a region the question names, and for national ones otherwise. */
  regionWeight?: number;
  nationalWeight?: number;
  /** Re-rank bonus for a clause holding the kind of answer asked for (a number, a time limit). */
  answerTypeWeight?: number;
  /**
   * Re-rank penalty for a document whose audience names school types, none of them the one the
   * question names (a 中职 question and a document for 高校 graduates).
   */
  audienceWeight?: number;
  /**
   * Re-rank penalty per share of the question that a part of a split clause holds less than its
   * best sibling (the parts share variants and headings, which cannot tell them apart).
   */
  partWeight?: number;
  /**
   * How much the other forms of one typed word (服务机构 and the pieces 服务, 机构 search mode cut
   * from it) add to a clause's BM25 score next to the best of them (1, the default: each as a word
   * of its own). At 0.5 the right clause ranks first more often (hit@1 +2 to +4 on most sets, −1 on policy), but
   * the answerability model, trained on scores with every piece counted, then answers fewer of
   * them right: lower it together with a retrained model.
   */
  pieceWeight?: number;
}

/**
 * The text BM25 indexes (and the dense model embeds) for a clause: its words plus the document
 * title, headings, lead sentence, its question variants (student wording, 关联问题) and region.
 */
export function indexTextOf(clause: Clause, document: DocumentInfo | undefined): string {
  return [document?.title ?? '', clause.context, withoutClauseNumber(clause.text), ...(clause.variants ?? []), document?.region ?? ''].join(' ');
}

/**
 * A clause's text without its own number (第十五条, 15., 4.1.3, （二）): a locator is not content,
 * so "我15岁" must not find clause 15.
 */
export function withoutClauseNumber(text: string): string {
  return text.replace(/^(?:第[一二三四五六七八九十百零]+条|\d+(?:\.\d+)*[.．、](?![\d%％])|\d+(?:\.\d+)*(?=\s)|（[一二三四五六七八九十]+）|[（(]\d+[)）])\s*/u, '');
}

/** The two lexical indexes of a snapshot, as built (or read back from the store). */
export interface LexicalPostings {
  words: Postings;
  bigrams: Postings;
}

/** Words and bigrams of the indexed texts change when this does: stored indexes of another layout are not used. */
const lexicalIndexFormat = 'lexical-index/2';
/** Tokenised into the key, so that another jieba, dictionary or mode (a different segmentation) makes another key. */
const segmentationProbe = '学生在顶岗实习期间，实习单位不得扣押其居民身份证，不得收取实习押金；职业院校应当为学生购买实习责任保险。';

/**
 * What a snapshot's lexical indexes are built from, as a hash: every clause's id and indexed texts,
 * in order, and the tokenizer (its dictionary, stopwords and how it segments). Equal keys give
 * equal indexes, so an index stored under a key serves any snapshot with that key.
 *
 * @example const key = lexicalIndexKey(snapshot, lexicon, tokenizer);
 */
export function lexicalIndexKey(snapshot: KnowledgeSnapshot, lexicon: Pick<Lexicon, 'dictionary' | 'stopwords'>, tokenizer: Tokenizer): string {
  const hash = createHash('sha256');
  hash.update(`${lexicalIndexFormat}\u0000${lexicon.dictionary}\u0000${[...lexicon.stopwords].sort().join('\u0001')}\u0000${tokenizer.words(segmentationProbe).join('\u0001')}`);
  for (const clause of snapshot.clauses) {
    hash.update(`\u0002${clause.id}\u0000${indexTextOf(clause, snapshot.documents.get(clause.docId))}\u0000${bigramTextOf(clause)}`);
  }
  return hash.digest('hex');
}

/**
 * Builds a snapshot's lexical indexes: BM25 postings over each clause's jieba words (its
 * `indexTextOf`) and over the character bigrams of its text, in clause order.
 *
 * @example const { words, bigrams } = lexicalPostingsOf(snapshot, tokenizer);
 */
export function lexicalPostingsOf(snapshot: KnowledgeSnapshot, tokenizer: Tokenizer): LexicalPostings {
  return {
    words: Postings.build(snapshot.clauses.map((clause) => wordsOutsideAmounts(indexTextOf(clause, snapshot.documents.get(clause.docId)), tokenizer))),
    bigrams: Postings.build(snapshot.clauses.map((clause) => tokenizer.bigrams(bigramTextOf(clause)))),
  };
}

/** The text the character-bigram index reads for a clause. */
function bigramTextOf(clause: Clause): string {
  return `${clause.context} ${withoutClauseNumber(clause.text)}`;
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
  /** Built at the first question, or by `prepare()` (a server calls it once it serves): it costs a start a few hundred ms. */
  #homophones: HomophoneCorrector | null = null;
  /** The lexicon's terms (see `#lexiconTerms`), gathered at the first question. */
  #terms: Set<string> | null = null;
  readonly #byId: Map<string, Clause>;
  readonly #options: Required<HybridSearchOptions>;
  /** `doc id + locator` of every clause in force: a superseded clause with such a key is shadowed. */
  readonly #inForce: Set<string>;
  /** The short names the documents define for their terms (以下简称…), with the long names. */
  readonly #definedTerms: DefinedTerm[];
  /** Each region of the documents but 全国, in document order, with the names a question may use for it. */
  readonly #regionNames = new Map<string, string[]>();

  constructor(
    readonly snapshot: KnowledgeSnapshot,
    readonly lexicon: Lexicon,
    readonly tokenizer: Tokenizer,
    readonly dense: DenseSearch | null,
    options: HybridSearchOptions = {},
    /** The snapshot's lexical indexes, read from the store (see `lexicalIndexKey`): the clauses are then not tokenised. */
    prebuilt?: LexicalPostings,
  ) {
    this.#options = { candidates: 40, rrfK: 60, lexicalWeight: 1, denseWeight: 0.3, bigramWeight: 0.25, rerank: true, coverageWeight: 0.5, regionWeight: 0.3, nationalWeight: 0.05, answerTypeWeight: 0.15, audienceWeight: 0.1, partWeight: 0.1, pieceWeight: 1, ...options };
    this.#byId = new Map(snapshot.clauses.map((clause) => [clause.id, clause]));
    this.#inForce = new Set(
      snapshot.clauses
        .filter((clause) => snapshot.documents.get(clause.docId)?.versionInfo?.state !== 'superseded')
        .map((clause) => `${clause.docId}\u0000${clause.locator}`),
    );
    for (const { region } of snapshot.documents.values()) {
      if (region === '全国' || this.#regionNames.has(region)) continue;
      this.#regionNames.set(region, [region, region.replace(/[省市]$|自治区$/u, ''), ...(provinceOf[region] ?? [])]);
    }
    this.#definedTerms = snapshot.clauses.flatMap((clause) => definedTerms(clause.text));
    const ids = snapshot.clauses.map((clause) => clause.id);
    const { words, bigrams } = prebuilt ?? lexicalPostingsOf(snapshot, tokenizer);
    this.#bm25 = Bm25Index.fromPostings(ids, words);
    this.#bigrams = Bm25Index.fromPostings(ids, bigrams);
  }

  /** Every term of the lexicon's synonym groups and domain dictionary: what a real word may be a typo for. */
  get #lexiconTerms(): Set<string> {
    return (this.#terms ??= new Set([...this.lexicon.synonyms.flat(), ...this.lexicon.dictionary.split('\n').map((line) => line.split(' ')[0]!)]));
  }

  /** The homophone index over the knowledge base's words (pinyin of every word). */
  get #corrector(): HomophoneCorrector {
    return (this.#homophones ??= new HomophoneCorrector(this.#bm25.terms()));
  }

  /** Whether what the first question needs is built (see `prepare`). */
  get prepared(): boolean {
    return this.#homophones !== null;
  }

  /** Builds now what the first question would otherwise build: the homophone index. */
  prepare(): void {
    void this.#corrector;
  }

  /** The lexical indexes, to store with the knowledge-base version. */
  get lexicalPostings(): LexicalPostings {
    return { words: this.#bm25.postings, bigrams: this.#bigrams.postings };
  }

  /** Every part of the split clause a ranked clause belongs to, in order, as ranked clauses. */
  partsOf(ranked: RankedClause): RankedClause[] {
    const { clause } = ranked;
    const parts: RankedClause[] = [];
    for (let ordinal = clause.ordinal - clause.part + 1; ordinal <= clause.ordinal + clause.parts - clause.part; ordinal += 1) {
      const part = this.#byId.get(`${clause.docId}#${ordinal}`);
      if (part) parts.push(part.id === clause.id ? ranked : { ...ranked, clause: part, coverage: 0 });
    }
    return parts;
  }

  /** A clause of the snapshot as a ranked clause with no evidence (a clause the student picked). */
  rankedClause(clauseId: string): RankedClause | null {
    const clause = this.#byId.get(clauseId);
    const document = clause ? this.snapshot.documents.get(clause.docId) : undefined;
    if (!clause || !document) return null;
    return { clause, document, score: 0, lexicalScore: 0, lexicalRank: null, denseScore: 0, denseRank: null, coverage: 0 };
  }

  /** The lexical index, for confidence checks (idf of a term, whether it occurs at all). */
  get lexicalIndex(): Bm25Index {
    return this.#bm25;
  }

  /** The question as weighted search terms: own words, synonyms and homophone repairs. */
  analyze(question: string): AnalyzedQuery {
    const query = withDefinedTerms(analyzeQuery(question, this.lexicon, this.tokenizer), this.#definedTerms, this.tokenizer);
    const tokens = this.tokenizer.tokens(query.searchText);
    const isKnown = (word: string): boolean => this.#bm25.has(word) || this.lexicon.stopwords.has(word) || isNotATypo(word);
    // a word of the language (one token jieba's dictionary knows: 一直, 心里) is a typo only for a term
    // of the lexicon (心里 → 心理 counts, 一直 → 一支 does not)
    const wholeWords = new Set(tokens.filter((token) => [...token].length >= 2));
    for (const { typed, words: heard } of this.#corrector.corrections(tokens, isKnown)) {
      const words = wholeWords.has(typed) ? heard.filter((word) => this.#lexiconTerms.has(word)) : heard;
      if (words.length === 0) continue;
      for (const word of words) if (!query.terms.has(word)) query.terms.set(word, homophoneWeight);
      const inTypo = query.concepts.filter((concept) => concept.terms.every((term) => typed.includes(term)));
      const merged = { terms: inTypo.flatMap((concept) => concept.terms), phrases: [typed, ...words] };
      query.concepts = [...query.concepts.filter((concept) => !inTypo.includes(concept)), merged];
      query.repairs.push(...words);
    }
    // a Latin word the glossary does not know may be a Chinese term spelled in pinyin (dinggang → 顶岗)
    for (const latin of new Set(query.searchText.match(/[a-z]{4,}/gu) ?? [])) {
      if (this.lexicon.glossary.has(latin) || this.lexicon.englishStopwords.has(latin)) continue;
      const words = this.#corrector.romanized(latin).filter((word) => !query.terms.has(word));
      if (words.length === 0) continue;
      for (const word of words) query.terms.set(word, homophoneWeight);
      query.concepts = [...query.concepts.filter((concept) => !concept.terms.includes(latin)), { terms: [latin], phrases: [latin, ...words] }];
      query.repairs.push(...words);
    }
    return query;
  }

  /** The k best clauses for a question, best first; `dense: false` skips the vector search (a sub-part of a question). */
  async search(
    question: string | AnalyzedQuery,
    k: number,
    options: { dense?: boolean } = {},
  ): Promise<{ query: AnalyzedQuery; results: RankedClause[] }> {
    const query = typeof question === 'string' ? this.analyze(question) : question;
    const { candidates, rrfK, lexicalWeight, denseWeight, bigramWeight } = this.#options;
    const lexical = this.#bm25.search(query.terms, candidates, this.#pieceGroups(query));
    const bigramQuery = new Map(this.tokenizer.bigrams([query.searchText, ...query.repairs].join(' ')).map((pair) => [pair, 1]));
    const bigrams = bigramWeight > 0 ? this.#bigrams.search(bigramQuery, candidates) : [];
    const denseText = [query.searchText, ...synonymExpansions(query.searchText, this.lexicon, new Set(this.tokenizer.tokens(query.searchText))), ...query.repairs].join(' ');
    const dense = this.dense && options.dense !== false && query.terms.size > 0 ? await this.dense.search(denseText, candidates).catch(() => []) : [];

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
          coverage: 0,
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
    const byScore = (x: RankedClause, y: RankedClause): number =>
      y.score - x.score || y.lexicalScore - x.lexicalScore || x.clause.ordinal - y.clause.ordinal;
    // Every candidate that any list proposed is re-ranked, so that a clause one list puts first
    // is judged on its coverage even when the other lists never saw it.
    const candidatesFound = [...fused.values()];
    const best = Math.max(0, ...candidatesFound.map((candidate) => candidate.score));
    const regions = this.regionsIn(query.searchText);
    const schools = schoolTypesIn(query.searchText);
    for (const candidate of candidatesFound) {
      candidate.coverage = this.coverage(query, candidate);
      if (!this.#options.rerank) continue;
      candidate.score =
        (best > 0 ? candidate.score / best : 0) +
        this.#options.coverageWeight * candidate.coverage +
        this.#regionPrior(regions, candidate.document.region) -
        this.#audienceMismatch(schools, candidate.document.audience) +
        (this.#answerTypeFits(query, candidate.clause) ? this.#options.answerTypeWeight * (answerTypeIsStrict(query.answerType) ? 2 : 1) : 0);
    }
    if (this.#options.rerank) this.#preferPartsHoldingTheQuestion(query, candidatesFound);
    // A superseded rule is found only where the version in force has no clause of its own there
    // (it was dropped): otherwise the clause in force answers, never a mix of both.
    const found = candidatesFound.filter(
      (candidate) => candidate.document.versionInfo?.state !== 'superseded' || !this.#inForce.has(`${candidate.document.id}\u0000${candidate.clause.locator}`),
    );
    return { query, results: found.sort(byScore).slice(0, k) };
  }

  /**
   * How much of the question a clause covers: the idf-weighted share of the student's own terms
   * (or their synonyms and repairs) that it contains. Terms the corpus never uses count against
   * it, which is what makes "华为的工资" score low even when "多少" matches.
   */
  coverage(query: AnalyzedQuery, candidate: RankedClause): number {
    const { words, text } = this.#clauseIndexText(candidate);
    return this.#coverageOf(query, words, text);
  }

  /**
   * Whether a piece of text (a lead sentence) holds the most specific thing the question asks
   * about: its rarest concept, or one the knowledge base never uses. "实习单位能不能让我加班" is not
   * about "不得将违法失信单位作为实习单位", though the two share 实习单位.
   */
  holdsMostSpecific(query: AnalyzedQuery, text: string): boolean {
    const { concepts } = this.#conceptsFound(query, new Set(this.tokenizer.words(text)), normalizeText(text));
    const most = concepts.reduce<(typeof concepts)[number] | null>((best, concept) => (best === null || concept.specificity > best.specificity ? concept : best), null);
    return most !== null && most.share >= 0.5;
  }

  /** The same share of the question as `coverage`, held by a piece of text (a lead sentence). */
  textCoverage(query: AnalyzedQuery, text: string): number {
    return this.#coverageOf(query, new Set(this.tokenizer.words(text)), normalizeText(text));
  }

  /** The typed words with their pieces, as BM25 term groups (see `pieceWeight`). */
  #pieceGroups(query: AnalyzedQuery): TermGroups {
    const groupOf = new Map<string, string>();
    for (const [piece, word] of query.pieces) {
      groupOf.set(piece, word);
      groupOf.set(word, word);
    }
    return { groupOf, rest: this.#options.pieceWeight };
  }

  /**
   * The clause's BM25 score next to the weighted idf of every query term — roughly the share of
   * the question's evidence it holds, saturated (0–1).
   */
  lexicalStrength(query: AnalyzedQuery, candidate: RankedClause): number {
    // each typed word counts as the best of its forms and a share of the others, as in the search
    const { groupOf, rest } = this.#pieceGroups(query);
    const best = new Map<string, number>();
    let ceiling = 0;
    for (const [term, weight] of query.terms) {
      if (!this.#bm25.has(term)) continue;
      const group = groupOf.get(term);
      const most = weight * this.#bm25.idf(term);
      if (group === undefined) ceiling += most;
      else {
        ceiling += rest * most;
        best.set(group, Math.max(most, best.get(group) ?? 0));
      }
    }
    for (const most of best.values()) ceiling += (1 - rest) * most;
    return ceiling === 0 ? 0 : Math.min(1, candidate.lexicalScore / (ceiling * 2.2));
  }

  /** Share of the question's concept weight whose terms the knowledge base never uses (0–1). */
  unknownShare(query: AnalyzedQuery): number {
    const unknownIdf = Math.log(1 + this.#bm25.size);
    const heads = query.heads;
    let total = 0;
    let unknown = 0;
    for (const { terms, phrases } of withTheirPieces(query.concepts)) {
      const counted = terms.filter((term) => !([...term].length < 2 && /\p{Script=Han}/u.test(term)));
      if (counted.length === 0) continue;
      // 个人所得税 is unknown to a knowledge base that never says 所得税, however often it says 个人
      const headless = counted.some((term) => heads.has(term) && !this.#bm25.has(term) && !this.#bm25.has(heads.get(term)!));
      const known =
        (!headless && counted.filter((term) => this.#bm25.has(term)).length > 0) || phrases.some((phrase) => phrase !== counted[0] && this.#bm25.has(phrase));
      const weight = known ? Math.max(...counted.map((term) => (this.#bm25.has(term) ? this.#knownIdf(term) : unknownIdf))) : unknownIdf;
      total += weight;
      if (!known) unknown += weight;
    }
    return total === 0 ? 0 : unknown / total;
  }

  /**
   * A known word's weight in the question: its idf, but never below 1. A word of the title of a
   * document that is alone in the knowledge base (or that most clauses use) has an idf near 0,
   * and would otherwise weigh nothing next to a word the knowledge base never uses.
   */
  #knownIdf(term: string): number {
    return Math.max(minKnownIdf, this.#bm25.idf(term));
  }

  #coverageOf(query: AnalyzedQuery, words: ReadonlySet<string>, text: string): number {
    const { total, found } = this.#conceptsFound(query, words, text);
    return total === 0 ? 0 : Math.min(1, found / total);
  }

  /**
   * The weight of the weightiest concept of the question that a clause lacks, next to the
   * weightiest concept of all (0: it holds every concept; 1: it lacks the question's main one);
   * words the knowledge base never uses are left to `unknownShare`.
   * "中职一年学费多少" matched on 中职 alone lacks 学费, its most specific word.
   */
  missingWeight(query: AnalyzedQuery, candidate: RankedClause): number {
    const { words, text } = this.#clauseIndexText(candidate);
    const concepts = this.#conceptsFound(query, words, text).concepts.filter(({ inCorpus }) => inCorpus);
    const heaviest = Math.max(0, ...concepts.map(({ weight }) => weight));
    const missing = Math.max(0, ...concepts.filter(({ share }) => share < 0.5).map(({ weight }) => weight));
    return heaviest === 0 ? 0 : missing / heaviest;
  }

  #conceptsFound(
    query: AnalyzedQuery,
    words: ReadonlySet<string>,
    text: string,
  ): { total: number; found: number; concepts: { weight: number; share: number; inCorpus: boolean; specificity: number }[] } {
    const unknownIdf = Math.log(1 + this.#bm25.size);
    const isHanCharacter = (term: string): boolean => [...term].length < 2 && /\p{Script=Han}/u.test(term);
    let total = 0;
    let found = 0;
    const concepts: { weight: number; share: number; inCorpus: boolean; specificity: number }[] = [];
    // "工作" is not held by "20个工作日": a word inside an amount of time or study is not the word
    const outside = outsideAmounts(text);
    const holds = (term: string): boolean => outside.includes(term) || !text.includes(term) || amountUnits.has(term);
    const heads = query.heads;
    for (const { terms, phrases, kin = [] } of withTheirPieces(query.concepts)) {
      const counted = terms.filter((term) => !isHanCharacter(term));
      const known = counted.filter((term) => this.#bm25.has(term));
      const stand = phrases.filter((phrase) => !counted.includes(phrase) && this.#bm25.has(phrase));
      let weight = known.reduce((sum, term) => sum + this.#knownIdf(term), 0);
      if (weight === 0 && stand.length > 0) weight = Math.max(...stand.map((phrase) => this.#knownIdf(phrase)));
      const inCorpus = weight > 0;
      // a concept none of whose words or synonyms the corpus uses counts against every clause
      if (weight === 0 && counted.length > 0) weight = unknownIdf;
      if (weight === 0) continue;
      total += weight;
      // the concept is held by the student's phrase, a synonym, or another word of its thesaurus group
      // a clause holding 个人 but not 所得税 does not hold 个人所得税 at all: its pieces count only with its head
      const headMissing = counted.some((term) => heads.has(term) && !(words.has(heads.get(term)!) && holds(heads.get(term)!)));
      const byPieces = headMissing ? 0 : known.filter((term) => words.has(term) && holds(term)).reduce((sum, term) => sum + this.#knownIdf(term), 0);
      // "校园霸凌" cut into 校园 and the single characters 霸 凌 is not held by 校园 alone: half of it is
      const typedWhole = terms.some(isHanCharacter) && phrases.some((phrase) => [...phrase].length >= 3 && query.text.includes(phrase) && !counted.includes(phrase));
      const held = [...phrases, ...kin].some((phrase) => [...phrase].length >= 2 && text.includes(phrase) && holds(phrase))
        ? weight
        : byPieces * (typedWhole ? piecesOfATypedWord : 1);
      found += held;
      // how specific the concept is: its rarest word, not the sum of its pieces (实习单位 is no rarer than 押金 for being cut in three)
      const specificity = inCorpus ? Math.max(0, ...[...known, ...stand].map((term) => this.#knownIdf(term))) : unknownIdf;
      concepts.push({ weight, share: held / weight, inCorpus, specificity });
    }
    return { total, found, concepts };
  }

  /**
   * The parts of a split clause share its title, headings and question variants, so those say
   * nothing about which part answers. Among the parts found, each falls behind the part whose own
   * words hold the most of the question's concepts (each concept counted by its most specific
   * word, so 实习单位 does not outweigh 押金, and 实习 alone does not hold 实习押金), by the share
   * it holds less; for a list question, parts after the opening one that hold as much fall behind it.
   */
  #preferPartsHoldingTheQuestion(query: AnalyzedQuery, candidates: RankedClause[]): void {
    const wholeOf = ({ clause }: RankedClause): string => `${clause.docId}#${clause.ordinal - clause.part}`;
    const shares = new Map(candidates.filter(({ clause }) => clause.parts > 1).map((candidate) => [candidate, this.#conceptShare(query, candidate.clause)]));
    const best = new Map<string, number>();
    for (const [candidate, share] of shares) best.set(wholeOf(candidate), Math.max(share, best.get(wholeOf(candidate)) ?? 0));
    // a question for a list (哪些, 哪几) wants the part that opens it, when no part holds more of the question
    const asksForList = listQuestion.test(query.text);
    const opening = new Map<string, number>();
    for (const [candidate, share] of shares) {
      const whole = wholeOf(candidate);
      if (share === best.get(whole)) opening.set(whole, Math.min(candidate.clause.part, opening.get(whole) ?? Infinity));
    }
    for (const [candidate, share] of shares) {
      const whole = wholeOf(candidate);
      candidate.score -= this.#options.partWeight * (best.get(whole)! - share);
      if (asksForList && candidate.clause.part > opening.get(whole)!) candidate.score -= listPartLag;
    }
  }

  /** The idf-weighted share of the question's concepts (each by its rarest known word) that a clause's own text holds. */
  #conceptShare(query: AnalyzedQuery, clause: Clause): number {
    const text = normalizeText(`${clause.context} ${withoutClauseNumber(clause.text)}`);
    const words = new Set(this.tokenizer.words(text));
    let total = 0;
    let held = 0;
    for (const { terms, phrases } of query.concepts) {
      const known = [...terms, ...phrases].filter((term) => [...term].length >= 2 && this.#bm25.has(term));
      if (known.length === 0) continue;
      const rarest = known.reduce((x, y) => (this.#bm25.idf(y) > this.#bm25.idf(x) ? y : x));
      const weight = this.#bm25.idf(rarest);
      total += weight;
      if (words.has(rarest) || phrases.some((phrase) => [...phrase].length >= 2 && text.includes(phrase))) held += weight;
    }
    return total === 0 ? 0 : held / total;
  }

  /** Whether a clause holds the kind of answer asked for: a number for "几个", a time for "多久", an amount for "多少钱". */
  #answerTypeFits(query: AnalyzedQuery, clause: Clause): boolean {
    return query.answerType !== null && holdsAnswerType(query.answerType, clause.text);
  }

  /**
   * The knowledge base's regions the question names (山东 names 山东省; 西藏 names 拉萨市, the
   * corpus's city in that province).
   */
  regionsIn(text: string): Set<string> {
    const named = new Set<string>();
    for (const [region, names] of this.#regionNames) if (names.some((name) => text.includes(name))) named.add(region);
    return named;
  }

  /**
   * A question that names a region prefers that region's documents; one that names none
   * prefers national documents, which bind every student.
   */
  #regionPrior(named: Set<string>, region: string): number {
    if (named.size > 0) return named.has(region) ? this.#options.regionWeight : 0;
    return region === '全国' ? this.#options.nationalWeight : 0;
  }

  /**
   * A question that names a kind of school (中职, 高校) is pushed away from documents written for
   * another kind only; a document for both, or for no named kind, is not touched.
   */
  #audienceMismatch(named: Set<string>, audience: string): number {
    return audienceMisses(named, audience) ? this.#options.audienceWeight : 0;
  }

  readonly #indexTextCache = new Map<string, { words: Set<string>; text: string }>();

  /** A clause's index text, normalised, and its words (kept once a clause has been a candidate). */
  #clauseIndexText(candidate: RankedClause): { words: Set<string>; text: string } {
    let indexed = this.#indexTextCache.get(candidate.clause.id);
    if (!indexed) {
      const text = indexTextOf(candidate.clause, candidate.document);
      indexed = { words: new Set(this.tokenizer.words(text)), text: normalizeText(text) };
      this.#indexTextCache.set(candidate.clause.id, indexed);
    }
    return indexed;
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
