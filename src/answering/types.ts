import type { CitationVersion } from '../knowledge/version-citations.ts';

/** What the router decided to do with a student's message. */
export type Outcome = 'answer' | 'abstain' | 'escalate';

/** A clause the answer relies on. `text` is the full chunk text. */
export interface Citation extends Partial<CitationVersion> {
  doc: string;
  title: string;
  locator: string;
  text: string;
}

/** A clause retrieval returned, best first. `text` is the full chunk text. */
export interface RetrievedClause {
  doc: string;
  locator: string;
  text: string;
  score: number;
}

/** The reply to one question; the shape behind `zhiyin ask --json` and `--jsonl`. */
export interface AskResult {
  outcome: Outcome;
  answer: string;
  citations: Citation[];
  /** The top 5 retrieved clauses. */
  retrieved: RetrievedClause[];
  latency_ms: number;
  /** Set on an `abstain` that is a clarifying question (numbered choices of clauses). */
  clarify?: true;
}
