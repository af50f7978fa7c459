import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { AskResult } from '../answering/types.ts';

/** One output line of `zhiyin ask --jsonl`: the stable contract other tools read. */
export interface AskLine {
  id: string | null;
  outcome: AskResult['outcome'];
  answer: string;
  citations: AskResult['citations'];
  retrieved: { doc: string; locator: string; text: string }[];
  latency_ms: number;
  /** Only on a clarifying question (outcome `abstain`). */
  clarify?: true;
  /** Only when the input line could not be read. */
  error?: string;
}

/** The contract's shape of a result: exactly the documented fields, `retrieved` without scores. */
export function toAskLine(id: string | null, result: AskResult): AskLine {
  return {
    id,
    outcome: result.outcome,
    answer: result.answer,
    citations: result.citations.map(({ doc, title, locator, text }) => ({ doc, title, locator, text })),
    retrieved: result.retrieved.slice(0, 5).map(({ doc, locator, text }) => ({ doc, locator, text })),
    latency_ms: result.latency_ms,
    ...(result.clarify ? { clarify: true } : {}),
  };
}

export type AskFunction = (question: string, session: string | undefined) => Promise<AskResult>;

/**
 * Reads `{"id","question"[,"session"]}` lines and writes one result line for each, in order.
 * A line that is not such an object still gets a line back, with `error` saying why.
 */
export async function answerLines(input: Readable, output: Writable, ask: AskFunction): Promise<{ lines: number; errors: number }> {
  const reader = createInterface({ input, crlfDelay: Infinity });
  let lines = 0;
  let errors = 0;
  for await (const raw of reader) {
    if (raw.trim() === '') continue;
    lines += 1;
    let line: AskLine;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const item = parsed as { id?: unknown; question?: unknown; session?: unknown } | undefined;
    const id = item && (typeof item.id === 'string' || typeof item.id === 'number') ? String(item.id) : null;
    if (!item || typeof item !== 'object' || typeof item.question !== 'string') {
      errors += 1;
      line = {
        id,
        outcome: 'abstain',
        answer: '',
        citations: [],
        retrieved: [],
        latency_ms: 0,
        error: parsed === undefined ? `line ${lines}: not valid JSON` : `line ${lines}: needs a string "question"`,
      };
    } else {
      const session = typeof item.session === 'string' || typeof item.session === 'number' ? String(item.session) : undefined;
      line = toAskLine(id, await ask(item.question, session));
    }
    output.write(`${JSON.stringify(line)}\n`);
  }
  return { lines, errors };
}
