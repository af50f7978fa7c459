import { html } from 'hono/html';
import type { SchoolEvalEntry } from '../../../eval/school-set.ts';
import type { Ticket } from '../../escalation/tickets.ts';
import type { Session } from '../auth/sessions.ts';
import { csrfField, formatChinaTime, type Html } from './view.ts';

/** A clause an administrator may mark as the answer to the ticket's question. */
export interface ClauseChoice {
  doc: string;
  locator: string;
  title: string;
  text: string;
}

/** What the ticket page's school-knowledge section shows. */
export interface SchoolSectionInput {
  session: Session;
  ticket: Ticket;
  /** The student's question, personal data masked (editable before it is kept). */
  question: string;
  /** The teacher's last reply (editable). */
  answer: string;
  /** Clauses retrieval found for the ticket and the entries of the school's Q&A. */
  clauses: ClauseChoice[];
  /** What was marked from this ticket already. */
  marks: SchoolEvalEntry[];
}

const outcomeLabels: Record<string, string> = { answer: '用条款回答', abstain: '不回答（超出范围）', escalate: '转给老师' };
const short = (text: string, length = 40): string => ([...text].length > length ? `${[...text].slice(0, length).join('')}…` : text);

/**
 * The section below a closed ticket: propose the teacher's reply for the school's Q&A (teachers
 * and administrators who may read the thread), and mark what should happen for the question in
 * the school's own eval set (administrators).
 */
export function schoolSection(input: SchoolSectionInput): Html {
  const { session, ticket } = input;
  const admin = session.user.role === 'admin';
  return html`<section id="school-knowledge">
<h2>加入校内问答</h2>
<p class="muted">把学生的问题和老师的答复整理成校内问答的一条（第N条）。提交后是草稿：管理员审核、发布前评测通过后才会上线，之后其他学生问同样的问题，职引会引用这条答复，并说明这是学校自己的答复、不是政策文件。请删去学生的姓名、电话、证件号等个人信息（能识别的已自动遮盖）。</p>
<form method="post" action="/tickets/${ticket.id}/school-qa" id="school-qa-form" class="reply">${csrfField(session)}
<label for="school-qa-question">学生的问题（可修改）</label>
<textarea id="school-qa-question" name="question" required maxlength="500">${input.question}</textarea>
<label for="school-qa-answer">老师的答复（可修改）</label>
<textarea id="school-qa-answer" name="answer" required maxlength="4000">${input.answer}</textarea>
<p><button class="primary" type="submit">提交为校内问答草稿</button></p>
</form>
${admin ? evalForm(input) : ''}
</section>`;
}

function evalForm(input: SchoolSectionInput): Html {
  const { session, ticket } = input;
  return html`<h2 id="school-eval">加入校内评测题</h2>
<p class="muted">标出这个问题应当怎样处理。每次发布或回滚前，都会和自带的评测集一起用这些题检查：现在答对、发布后答错的题会阻止发布。</p>
${
  input.marks.length > 0
    ? html`<ul id="school-eval-marks">${input.marks.map(
        (mark) =>
          html`<li data-item="school-${mark.id}">${mark.question} → ${outcomeLabels[mark.outcome]}${mark.doc ? html`（${mark.doc} ${mark.locator ?? ''}）` : ''} <span class="muted">${formatChinaTime(mark.createdAt)}</span></li>`,
      )}</ul>`
    : ''
}
<form method="post" action="/tickets/${ticket.id}/school-eval" id="school-eval-form">${csrfField(session)}
<label for="school-eval-question">问题</label>
<textarea id="school-eval-question" name="question" required maxlength="500">${input.question}</textarea>
<fieldset><legend>应当</legend>
${
  input.clauses.length > 0
    ? html`<label><input type="radio" name="outcome" value="answer" checked> 用这条回答：</label>
<select name="clause" aria-label="回答这个问题的条款">
${input.clauses.map((clause) => html`<option value="${clause.doc}|${clause.locator}">《${clause.title}》${clause.locator}：${short(clause.text)}</option>`)}
</select><br>
<label>答案里必须有的词（可不填；几个说法任一即可用“｜”隔开）<input type="text" name="facts" maxlength="200"></label><br>`
    : html`<p class="muted">这张工单没有检索到条款，校内问答里也还没有上线的条目；要标“用条款回答”，请先把答复加入校内问答并发布。</p>`
}
<label><input type="radio" name="outcome" value="abstain"${input.clauses.length === 0 ? ' checked' : ''}> 不回答（超出知识库范围）</label><br>
<label><input type="radio" name="outcome" value="escalate"> 转给老师</label>
</fieldset>
<p><button type="submit">保存为校内评测题</button> <a href="/admin/school-eval.jsonl">下载全部校内评测题（JSONL）</a></p>
</form>`;
}

/** After a proposal: where the draft is and what happens next. */
export function proposedBody(input: { ticketId: number; title: string; version: number; number: string; admin: boolean; reviewPath: string }): Html {
  return html`<h1>已提交为草稿</h1>
<p class="flash" role="status" id="proposed">《${input.title}》第${input.number}条已加入草稿 v${input.version}，等待管理员审核；发布前评测通过、管理员确认发布后，学生才会看到。</p>
<p>${input.admin ? html`<a href="${input.reviewPath}">去审核并发布</a> · ` : ''}<a href="/tickets/${input.ticketId}">← 返回工单</a></p>`;
}
