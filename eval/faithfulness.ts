import type { AskResult } from '../src/answering/types.ts';
import type { Language, Replies } from '../src/prompts.ts';
import { sentenceFaithfulness, type GroundingSource } from '../src/generation/grounding-guard.ts';

/** One reply's faithfulness: sentences stating a number, date, ratio, title or named body, and those its citations back. */
export interface FaithfulnessScore {
  claimSentences: number;
  faithfulSentences: number;
  /** Claims no cited clause backs, as written. */
  unsupported: string[];
}

/** A cited document's facts the answer may name besides the clause text: issuer, region, date. */
export type DocumentFacts = (doc: string) => Pick<GroundingSource, 'issuer' | 'region' | 'date'> | undefined;

/** Scores one reply; null when it is not an answer or states nothing checkable. */
export type FaithfulnessScorer = (reply: AskResult) => FaithfulnessScore | null;

/**
 * The answer's own sentences: the text before the first section heading (原文 quotes, sources,
 * caveats, glossary), which are the clauses' words or the system's templates, not claims.
 *
 * @example answerBody('不可以[1]。\n\n【出处】\n[1] 《…》', ['【出处】']) // '不可以[1]。'
 */
export function answerBody(answer: string, headings: readonly string[]): string {
  const lines = answer.split('\n');
  const end = lines.findIndex((line) => headings.includes(line.trim()));
  return (end === -1 ? lines : lines.slice(0, end)).join('\n').trim();
}

/**
 * Faithfulness as the grounding guard reads it, for generated and extractive answers alike: of
 * the answer's sentences with claims (numbers, dates, ratios, 《titles》, named bodies), the share
 * whose claims appear in the clauses they cite — [k] is the k-th citation; a sentence without
 * markers (the extractive direct line) is read against all of them.
 *
 * @example const score = faithfulnessScorer(replies, factsOf)(await ask('实习押金能收吗'));
 */
export function faithfulnessScorer(replies: Replies, documentFacts: DocumentFacts = () => undefined): FaithfulnessScorer {
  const headings = (['zh', 'en'] as Language[]).flatMap((language) =>
    ['answer_quote_heading', 'answer_source_heading', 'caveat_heading', 'glossary_heading']
      .filter((name) => replies.has(language, name))
      .map((name) => replies.render(language, name).trim()),
  );
  return (reply) => {
    if (reply.outcome !== 'answer' || reply.citations.length === 0) return null;
    const sources = reply.citations.map((citation): GroundingSource => ({
      text: citation.text,
      title: citation.title,
      locator: citation.locator,
      ...documentFacts(citation.doc),
    }));
    const score = sentenceFaithfulness(answerBody(reply.answer, headings), sources);
    return score.claimSentences === 0 ? null : score;
  };
}
