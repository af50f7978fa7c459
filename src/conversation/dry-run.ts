import type { Assistant } from '../assistant.ts';
import type { AskResult } from '../answering/types.ts';
import type { Language, Replies } from '../prompts.ts';
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
    const answer = turn.replies.map((reply) => reply.text).join('\n\n');
    const language = turn.answered?.language ?? 'zh';
    // a low-confidence escalation keeps what was found (the abstention), then says no teacher comes
    const found = turn.escalation?.reason === 'low-confidence' && turn.answered && turn.answered.outcome !== 'escalate' ? `${turn.answered.answer}\n\n` : '';
    return {
      outcome: turn.outcome,
      answer: turn.outcome === 'escalate' ? `${found}${noTicketReply(assistant.replies, language, turn.escalation?.reason)}` : answer,
      citations: turn.citations,
      retrieved: turn.retrieved,
      latency_ms: turn.latencyMs,
      ...(turn.answered?.clarify ? { clarify: true } : {}),
      // how sure the answerer was (the answerability model's probability, else retrieval coverage)
      confidence: turn.answered?.assessment?.probability ?? turn.answered?.confidence ?? null,
    };
  };
}

/**
 * What an escalation says where no ticket is opened (a dry run: `zhiyin ask`, `zhiyin eval`,
 * `POST /api/ask`): that no teacher will see it or reply, and where to reach one; a crisis keeps
 * the emergency and hotline numbers.
 *
 * @example noTicketReply(assistant.replies, 'zh', 'person') // '这个问题需要老师来帮你。但这里是试运行，没有建工单…'
 */
export function noTicketReply(replies: Replies, language: Language, reason: string | undefined): string {
  return replies.render(language, reason === 'crisis' ? 'dry_run_crisis' : 'dry_run_escalated');
}
