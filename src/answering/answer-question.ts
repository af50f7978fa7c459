import type { HybridSearch, RankedClause } from '../retrieval/hybrid-search.ts';
import type { AnalyzedQuery } from '../retrieval/query.ts';
import type { Language, Replies } from '../prompts.ts';
import { maxMessageLength, routeMessage, type Route } from './router.ts';
import { chooseCited, composeExtractiveAnswer } from './extractive-answer.ts';
import type { AskResult, RetrievedClause } from './types.ts';
import { isMostlyEnglish } from '../retrieval/normalize.ts';

/** Below this share of the question's weight found in the best clause, the bot abstains. */
export const defaultMinConfidence = 0.34;

/** An answer with how it was reached, for the conversation core and the eval. */
export interface AnsweredQuestion extends AskResult {
  route: Route;
  /** Share of the question's term weight that the best clause holds (0–1); null when not searched. */
  confidence: number | null;
  language: Language;
  /** The ranked clauses behind `retrieved`, with their documents. */
  ranked: RankedClause[];
}

/**
 * How much of the question the best clause covers: the idf-weighted share of the student's own
 * terms (or their synonyms) that it contains. Terms the corpus never uses count fully against it,
 * which is what makes "高考分数线" score low even when "多少" matches.
 */
export function coverage(query: AnalyzedQuery, best: RankedClause | undefined, search: HybridSearch): number {
  if (!best || query.ownTerms.length === 0) return 0;
  const index = search.lexicalIndex;
  const words = new Set(search.tokenizer.words(`${best.clause.context} ${best.clause.text} ${best.document.region}`));
  const unknownIdf = Math.log(1 + index.size);
  let total = 0;
  let found = 0;
  for (const term of query.ownTerms) {
    const known = index.has(term);
    if (!known && (query.expandedTerms.has(term) || [...term].length < 2)) continue;
    total += known ? index.idf(term) : unknownIdf;
    if (words.has(term)) found += index.idf(term);
  }
  for (const [term, weight] of query.terms) {
    if (weight < 1 && words.has(term)) found += weight * index.idf(term);
  }
  return total === 0 ? 0 : Math.min(1, found / total);
}

/**
 * The policy-question pipeline: route → retrieve → check confidence → extractive, cited answer.
 *
 * @example
 * const answerer = new PolicyAnswerer(search, replies);
 * const result = await answerer.answer('实习单位能扣我身份证吗？');
 */
export class PolicyAnswerer {
  constructor(
    readonly search: HybridSearch,
    readonly replies: Replies,
    readonly minConfidence = defaultMinConfidence,
  ) {}

  async answer(question: string): Promise<AnsweredQuestion> {
    const started = performance.now();
    const route = routeMessage(question);
    const language: Language = isMostlyEnglish(question) ? 'en' : 'zh';
    const finish = (
      outcome: AskResult['outcome'],
      answer: string,
      extra: Partial<Pick<AnsweredQuestion, 'citations' | 'ranked' | 'confidence'>> = {},
    ): AnsweredQuestion => {
      const ranked = extra.ranked ?? [];
      return {
        outcome,
        answer,
        citations: extra.citations ?? [],
        retrieved: ranked.slice(0, 5).map(toRetrieved),
        latency_ms: Math.round((performance.now() - started) * 100) / 100,
        route,
        confidence: extra.confidence ?? null,
        language,
        ranked,
      };
    };

    if (route.kind === 'invalid') {
      const name = route.reason === 'too-long' ? 'too_long' : route.reason === 'empty' ? 'empty' : 'no_words';
      return finish('abstain', this.replies.render(language, name, { length: [...question].length, limit: maxMessageLength }));
    }
    if (route.kind === 'abstain') {
      return finish('abstain', this.replies.render(language, route.reason === 'injection' ? 'abstain_injection' : 'abstain_out_of_scope'));
    }
    const { query, results } = await this.search.search(question, 10);
    if (route.kind === 'escalate') {
      return finish('escalate', this.replies.render(language, `escalate_${route.reason}`), { ranked: results });
    }
    const confidence = coverage(query, results[0], this.search);
    if (results.length === 0 || confidence < this.minConfidence) {
      return finish('abstain', this.replies.render(language, 'abstain_low_confidence'), { ranked: results, confidence });
    }
    const cited = chooseCited(results, query, this.search.tokenizer, this.search.lexicalIndex);
    const composed = composeExtractiveAnswer({
      question,
      query,
      cited,
      language,
      replies: this.replies,
      tokenizer: this.search.tokenizer,
      index: this.search.lexicalIndex,
      lexicon: this.search.lexicon,
    });
    return finish('answer', composed.answer, { citations: composed.citations, ranked: results, confidence });
  }
}

function toRetrieved(ranked: RankedClause): RetrievedClause {
  return {
    doc: ranked.document.id,
    locator: ranked.clause.locator,
    text: ranked.clause.text,
    score: Math.round(ranked.score * 1e5) / 1e5,
  };
}
