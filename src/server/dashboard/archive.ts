import type { Database } from '../../store/database.ts';
import type { ConversationStore, StoredMessage } from '../../conversation/conversation-store.ts';

/** A student's career archive as the assigned teacher sees it (seed 000 第十六条: confidential). */
export interface StudentArchive {
  conversationId: number;
  channel: string;
  studentId: string;
  assignedTeacherId: number | null;
  plans: { markdown: string; createdAt: Date }[];
  assessments: { result: unknown; createdAt: Date }[];
  history: StoredMessage[];
}

/** The student's conversation and teacher, or null when there is no such conversation. */
export async function studentOf(db: Database, conversationId: number): Promise<{ channel: string; studentId: string; assignedTeacherId: number | null } | null> {
  const { rows } = await db.query<{ channel: string; user_id: string; assigned_teacher_id: number | null }>(
    'select channel, user_id, assigned_teacher_id from conversations where id = $1',
    [conversationId],
  );
  const row = rows[0];
  if (!row) return null;
  return { channel: row.channel, studentId: row.user_id, assignedTeacherId: row.assigned_teacher_id === null ? null : Number(row.assigned_teacher_id) };
}

/**
 * Reads a student's archive: every career plan (newest first), assessments and the conversation
 * history. The caller checks that the reader is the assigned teacher and audits the read.
 */
export async function readArchive(db: Database, conversations: ConversationStore, conversationId: number): Promise<StudentArchive | null> {
  const student = await studentOf(db, conversationId);
  if (!student) return null;
  const plans = await db.query<{ markdown: string; created_at: Date }>('select markdown, created_at from career_plans where conversation_id = $1 order by id desc', [
    conversationId,
  ]);
  const assessments = await db.query<{ result: unknown; created_at: Date }>('select result, created_at from assessments where conversation_id = $1 order by id desc', [
    conversationId,
  ]);
  return {
    conversationId,
    ...student,
    plans: plans.rows.map((row) => ({ markdown: row.markdown, createdAt: new Date(row.created_at) })),
    assessments: assessments.rows.map((row) => ({ result: row.result, createdAt: new Date(row.created_at) })),
    history: await conversations.history(conversationId, 500),
  };
}
