import type { EvalItem } from './dataset.ts';
import type { Aggregates, DocOf, EvalReply, ItemScore, ScoredItem, ScoreOptions } from './metrics.ts';
import { aggregate, defaultQuoteHeadings, documentOf, scoreItem, scoreUnanswered } from './metrics.ts';
import type { FaithfulnessScorer } from './faithfulness.ts';

/**
 * Asks the system one question; `session` is set for items that belong to a conversation. A reply
 * may carry the answerer's `confidence`, which the risk–coverage curve orders answers by.
 */
export type Ask = (question: string, session?: string) => Promise<EvalReply>;

/** Where a clause came from, without its text. */
export interface ClauseRef {
  doc: string;
  locator: string;
}

/** One item's outcome, with enough of the reply to list and explain failures. */
export interface ItemResult extends ItemScore {
  id: string;
  question: string;
  session?: string;
  document: string;
  tags: string[];
  answer: string;
  citations: ClauseRef[];
  retrieved: ClauseRef[];
  /** Set when `ask` threw or returned something that could not be scored. */
  error?: string;
}

/** Every item's result, in dataset order, and the summaries over them. */
export interface EvalReport extends Aggregates {
  items: ItemResult[];
}

export interface RunOptions {
  /** Maps an item without a `doc:` tag to its document (see `documentOf`). */
  docOf?: DocOf;
  /**
   * How many questions may be in flight at once (default 1: strictly in dataset order).
   * Items of one session are always asked one after another, in dataset order.
   */
  concurrency?: number;
  /** Called as each item finishes, e.g. for a progress line. */
  onItem?: (result: ItemResult, done: number, total: number) => void;
  /** Measures the faithfulness of each answer (`zhiyin eval --llm`); see `faithfulnessScorer`. */
  faithfulness?: FaithfulnessScorer;
  /** The headings above the quoted clauses that end an answer's lead (default: the project's replies). */
  quoteHeadings?: readonly string[];
}

/**
 * Asks every item's question and scores the replies. Items are started in dataset order;
 * items sharing a `session` are one conversation, each asked only after the previous one
 * answered, and receive that session id. A question whose `ask` throws is recorded as failed
 * (with `error`) and the run goes on.
 *
 * @example
 * const report = await runEval(await loadDataset('eval/datasets/core.jsonl'), (q, s) => assistant.ask(q, s));
 * console.log(formatReport(report, 'core'));
 */
export async function runEval(items: readonly EvalItem[], ask: Ask, options: RunOptions = {}): Promise<EvalReport> {
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  let done = 0;
  const scoring: ScoreOptions = { quoteHeadings: options.quoteHeadings ?? defaultQuoteHeadings() };
  const runs = await runInSessionOrder(items, concurrency, async (item) => {
    const asked = await askAndScore(item, ask, scoring, options.faithfulness);
    const result = toItemResult(asked, options.docOf);
    options.onItem?.(result, ++done, items.length);
    return { asked, result };
  });
  return {
    items: runs.map(({ result }) => result),
    ...aggregate(
      runs.map(({ asked }) => asked),
      options.docOf,
    ),
  };
}

interface AskedItem extends ScoredItem {
  reply?: EvalReply;
  error?: string;
}

async function askAndScore(item: EvalItem, ask: Ask, scoring: ScoreOptions, faithfulness?: FaithfulnessScorer): Promise<AskedItem> {
  try {
    const reply = await ask(item.question, item.session);
    const score = scoreItem(item, reply, scoring);
    const faithful = faithfulness?.(reply);
    return { item, reply, score: faithful ? { ...score, faithfulness: faithful } : score };
  } catch (error) {
    return { item, score: scoreUnanswered(item), error: describeError(error) };
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

const clauseRef = ({ doc, locator }: ClauseRef): ClauseRef => ({ doc, locator });

function toItemResult({ item, score, reply, error }: AskedItem, docOf?: DocOf): ItemResult {
  return {
    id: item.id,
    question: item.question,
    ...(item.session === undefined ? {} : { session: item.session }),
    document: documentOf(item, docOf),
    tags: item.tags,
    ...score,
    answer: reply?.answer ?? '',
    citations: reply?.citations.map(clauseRef) ?? [],
    retrieved: reply?.retrieved.map(clauseRef) ?? [],
    ...(error === undefined ? {} : { error }),
  };
}

/**
 * Runs `work` over the items with at most `concurrency` in flight, starting them in order; an item
 * with a session waits for the previous item of that session. Results come back in item order.
 */
async function runInSessionOrder<T>(
  items: readonly EvalItem[],
  concurrency: number,
  work: (item: EvalItem) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array<T>(items.length);
  const lastOfSession = new Map<string, Promise<void>>();
  let next = 0;

  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as EvalItem;
      const previous = item.session === undefined ? undefined : lastOfSession.get(item.session);
      const finished = (async () => {
        await previous;
        results[index] = await work(item);
      })();
      if (item.session !== undefined) lastOfSession.set(item.session, finished);
      await finished;
    }
  };

  const workers = Math.min(concurrency, items.length);
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
