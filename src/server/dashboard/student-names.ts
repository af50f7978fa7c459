import type { Queryable } from '../../store/database.ts';

/** What the dashboard knows a student by: a name they gave, else their 学号, else a masked channel id. */
export interface StudentLabel {
  /** The words shown: 张同学, 学号 2023012345, or 学生 ···7f3a. */
  text: string;
  /** Whether `text` is a name or 学号 the student gave (not a masked id). */
  named: boolean;
}

/**
 * A channel's id for a student, masked: only its last four characters, so a queue on a shared
 * screen does not show whole WeChat openids or Telegram ids.
 *
 * @example maskedStudentId('oX1b2c3d4e5f6g7h') // '学生 ···6g7h'
 */
export function maskedStudentId(studentId: string): string {
  const chars = [...studentId];
  return chars.length > 4 ? `学生 ···${chars.slice(-4).join('')}` : '学生 ···';
}

/**
 * The names or 学号 students gave, by conversation id. Today only the student web chat asks for
 * them (`web_chat_students`, optional); a database without that table gives none.
 *
 * @example const names = await studentNames(db, tickets.map((t) => t.conversationId));
 */
export async function studentNames(db: Queryable, conversationIds: readonly number[]): Promise<Map<number, { name: string | null; studentNumber: string | null }>> {
  const known = new Map<number, { name: string | null; studentNumber: string | null }>();
  if (conversationIds.length === 0) return known;
  const { rows: table } = await db.query<{ present: boolean }>(`select to_regclass('web_chat_students') is not null as present`);
  if (!table[0]?.present) return known;
  const { rows } = await db.query<{ conversation_id: number; name: string | null; student_number: string | null }>(
    `select conversation_id, name, student_number from web_chat_students where conversation_id = any($1::bigint[])`,
    [[...new Set(conversationIds)]],
  );
  for (const row of rows) known.set(Number(row.conversation_id), { name: row.name?.trim() || null, studentNumber: row.student_number?.trim() || null });
  return known;
}

/** How the queue and the ticket page name one student. */
export function studentLabel(studentId: string, known: { name: string | null; studentNumber: string | null } | undefined): StudentLabel {
  if (known?.name) return { text: known.studentNumber ? `${known.name}（学号 ${known.studentNumber}）` : known.name, named: true };
  if (known?.studentNumber) return { text: `学号 ${known.studentNumber}`, named: true };
  return { text: maskedStudentId(studentId), named: false };
}
