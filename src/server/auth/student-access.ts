import type { User } from './users.ts';

/**
 * What a dashboard user may see of one student — the one place the privacy rule lives (seed 000
 * 第十六条: a student's career archive is confidential). Both the ticket page and the student page
 * ask {@link studentAccess}; README's "who sees what" table says the same.
 */
export interface StudentAccess {
  /**
   * Enough to triage a ticket: reason, summary, priority, due time, channel, status, assignee, the
   * retrieved clauses and the message that opened it. Every signed-in user.
   */
  triage: true;
  /**
   * The rest of the ticket's own thread (the student's later messages, teachers' replies, internal
   * notes and their deliveries): who may see the archive, and the ticket's assignee, who answers
   * the student and must see what they said since.
   */
  thread: boolean;
  /**
   * The conversation history with the bot (career-assessment answers among it), career plans and
   * assessment results: the student's assigned teacher and administrators only. Every read is audited.
   */
  archive: boolean;
}

/** The student's side of the rule: who their assigned teacher is (null: nobody yet). */
export interface StudentOwner {
  assignedTeacherId: number | null;
}

/**
 * What `user` may see of a student (and of `ticket`, when the question comes from a ticket page).
 *
 * @example
 * const access = studentAccess(session.user, { assignedTeacherId: await desk.teacherOfStudent(id) }, ticket);
 * if (access.archive) transcript = await desk.transcript(ticket.id, user.id); // audited
 */
export function studentAccess(user: Pick<User, 'id' | 'role'>, student: StudentOwner, ticket?: { assigneeId: number | null }): StudentAccess {
  const archive = user.role === 'admin' || (student.assignedTeacherId !== null && student.assignedTeacherId === user.id);
  const thread = archive || (ticket !== undefined && ticket.assigneeId !== null && ticket.assigneeId === user.id);
  return { triage: true, thread, archive };
}

/** What the pages say in place of what a user may not see. */
export const withheld = {
  archive: '学生档案保密，只有负责这位学生的老师和管理员可以查看。',
  history: '对话记录属于学生档案，只有负责这位学生的老师和管理员可以查看（认领工单后即负责）。',
  thread: '工单的后续记录只有处理这张工单的老师、负责这位学生的老师和管理员可以查看；这里只显示开启工单的消息。',
} as const;
