import type { Database, Queryable } from '../store/database.ts';
import { workingDaysAfter } from './working-time.ts';
import { Replies } from '../prompts.ts';

/** Why a student needs a person; the order is the queue's priority. */
export type TicketReason = 'crisis' | 'complaint' | 'person' | 'low-confidence';
export type TicketStatus = 'open' | 'claimed' | 'answered' | 'closed';

/** crisis > complaint > asked for a person > repeated low confidence (lower sorts first). */
export const priorityOf: Record<TicketReason, number> = { crisis: 0, complaint: 1, person: 2, 'low-confidence': 3 };

/**
 * When a ticket must have its first reply: a crisis within the hour, a complaint within 5 working
 * days (seed 003 8.5), a request for a person by the end of the next working day, a student the
 * bot could not help within 2 working days.
 */
export function dueFor(reason: TicketReason, openedAt: Date): Date {
  switch (reason) {
    case 'crisis':
      return new Date(openedAt.getTime() + 60 * 60_000);
    case 'complaint':
      return workingDaysAfter(openedAt, 5);
    case 'person':
      return workingDaysAfter(openedAt, 1);
    case 'low-confidence':
      return workingDaysAfter(openedAt, 2);
  }
}

export interface Ticket {
  id: number;
  conversationId: number;
  channel: string;
  studentId: string;
  reason: TicketReason;
  priority: number;
  difficultGroup: boolean;
  status: TicketStatus;
  assigneeId: number | null;
  assigneeName: string | null;
  summary: string;
  retrieved: { doc: string; locator: string; text: string }[];
  dueAt: Date;
  firstResponseAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  /** No first reply yet and past the due time. */
  overdue: boolean;
}

export interface TicketMessage {
  id: number;
  author: 'student' | 'teacher' | 'note';
  userId: number | null;
  authorName: string | null;
  text: string;
  createdAt: Date;
}

interface TicketRow {
  id: number;
  conversation_id: number;
  channel: string;
  student_id: string;
  reason: TicketReason;
  priority: number;
  difficult_group: boolean;
  status: TicketStatus;
  assignee_id: number | null;
  assignee_name: string | null;
  summary: string;
  retrieved: Ticket['retrieved'];
  due_at: Date;
  first_response_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
}

const ticketColumns = `t.*, u.display_name as assignee_name`;

function toTicket(row: TicketRow, now: Date): Ticket {
  const dueAt = new Date(row.due_at);
  const firstResponseAt = row.first_response_at ? new Date(row.first_response_at) : null;
  return {
    id: Number(row.id),
    conversationId: Number(row.conversation_id),
    channel: row.channel,
    studentId: row.student_id,
    reason: row.reason,
    priority: row.priority,
    difficultGroup: row.difficult_group,
    status: row.status,
    assigneeId: row.assignee_id === null ? null : Number(row.assignee_id),
    assigneeName: row.assignee_name,
    summary: row.summary,
    retrieved: row.retrieved ?? [],
    dueAt,
    firstResponseAt,
    closedAt: row.closed_at ? new Date(row.closed_at) : null,
    createdAt: new Date(row.created_at),
    overdue: firstResponseAt === null && row.status !== 'closed' && dueAt.getTime() < now.getTime(),
  };
}

/** How a teacher's reply reads in the student's chat. */
export function teacherReplyText(displayName: string, text: string): string {
  channelTexts ??= new Replies(undefined, ['channels']);
  return channelTexts.render('zh', 'teacher_reply', { name: displayName, text });
}

/** prompts/channels.*.yaml, read on the first reply. */
let channelTexts: Replies | null = null;

/** One message in the outbox for a ticket: a teacher's reply on its way to the student's chat. */
export interface Delivery {
  id: number;
  /** The ticket message (teacher reply) it carries; null for a notice queued outside a reply. */
  messageId: number | null;
  status: 'pending' | 'sending' | 'sent' | 'failed';
  attempts: number;
  lastError: string | null;
  nextAttemptAt: Date;
  sentAt: Date | null;
}

export type TicketEvent = { type: 'ticket'; ticketId: number; action: string };

/**
 * The teachers' queue: tickets with priority, SLA deadline, assignment, thread and notes; every
 * change is audited and announced to listeners (the dashboard's live updates). A teacher's reply
 * is written to the outbox in the same transaction, so it is delivered even after a crash.
 *
 * @example
 * const { ticket, created } = await tickets.openOrJoin({ conversationId, channel: 'telegram', studentId: '42', reason: 'person', summary: '转人工' });
 */
export class TicketDesk {
  readonly #listeners = new Set<(event: TicketEvent) => void>();

  constructor(
    readonly db: Database,
    readonly now: () => Date = () => new Date(),
  ) {}

  /** Subscribes to ticket changes; returns the unsubscribe function. */
  onChange(listener: (event: TicketEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #announce(ticketId: number, action: string): void {
    for (const listener of this.#listeners) listener({ type: 'ticket', ticketId, action });
  }

  async #audit(tx: Queryable, userId: number | null, action: string, ticketId: number | null, detail: Record<string, unknown> = {}, conversationId: number | null = null): Promise<void> {
    await tx.query('insert into audit_log (user_id, action, ticket_id, conversation_id, detail) values ($1, $2, $3, $4, $5::jsonb)', [
      userId,
      action,
      ticketId,
      conversationId,
      JSON.stringify(detail),
    ]);
  }

  /** The open (not closed) ticket of a conversation, if any. */
  async openTicketOf(conversationId: number): Promise<Ticket | null> {
    const { rows } = await this.db.query<TicketRow>(
      `select ${ticketColumns} from tickets t left join users u on u.id = t.assignee_id where t.conversation_id = $1 and t.status <> 'closed'`,
      [conversationId],
    );
    return rows[0] ? toTicket(rows[0], this.now()) : null;
  }

  /**
   * Opens a ticket for the conversation, or joins the one already open (asking again never makes
   * a second ticket); a more urgent reason raises the open ticket's priority and deadline.
   */
  async openOrJoin(input: {
    conversationId: number;
    channel: string;
    studentId: string;
    reason: TicketReason;
    summary: string;
    retrieved?: Ticket['retrieved'];
    difficultGroup?: boolean;
  }): Promise<{ ticket: Ticket; created: boolean }> {
    const now = this.now();
    const result = await this.db.transaction(async (tx) => {
      const existing = await tx.query<TicketRow>(`select * from tickets where conversation_id = $1 and status <> 'closed' for update`, [input.conversationId]);
      const open = existing.rows[0];
      if (open) {
        const urgent = priorityOf[input.reason] < open.priority;
        await tx.query(
          `update tickets set reason = case when $2 then $3 else reason end, priority = least(priority, $4),
             due_at = case when $2 then least(due_at, $5) else due_at end,
             difficult_group = difficult_group or $6, updated_at = now() where id = $1`,
          [open.id, urgent, input.reason, priorityOf[input.reason], dueFor(input.reason, now), input.difficultGroup ?? false],
        );
        await tx.query(`insert into ticket_messages (ticket_id, author, text) values ($1, 'student', $2)`, [open.id, input.summary]);
        await this.#audit(tx, null, urgent ? 'raised' : 'joined', Number(open.id), { reason: input.reason });
        return { id: Number(open.id), created: false };
      }
      const { rows } = await tx.query<{ id: number }>(
        `insert into tickets (conversation_id, channel, student_id, reason, priority, difficult_group, status, summary, retrieved, due_at, created_at)
         values ($1, $2, $3, $4, $5, $6, 'open', $7, $8::jsonb, $9, $10) returning id`,
        [
          input.conversationId,
          input.channel,
          input.studentId,
          input.reason,
          priorityOf[input.reason],
          input.difficultGroup ?? false,
          input.summary,
          JSON.stringify(input.retrieved ?? []),
          dueFor(input.reason, now),
          now,
        ],
      );
      const id = Number(rows[0]!.id);
      await tx.query(`insert into ticket_messages (ticket_id, author, text) values ($1, 'student', $2)`, [id, input.summary]);
      await this.#audit(tx, null, 'opened', id, { reason: input.reason });
      return { id, created: true };
    });
    this.#announce(result.id, result.created ? 'opened' : 'updated');
    return { ticket: (await this.get(result.id))!, created: result.created };
  }

  /** A student's message while their ticket is open goes to its thread. */
  async addStudentMessage(ticketId: number, text: string): Promise<void> {
    await this.db.query(`insert into ticket_messages (ticket_id, author, text) values ($1, 'student', $2)`, [ticketId, text]);
    await this.db.query(`update tickets set updated_at = now(), status = case when status = 'answered' then 'open' else status end where id = $1`, [ticketId]);
    this.#announce(ticketId, 'message');
  }

  async get(ticketId: number): Promise<Ticket | null> {
    const { rows } = await this.db.query<TicketRow>(`select ${ticketColumns} from tickets t left join users u on u.id = t.assignee_id where t.id = $1`, [ticketId]);
    return rows[0] ? toTicket(rows[0], this.now()) : null;
  }

  /** The queue: by priority (就业困难群体 first within a priority), then deadline; or by deadline. */
  async list(filter: { status?: TicketStatus | 'active'; assigneeId?: number; reason?: TicketReason; sort?: 'priority' | 'due' } = {}): Promise<Ticket[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status === 'active' || filter.status === undefined) where.push(`t.status <> 'closed'`);
    else {
      params.push(filter.status);
      where.push(`t.status = $${params.length}`);
    }
    if (filter.assigneeId !== undefined) {
      params.push(filter.assigneeId);
      where.push(`t.assignee_id = $${params.length}`);
    }
    if (filter.reason !== undefined) {
      params.push(filter.reason);
      where.push(`t.reason = $${params.length}`);
    }
    const order = filter.sort === 'due' ? 't.due_at, t.priority' : 't.priority, t.difficult_group desc, t.due_at';
    const { rows } = await this.db.query<TicketRow>(
      `select ${ticketColumns} from tickets t left join users u on u.id = t.assignee_id
        ${where.length > 0 ? `where ${where.join(' and ')}` : ''} order by ${order}, t.id`,
      params,
    );
    return rows.map((row) => toTicket(row, this.now()));
  }

  async messages(ticketId: number): Promise<TicketMessage[]> {
    const { rows } = await this.db.query<{ id: number; author: TicketMessage['author']; user_id: number | null; display_name: string | null; text: string; created_at: Date }>(
      `select m.id, m.author, m.user_id, u.display_name, m.text, m.created_at from ticket_messages m left join users u on u.id = m.user_id
        where m.ticket_id = $1 order by m.id`,
      [ticketId],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      author: row.author,
      userId: row.user_id === null ? null : Number(row.user_id),
      authorName: row.display_name,
      text: row.text,
      createdAt: new Date(row.created_at),
    }));
  }

  /**
   * The conversation transcript behind a ticket (what the student and the bot said): part of the
   * student's archive, so the caller checks `studentAccess(…).archive`; the read is audited under
   * the ticket and the student's conversation.
   */
  async transcript(ticketId: number, actorId: number): Promise<{ role: string; text: string; createdAt: Date }[]> {
    const { rows } = await this.db.query<{ role: string; text: string; created_at: Date; conversation_id: number }>(
      `select m.role, m.text, m.created_at, m.conversation_id from conversation_messages m join tickets t on t.conversation_id = m.conversation_id
        where t.id = $1 order by m.id`,
      [ticketId],
    );
    const ticket = await this.db.query<{ conversation_id: number }>('select conversation_id from tickets where id = $1', [ticketId]);
    const conversationId = ticket.rows[0] ? Number(ticket.rows[0].conversation_id) : null;
    await this.#audit(this.db, actorId, 'read-transcript', ticketId, {}, conversationId);
    return rows.map((row) => ({ role: row.role, text: row.text, createdAt: new Date(row.created_at) }));
  }

  async #change(ticketId: number, actorId: number, action: string, sql: string, params: unknown[], teacherOfStudent?: number): Promise<Ticket> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query(sql, [ticketId, ...params]);
      if (rows.length === 0) throw new TicketError(`ticket ${ticketId} cannot be ${action} now`);
      if (teacherOfStudent !== undefined) await this.#assignStudent(tx, ticketId, teacherOfStudent);
      await this.#audit(tx, actorId, action, ticketId, params.length > 0 ? { to: params[0] } : {});
    });
    this.#announce(ticketId, action);
    return (await this.get(ticketId))!;
  }

  /** A student without a teacher gets the one who takes their ticket (who may then read their archive). */
  async #assignStudent(tx: Queryable, ticketId: number, teacherId: number): Promise<void> {
    await tx.query(
      `update conversations set assigned_teacher_id = $2
        where id = (select conversation_id from tickets where id = $1) and assigned_teacher_id is null`,
      [ticketId, teacherId],
    );
  }

  /** The teacher assigned to a student (the only one who may read the student's archive), if any. */
  async teacherOfStudent(conversationId: number): Promise<number | null> {
    const { rows } = await this.db.query<{ assigned_teacher_id: number | null }>('select assigned_teacher_id from conversations where id = $1', [conversationId]);
    const id = rows[0]?.assigned_teacher_id;
    return id === undefined || id === null ? null : Number(id);
  }

  /** Takes an unassigned ticket (or keeps one's own); the student gets this teacher if they have none. */
  claim(ticketId: number, teacherId: number): Promise<Ticket> {
    return this.#change(
      ticketId,
      teacherId,
      'claimed',
      `update tickets set assignee_id = $2, status = case when status = 'open' then 'claimed' else status end, updated_at = now()
        where id = $1 and status <> 'closed' and (assignee_id is null or assignee_id = $2) returning id`,
      [teacherId],
      teacherId,
    );
  }

  /** Gives a ticket to a teacher (the dashboard lets administrators do this); as claim for the student. */
  assign(ticketId: number, actorId: number, teacherId: number): Promise<Ticket> {
    return this.#change(
      ticketId,
      actorId,
      'assigned',
      `update tickets set assignee_id = $2, status = case when status = 'open' then 'claimed' else status end, updated_at = now()
        where id = $1 and status <> 'closed' returning id`,
      [teacherId],
      teacherId,
    );
  }

  release(ticketId: number, actorId: number): Promise<Ticket> {
    return this.#change(
      ticketId,
      actorId,
      'released',
      `update tickets set assignee_id = null, status = case when status = 'claimed' then 'open' else status end, updated_at = now()
        where id = $1 and status <> 'closed' returning id`,
      [],
    );
  }

  close(ticketId: number, actorId: number): Promise<Ticket> {
    return this.#change(ticketId, actorId, 'closed', `update tickets set status = 'closed', closed_at = now(), updated_at = now() where id = $1 and status <> 'closed' returning id`, []);
  }

  reopen(ticketId: number, actorId: number): Promise<Ticket> {
    return this.#change(
      ticketId,
      actorId,
      'reopened',
      `update tickets set status = 'open', closed_at = null, updated_at = now() where id = $1 and status = 'closed'
         and not exists (select 1 from tickets o where o.conversation_id = tickets.conversation_id and o.status <> 'closed') returning id`,
      [],
    );
  }

  async note(ticketId: number, teacherId: number, text: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(`insert into ticket_messages (ticket_id, author, user_id, text) values ($1, 'note', $2, $3)`, [ticketId, teacherId, text]);
      await this.#audit(tx, teacherId, 'noted', ticketId);
    });
    this.#announce(ticketId, 'noted');
  }

  /**
   * A teacher's reply: saved on the ticket and queued in the outbox in one transaction (so it is
   * delivered exactly once, even if the process stops before sending); the ticket is answered and,
   * when it had no assignee, taken by the replying teacher. Resolves with the outbox id.
   */
  async reply(ticketId: number, teacherId: number, text: string): Promise<{ outboxId: number }> {
    const body = text.trim();
    if (body === '') throw new TicketError('a reply needs text');
    const outboxId = await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ conversation_id: number; channel: string; student_id: string; status: TicketStatus; display_name: string }>(
        `select t.conversation_id, t.channel, t.student_id, t.status, u.display_name from tickets t join users u on u.id = $2 where t.id = $1 for update of t`,
        [ticketId, teacherId],
      );
      const ticket = rows[0];
      if (!ticket) throw new TicketError(`no ticket ${ticketId}`);
      if (ticket.status === 'closed') throw new TicketError(`ticket ${ticketId} is closed; reopen it to reply`);
      const message = await tx.query<{ id: number }>(`insert into ticket_messages (ticket_id, author, user_id, text) values ($1, 'teacher', $2, $3) returning id`, [
        ticketId,
        teacherId,
        body,
      ]);
      await tx.query(
        `update tickets set status = 'answered', assignee_id = coalesce(assignee_id, $2), first_response_at = coalesce(first_response_at, $3), updated_at = $3 where id = $1`,
        [ticketId, teacherId, this.now()],
      );
      await this.#assignStudent(tx, ticketId, teacherId);
      const queued = await tx.query<{ id: number }>(
        `insert into outbox (ticket_id, channel, recipient, text, ticket_message_id, next_attempt_at) values ($1, $2, $3, $4, $5, $6) returning id`,
        [ticketId, ticket.channel, ticket.student_id, teacherReplyText(ticket.display_name, body), message.rows[0]!.id, this.now()],
      );
      // the student's conversation history shows the teacher's reply where it was said
      await tx.query(`insert into conversation_messages (conversation_id, role, text, meta) values ($1, 'teacher', $2, $3::jsonb)`, [
        ticket.conversation_id,
        body,
        JSON.stringify({ ticketId, teacherId }),
      ]);
      await this.#audit(tx, teacherId, 'replied', ticketId);
      return Number(queued.rows[0]!.id);
    });
    this.#announce(ticketId, 'replied');
    return { outboxId };
  }

  /** Deliveries of a ticket's replies (each with the reply it carries), to show failed ones on the ticket. */
  async deliveries(ticketId: number): Promise<Delivery[]> {
    const { rows } = await this.db.query<{
      id: number;
      ticket_message_id: number | null;
      status: Delivery['status'];
      attempts: number;
      last_error: string | null;
      next_attempt_at: Date;
      sent_at: Date | null;
    }>('select id, ticket_message_id, status, attempts, last_error, next_attempt_at, sent_at from outbox where ticket_id = $1 order by id', [ticketId]);
    return rows.map((row) => ({
      id: Number(row.id),
      messageId: row.ticket_message_id === null ? null : Number(row.ticket_message_id),
      status: row.status,
      attempts: row.attempts,
      lastError: row.last_error,
      nextAttemptAt: new Date(row.next_attempt_at),
      sentAt: row.sent_at ? new Date(row.sent_at) : null,
    }));
  }

  /** Queue figures for the stats page. */
  async stats(): Promise<TicketStats> {
    const byReason = (await this.db.query<{ reason: string; count: number }>('select reason, count(*)::int as count from tickets group by reason order by reason')).rows;
    const { rows } = await this.db.query<{ open: number; overdue: number; answered: number; median: number | null; met: number | null }>(
      `select count(*) filter (where status <> 'closed')::int as open,
              count(*) filter (where status <> 'closed' and first_response_at is null and due_at < $1)::int as overdue,
              count(*) filter (where first_response_at is not null)::int as answered,
              (percentile_cont(0.5) within group (order by extract(epoch from first_response_at - created_at) / 60)
                 filter (where first_response_at is not null))::float8 as median,
              (avg(case when first_response_at <= due_at then 1.0 else 0.0 end) filter (where first_response_at is not null))::float8 as met
         from tickets`,
      [this.now()],
    );
    const row = rows[0]!;
    return { byReason, open: row.open, overdue: row.overdue, answered: row.answered, medianFirstResponseMinutes: row.median, slaMetRate: row.met };
  }

  /** Records that a user read something (a student's archive) for the audit log. */
  async recordRead(userId: number, action: string, conversationId: number): Promise<void> {
    await this.#audit(this.db, userId, action, null, {}, conversationId);
  }
}

/** The queue's figures: volume by reason, open and overdue tickets, first response and SLA. */
export interface TicketStats {
  byReason: { reason: string; count: number }[];
  open: number;
  overdue: number;
  answered: number;
  medianFirstResponseMinutes: number | null;
  slaMetRate: number | null;
}

/** A ticket action that is not possible in the ticket's current state. */
export class TicketError extends Error {
  override name = 'TicketError';
}
