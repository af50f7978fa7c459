import type { Database, Queryable } from '../store/database.ts';
import type { LastTurn } from './types.ts';

/** Dialogue state kept between messages (JSON). */
export interface ConversationState {
  /** What the next message is read as: part of the career dialogue, or a yes/no to deleting data. */
  mode?: 'planning' | 'confirm-delete' | null;
  /** The career dialogue in progress, or paused by 退出 (resumed by 职业规划). */
  planning?: unknown;
  lastTurn?: LastTurn | null;
  /** A 1–5 reply will be taken as a rating of this. */
  pendingRating?: 'answer' | 'plan' | null;
  /** Policy answers given so far, for spacing out rating requests. */
  answers?: number;
  /** Questions in a row the bot found no reliable clause for (escalates at the core's limit). */
  lowConfidence?: number;
  /** The student said they belong to a 就业困难群体 (seed 002): their tickets go first. */
  difficultGroup?: boolean;
  /**
   * The last policy question that got no answer (abstained): the frame the next follow-up is read
   * in ("那河南呢" after a question about 广东), until an answer is given.
   */
  frame?: LastTurn | null;
  /** The region the student said they are in, when asked what "我们省" means. */
  homeRegion?: string | null;
  /** The bot asked which region "我们省" is: a region named next is the student's own. */
  askedRegion?: boolean;
  /** A clarifying question is open: a number picks one of these clauses to answer the question from. */
  pendingChoice?: { question: string; clauseIds: string[]; language: 'zh' | 'en' } | null;
}

/** How a channel message id stands: first seen, seen but never answered, or answered before. */
export type Delivery = 'new' | 'retry' | 'duplicate';

export interface Conversation {
  id: number;
  channel: string;
  userId: string;
  state: ConversationState;
}

export type Role = 'student' | 'assistant' | 'teacher' | 'system';

export interface StoredMessage {
  role: Role;
  text: string;
  meta: Record<string, unknown>;
  createdAt: Date;
}

export interface StoredPlan {
  plan: unknown;
  markdown: string;
  createdAt: Date;
}

/**
 * Where conversations live: state, history, the career archive and ratings. The SQL store keeps
 * them across restarts; the in-memory one serves dry runs (`zhiyin ask --jsonl`).
 */
export interface ConversationStore {
  /** The conversation of (channel, user), created on first contact. */
  open(channel: string, userId: string): Promise<Conversation>;
  saveState(conversationId: number, state: ConversationState): Promise<void>;
  append(conversationId: number, role: Role, text: string, meta?: Record<string, unknown>): Promise<void>;
  history(conversationId: number, limit?: number): Promise<StoredMessage[]>;
  /**
   * Records a channel message id: `new` the first time; `retry` for a message recorded before but
   * never answered (the process stopped), to be answered now; `duplicate` once it was answered.
   */
  firstDelivery(channel: string, messageId: string, conversationId: number): Promise<Delivery>;
  /** Marks a channel message answered: from now on a repeat of it is a duplicate. */
  markHandled(channel: string, messageId: string): Promise<void>;
  savePlan(conversationId: number, plan: unknown, markdown: string): Promise<void>;
  latestPlan(conversationId: number): Promise<StoredPlan | null>;
  saveAssessment(conversationId: number, result: unknown): Promise<void>;
  rate(conversationId: number, subject: 'answer' | 'plan', score: number): Promise<void>;
  ratingSummary(): Promise<{ subject: string; count: number; average: number }[]>;
  /** Deletes the conversation, its history, plans and assessments (ratings stay, unlinked). */
  forget(conversationId: number): Promise<void>;
}

/** Conversations in the database (PGlite or Postgres). */
export class SqlConversationStore implements ConversationStore {
  constructor(readonly db: Database) {}

  async open(channel: string, userId: string): Promise<Conversation> {
    const { rows } = await this.db.query<{ id: number; state: ConversationState }>(
      `insert into conversations (channel, user_id) values ($1, $2)
       on conflict (channel, user_id) do update set updated_at = conversations.updated_at
       returning id, state`,
      [channel, userId],
    );
    const row = rows[0]!;
    return { id: Number(row.id), channel, userId, state: row.state ?? {} };
  }

  async saveState(conversationId: number, state: ConversationState): Promise<void> {
    await this.db.query('update conversations set state = $2::jsonb, updated_at = now() where id = $1', [
      conversationId,
      JSON.stringify(state),
    ]);
  }

  async append(conversationId: number, role: Role, text: string, meta: Record<string, unknown> = {}): Promise<void> {
    await this.db.query('insert into conversation_messages (conversation_id, role, text, meta) values ($1, $2, $3, $4::jsonb)', [
      conversationId,
      role,
      text,
      JSON.stringify(meta),
    ]);
  }

  async history(conversationId: number, limit = 50): Promise<StoredMessage[]> {
    const { rows } = await this.db.query<{ role: Role; text: string; meta: Record<string, unknown>; created_at: Date }>(
      `select role, text, meta, created_at from (
         select * from conversation_messages where conversation_id = $1 order by id desc limit $2
       ) recent order by id`,
      [conversationId, limit],
    );
    return rows.map((row) => ({ role: row.role, text: row.text, meta: row.meta ?? {}, createdAt: new Date(row.created_at) }));
  }

  async firstDelivery(channel: string, messageId: string, conversationId: number): Promise<Delivery> {
    const { rows } = await this.db.query<{ inserted: boolean }>(
      `insert into inbound_messages (channel, message_id, conversation_id) values ($1, $2, $3)
       on conflict (channel, message_id) do update set received_at = now(), conversation_id = excluded.conversation_id
       where inbound_messages.handled_at is null
       returning (xmax = 0) as inserted`,
      [channel, messageId, conversationId],
    );
    if (rows.length === 0) return 'duplicate';
    return rows[0]!.inserted ? 'new' : 'retry';
  }

  async markHandled(channel: string, messageId: string): Promise<void> {
    await this.db.query('update inbound_messages set handled_at = now() where channel = $1 and message_id = $2', [channel, messageId]);
  }

  async savePlan(conversationId: number, plan: unknown, markdown: string): Promise<void> {
    await this.db.query('insert into career_plans (conversation_id, plan, markdown) values ($1, $2::jsonb, $3)', [
      conversationId,
      JSON.stringify(plan),
      markdown,
    ]);
  }

  async latestPlan(conversationId: number): Promise<StoredPlan | null> {
    const { rows } = await this.db.query<{ plan: unknown; markdown: string; created_at: Date }>(
      'select plan, markdown, created_at from career_plans where conversation_id = $1 order by id desc limit 1',
      [conversationId],
    );
    const row = rows[0];
    return row ? { plan: row.plan, markdown: row.markdown, createdAt: new Date(row.created_at) } : null;
  }

  async saveAssessment(conversationId: number, result: unknown): Promise<void> {
    await this.db.query('insert into assessments (conversation_id, result) values ($1, $2::jsonb)', [conversationId, JSON.stringify(result)]);
  }

  async rate(conversationId: number, subject: 'answer' | 'plan', score: number): Promise<void> {
    await this.db.query('insert into ratings (conversation_id, subject, score) values ($1, $2, $3)', [conversationId, subject, score]);
  }

  async ratingSummary(): Promise<{ subject: string; count: number; average: number }[]> {
    const { rows } = await this.db.query<{ subject: string; count: number; average: number }>(
      `select subject, count(*)::int as count, avg(score)::float8 as average from ratings group by subject order by subject`,
    );
    return rows;
  }

  async forget(conversationId: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query('delete from conversations where id = $1', [conversationId]);
    });
  }
}

/** Conversations held in memory only: for dry runs, where nothing may be stored. */
export class MemoryConversationStore implements ConversationStore {
  #next = 1;
  readonly #conversations = new Map<string, Conversation>();
  readonly #messages = new Map<number, StoredMessage[]>();
  readonly #delivered = new Set<string>();
  readonly #seen = new Set<string>();
  readonly #plans = new Map<number, StoredPlan[]>();
  readonly #ratings: { subject: string; score: number }[] = [];

  async open(channel: string, userId: string): Promise<Conversation> {
    const key = `${channel}\u0000${userId}`;
    let conversation = this.#conversations.get(key);
    if (!conversation) {
      conversation = { id: this.#next++, channel, userId, state: {} };
      this.#conversations.set(key, conversation);
    }
    return { ...conversation, state: structuredClone(conversation.state) };
  }

  async saveState(conversationId: number, state: ConversationState): Promise<void> {
    for (const conversation of this.#conversations.values()) {
      if (conversation.id === conversationId) conversation.state = structuredClone(state);
    }
  }

  async append(conversationId: number, role: Role, text: string, meta: Record<string, unknown> = {}): Promise<void> {
    const messages = this.#messages.get(conversationId) ?? [];
    messages.push({ role, text, meta, createdAt: new Date() });
    this.#messages.set(conversationId, messages);
  }

  async history(conversationId: number, limit = 50): Promise<StoredMessage[]> {
    return (this.#messages.get(conversationId) ?? []).slice(-limit);
  }

  async firstDelivery(channel: string, messageId: string): Promise<Delivery> {
    const key = `${channel}\u0000${messageId}`;
    if (this.#delivered.has(key)) return 'duplicate';
    if (this.#seen.has(key)) return 'retry';
    this.#seen.add(key);
    return 'new';
  }

  async markHandled(channel: string, messageId: string): Promise<void> {
    this.#delivered.add(`${channel}\u0000${messageId}`);
  }

  async savePlan(conversationId: number, plan: unknown, markdown: string): Promise<void> {
    const plans = this.#plans.get(conversationId) ?? [];
    plans.push({ plan, markdown, createdAt: new Date() });
    this.#plans.set(conversationId, plans);
  }

  async latestPlan(conversationId: number): Promise<StoredPlan | null> {
    return this.#plans.get(conversationId)?.at(-1) ?? null;
  }

  async saveAssessment(): Promise<void> {}

  async rate(_conversationId: number, subject: 'answer' | 'plan', score: number): Promise<void> {
    this.#ratings.push({ subject, score });
  }

  async ratingSummary(): Promise<{ subject: string; count: number; average: number }[]> {
    const bySubject = new Map<string, number[]>();
    for (const { subject, score } of this.#ratings) bySubject.set(subject, [...(bySubject.get(subject) ?? []), score]);
    return [...bySubject].map(([subject, scores]) => ({
      subject,
      count: scores.length,
      average: scores.reduce((sum, score) => sum + score, 0) / scores.length,
    }));
  }

  async forget(conversationId: number): Promise<void> {
    for (const [key, conversation] of this.#conversations) if (conversation.id === conversationId) this.#conversations.delete(key);
    this.#messages.delete(conversationId);
    this.#plans.delete(conversationId);
  }
}

/**
 * The replies recorded, within the last `maxAgeMs`, for the message `messageId` a student sent on
 * `channel` (what the core answered to that turn), in order — for a channel whose platform asks
 * again when it did not receive the answer (the Official Account's retry of a request).
 */
export async function recentRepliesTo(db: Queryable, channel: string, userId: string, messageId: string, maxAgeMs: number): Promise<string[]> {
  const { rows } = await db.query<{ text: string }>(
    `select a.text
       from conversations c
       join conversation_messages s on s.conversation_id = c.id and s.role = 'student' and s.meta->>'messageId' = $3
       join conversation_messages a on a.conversation_id = c.id and a.role = 'assistant' and a.id > s.id
      where c.channel = $1 and c.user_id = $2 and a.created_at > now() - make_interval(secs => $4)
        and not exists (select 1 from conversation_messages n where n.conversation_id = c.id and n.role = 'student' and n.id > s.id and n.id < a.id)
      order by a.id`,
    [channel, userId, messageId, maxAgeMs / 1000],
  );
  return rows.map((row) => row.text);
}

