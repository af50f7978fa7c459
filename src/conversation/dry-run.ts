import type { Assistant } from '../assistant.ts';
import type { AskResult } from '../answering/types.ts';
import { MemoryConversationStore } from './conversation-store.ts';
import { ConversationCore } from './core.ts';

/** Asks one question, continuing `session`'s conversation when given, else as a fresh student. */
export type SessionAsk = (question: string, session: string | undefined) => Promise<AskResult & { confidence: number | null }>;

/**
 * Answers as the conversation core does, in a dry run: conversations live in memory only, no
 * ticket is created, no rating is asked for. Questions sharing a session continue one
 * conversation; without a session each is a fresh student. Behind `zhiyin ask` and `zhiyin eval`.
 *
 * @example
 * const ask = dryRunAsk(assistant);
 * await ask('中职学校要配几名职业指导老师？', 's1');
 * await ask('那高职呢？', 's1'); // a follow-up
 */
export function dryRunAsk(assistant: Assistant): SessionAsk {
  const core = new ConversationCore(assistant, new MemoryConversationStore(), { rateEveryAnswers: 0 });
  let fresh = 0;
  return async (question, session) => {
    const turn = await core.handle({ channel: 'cli', userId: session === undefined ? `fresh-${(fresh += 1)}` : `session-${session}`, kind: 'text', text: question });
    return {
      outcome: turn.outcome,
      answer: turn.replies.map((reply) => reply.text).join('\n\n'),
      citations: turn.citations,
      retrieved: turn.retrieved,
      latency_ms: turn.latencyMs,
      ...(turn.answered?.clarify ? { clarify: true } : {}),
      // how sure the answerer was (the answerability model's probability, else retrieval coverage)
      confidence: turn.answered?.assessment?.probability ?? turn.answered?.confidence ?? null,
    };
  };
}
