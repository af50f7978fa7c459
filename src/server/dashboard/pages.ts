import { html, raw } from 'hono/html';
import type { Delivery, Ticket, TicketMessage, TicketReason, TicketStats, TicketStatus } from '../../escalation/tickets.ts';
import type { DocumentSummary } from '../../knowledge/knowledge-base.ts';
import type { Session } from '../auth/sessions.ts';
import type { User } from '../auth/users.ts';
import { withheld, type StudentAccess } from '../auth/student-access.ts';
import type { StudentArchive } from './archive.ts';
import type { ChannelStatus } from './channel-status.ts';
import { channelLabel } from '../labels.ts';
import { studentLabel } from './student-names.ts';
import { csrfField, formatChinaTime, formatMinutes, reasonLabels, roleLabels, statusLabels, untilDue, type Html } from './view.ts';

/** A short notice after an action, by code (never text from the request). */
export const flashes = {
  claimed: '已认领，这位学生的档案现在由你负责。',
  released: '已释放，工单回到队列。',
  closed: '工单已关闭。',
  reopened: '工单已重新打开。',
  assigned: '已指派。',
  replied: '回复已保存，正在发送给学生。',
  noted: '内部备注已保存（学生看不到）。',
  retried: '已重新排队发送。',
  conflict: '操作没有完成：工单状态已经变了，请看看最新状态。',
  forbidden: '只有负责这张工单的老师或管理员可以这样做。',
  empty: '内容不能为空（最多 4000 字）。',
} as const;
/** A notice code of `?msg=`. */
export type FlashCode = keyof typeof flashes;
const errorFlashes = new Set<FlashCode>(['conflict', 'forbidden', 'empty']);

function flash(code: FlashCode | undefined): Html | string {
  if (!code) return '';
  return html`<p class="flash${errorFlashes.has(code) ? ' error' : ''}" role="status">${flashes[code]}</p>`;
}

// ---------------------------------------------------------------------------------------------
// login

/** What a throttled login is told (the same text goes with the 429 and its Retry-After). */
export function throttledMessage(retryAfterSeconds: number): string {
  const wait = retryAfterSeconds < 60 ? `${retryAfterSeconds} 秒` : `${Math.ceil(retryAfterSeconds / 60)} 分钟`;
  return `登录失败次数过多，请 ${wait}后再试。`;
}

/** The login form; `problem` says why the last attempt failed. */
export function loginBody(input: {
  loginToken: string;
  next: string;
  username?: string;
  problem?: { kind: 'invalid' } | { kind: 'throttled'; retryAfterSeconds: number } | { kind: 'expired' } | { kind: 'disabled' };
}): Html {
  const { problem } = input;
  const message =
    problem?.kind === 'invalid'
      ? '用户名或密码错误。'
      : problem?.kind === 'throttled'
        ? throttledMessage(problem.retryAfterSeconds)
        : problem?.kind === 'expired'
          ? '登录页面已过期，请重新登录。'
          : problem?.kind === 'disabled'
            ? '这个账号已停用，请联系管理员。'
            : null;
  return html`<div class="login">
<h1>老师登录</h1>
${message ? html`<p class="flash error" role="alert">${message}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${input.loginToken}">
<input type="hidden" name="next" value="${input.next}">
<label for="username">用户名</label>
<input id="username" type="text" name="username" autocomplete="username" autocapitalize="none" required value="${input.username ?? ''}">
<label for="password">密码</label>
<input id="password" type="password" name="password" autocomplete="current-password" required>
<p><button class="primary" type="submit">登录</button></p>
</form>
<p class="muted">账号由管理员在工作台的“账号”页添加；忘记密码请找管理员重置。</p>
</div>`;
}

// ---------------------------------------------------------------------------------------------
// queue

/** The queue's filters, from the query string. */
export interface QueueFilter {
  status: TicketStatus | 'active';
  mine: boolean;
  reason?: TicketReason | undefined;
  sort: 'priority' | 'due';
}

/** Names or 学号 students gave, by conversation id (`studentNames`). */
export type KnownStudents = ReadonlyMap<number, { name: string | null; studentNumber: string | null }>;

/** One ticket of the queue (also the fragment the live update fetches). */
function queueRow(ticket: Ticket, now: Date, students: KnownStudents): Html {
  const student = studentLabel(ticket.studentId, students.get(ticket.conversationId));
  return html`<li class="ticket${ticket.overdue ? ' overdue' : ''}" data-ticket-id="${ticket.id}">
<a href="/tickets/${ticket.id}">
<span class="badge r-${ticket.reason}">${reasonLabels[ticket.reason]}</span>
${ticket.difficultGroup ? html`<span class="badge b-group">就业困难群体</span>` : ''}
${ticket.overdue ? html`<span class="badge b-overdue">逾期</span>` : ''}
<span class="badge b-status">${statusLabels[ticket.status]}</span>
<span class="student${student.named ? ' named' : ''}">${student.text}</span> <span class="muted">· ${channelLabel(ticket.channel)}</span>
<span class="summary">${ticket.summary}</span>
<span class="muted">#${ticket.id} · 截止 ${formatChinaTime(ticket.dueAt)}${ticket.firstResponseAt || ticket.status === 'closed' ? '' : `（${untilDue(ticket.dueAt, now)}）`} · 负责：${ticket.assigneeName ?? '—'}</span>
</a>
</li>`;
}

/** The queue's list items. */
export function queueRows(tickets: Ticket[], now: Date, students: KnownStudents = new Map()): Html {
  if (tickets.length === 0) return html`<li class="empty muted">没有符合条件的工单。</li>`;
  return html`${tickets.map((ticket) => queueRow(ticket, now, students))}`;
}

function option(value: string, label: string, selected: boolean): Html {
  return html`<option value="${value}"${selected ? html` selected` : ''}>${label}</option>`;
}

/** The queue page: filters, the list, and the live-update script. */
export function queueBody(tickets: Ticket[], filter: QueueFilter, now: Date, students: KnownStudents = new Map()): Html {
  return html`<h1>工单队列 <span class="muted">（<span id="count">${tickets.length}</span> 张）</span></h1>
<form class="filters" method="get" action="/">
<label>状态 <select name="status">
${option('active', '未关闭', filter.status === 'active')}${(['open', 'claimed', 'answered', 'closed'] as const).map((status) =>
    option(status, statusLabels[status], filter.status === status),
  )}
</select></label>
<label>原因 <select name="reason">
${option('', '全部', filter.reason === undefined)}${(['crisis', 'complaint', 'person', 'low-confidence'] as const).map((reason) =>
    option(reason, reasonLabels[reason], filter.reason === reason),
  )}
</select></label>
<label>排序 <select name="sort">
${option('priority', '按优先级', filter.sort === 'priority')}${option('due', '按截止时间', filter.sort === 'due')}
</select></label>
<label><input type="checkbox" name="mine" value="1"${filter.mine ? html` checked` : ''}> 只看我的</label>
<button type="submit">筛选</button>
</form>
<p class="live" id="live" aria-live="polite">实时更新连接中…</p>
<ol class="queue" id="queue">
${queueRows(tickets, now, students)}
</ol>
<p class="muted">优先级：危机 &gt; 投诉 &gt; 转人工 &gt; 低置信；同一优先级内就业困难群体在前，再按截止时间。时间均为北京时间。</p>`;
}

/** The queue's live update: on a server-sent ticket event, reload the list fragment and mark new rows. */
export const queueScript = `(() => {
  const list = document.getElementById('queue');
  const live = document.getElementById('live');
  if (!list || !window.EventSource) return;
  let timer = null;
  let connected = false;
  const ids = () => new Set([...list.querySelectorAll('[data-ticket-id]')].map((li) => li.dataset.ticketId));
  async function refresh() {
    const before = ids();
    const response = await fetch('/queue/rows' + location.search, { credentials: 'same-origin' });
    if (response.status === 401) { location.href = '/login'; return; }
    if (!response.ok) return;
    list.innerHTML = await response.text();
    for (const li of list.querySelectorAll('[data-ticket-id]')) if (!before.has(li.dataset.ticketId)) li.classList.add('fresh');
    document.getElementById('count').textContent = String(list.querySelectorAll('[data-ticket-id]').length);
    live.textContent = '实时更新 · 最近更新 ' + new Date().toLocaleTimeString('zh-CN', { hour12: false, timeZone: 'Asia/Shanghai' });
  }
  const source = new EventSource('/events');
  source.addEventListener('open', () => {
    live.textContent = '实时更新已连接';
    if (connected) refresh();
    connected = true;
  });
  source.addEventListener('error', () => { live.textContent = '实时更新已断开，正在重连…'; });
  source.addEventListener('ticket', () => { clearTimeout(timer); timer = setTimeout(refresh, 150); });
})();`;

// ---------------------------------------------------------------------------------------------
// ticket

const roleNames: Record<string, string> = { student: '学生', assistant: '职引', teacher: '老师', system: '系统' };

/** Everything the ticket page shows. */
export interface TicketPageInput {
  session: Session;
  ticket: Ticket;
  messages: TicketMessage[];
  /** The conversation history with the bot; null when this user may not see it (`access.archive`). */
  transcript: { role: string; text: string; createdAt: Date }[] | null;
  deliveries: Delivery[];
  /** Teachers and admins an administrator may assign the ticket to (empty for teachers). */
  assignable: User[];
  /** Whether this user may reply, release, close, reopen and retry (the assignee, an admin, or anyone while unassigned). */
  mayWork: boolean;
  /** What this user may see of the student (`studentAccess`): without `thread`, `messages` holds only the opening message. */
  access: StudentAccess;
  /** Channels with a sender in this process (deliveries on others wait). */
  channels: string[];
  /** Document titles by id, for the retrieved clauses. */
  documentTitles: ReadonlyMap<string, string>;
  /** The name or 学号 the student gave, if any. */
  student?: { name: string | null; studentNumber: string | null } | undefined;
  now: Date;
  flash: FlashCode | undefined;
}

function deliveryLine(delivery: Delivery, input: TicketPageInput): Html {
  const { ticket, session } = input;
  switch (delivery.status) {
    case 'sent':
      return html`<p class="delivery sent">✓ 已送达 · ${delivery.sentAt ? formatChinaTime(delivery.sentAt) : ''}</p>`;
    case 'sending':
      return html`<p class="delivery retrying">发送中（第 ${delivery.attempts} 次）</p>`;
    case 'failed':
      return html`<p class="delivery failed" data-delivery-status="failed">✗ 失败（已尝试 ${delivery.attempts} 次${delivery.lastError ? html`，最近错误：${delivery.lastError}` : ''}）
${input.mayWork ? html`<form method="post" action="/tickets/${ticket.id}/deliveries/${delivery.id}/retry">${csrfField(session)}<button type="submit">重试发送</button></form>` : ''}</p>`;
    case 'pending':
      if (delivery.attempts > 0) {
        return html`<p class="delivery retrying" data-delivery-status="retrying">重试中（已尝试 ${delivery.attempts} 次${delivery.lastError ? html`，最近错误：${delivery.lastError}` : ''}；下次 ${formatChinaTime(delivery.nextAttemptAt)}）</p>`;
      }
      return html`<p class="delivery">等待发送${input.channels.includes(ticket.channel) ? '' : '（此渠道尚未在本服务中接入，接入后自动发送）'}</p>`;
  }
}

function threadItem(message: TicketMessage, deliveries: Delivery[], input: TicketPageInput): Html {
  const who =
    message.author === 'student'
      ? '学生'
      : message.author === 'teacher'
        ? `老师 ${message.authorName ?? ''} 的回复`
        : `内部备注 · ${message.authorName ?? ''}（学生看不到）`;
  return html`<li class="${message.author}">
<div class="who">${who} · ${formatChinaTime(message.createdAt)}</div>
<div class="text">${message.text}</div>
${deliveries.filter((delivery) => delivery.messageId === message.id).map((delivery) => deliveryLine(delivery, input))}
</li>`;
}

/** The ticket page: facts, actions, thread with delivery states, reply and note boxes, transcript, clauses. */
export function ticketBody(input: TicketPageInput): Html {
  const { ticket, session, now } = input;
  const admin = session.user.role === 'admin';
  const action = (name: string, label: string, extra: Html | string = '', confirm?: string): Html =>
    html`<form method="post" action="/tickets/${ticket.id}/${name}"${confirm ? html` data-confirm="${confirm}"` : ''}>${csrfField(session)}${extra}<button type="submit">${label}</button></form>`;
  const closed = ticket.status === 'closed';
  const unlinked = input.deliveries.filter((delivery) => delivery.messageId === null);
  return html`<div id="ticket-root" data-ticket-id="${ticket.id}"></div>
<p><a href="/">← 返回队列</a></p>
${flash(input.flash)}
<p id="changed" class="flash">这张工单有新动态。<a href="/tickets/${ticket.id}">刷新查看</a></p>
<h1>工单 #${ticket.id}
<span class="badge r-${ticket.reason}">${reasonLabels[ticket.reason]}</span>
${ticket.difficultGroup ? html`<span class="badge b-group">就业困难群体</span>` : ''}
${ticket.overdue ? html`<span class="badge b-overdue">逾期</span>` : ''}</h1>
<dl class="facts">
<dt>摘要</dt><dd class="text">${ticket.summary}</dd>
<dt>原因</dt><dd>${reasonLabels[ticket.reason]}（优先级 ${ticket.priority + 1}）</dd>
<dt>状态</dt><dd><span class="badge b-status" id="status">${statusLabels[ticket.status]}</span></dd>
<dt>负责老师</dt><dd id="assignee">${ticket.assigneeName ?? '未认领'}</dd>
<dt>首次回复截止</dt><dd>${formatChinaTime(ticket.dueAt)}（北京时间）${ticket.firstResponseAt || closed ? '' : `，${untilDue(ticket.dueAt, now)}`}</dd>
<dt>首次回复</dt><dd>${ticket.firstResponseAt ? formatChinaTime(ticket.firstResponseAt) : '尚未回复'}</dd>
<dt>创建</dt><dd>${formatChinaTime(ticket.createdAt)}</dd>
<dt>学生</dt><dd id="student">${studentLabel(ticket.studentId, input.student).text}</dd>
<dt>渠道</dt><dd id="channel">${channelLabel(ticket.channel)}</dd>
<dt>学生档案</dt><dd>${
    input.access.archive
      ? html`<a href="/students/${ticket.conversationId}">查看学生档案</a>`
      : html`<span class="muted">仅负责该学生的老师和管理员可以查看（认领工单后即负责）</span>`
  }</dd>
</dl>
<div class="actions">
${!closed && ticket.assigneeId === null ? action('claim', '认领') : ''}
${!closed && ticket.assigneeId !== null && input.mayWork ? action('release', '释放') : ''}
${!closed && input.mayWork ? action('close', '关闭', '', '确定关闭这张工单吗？') : ''}
${closed && input.mayWork ? action('reopen', '重新打开') : ''}
${
  !closed && admin && input.assignable.length > 0
    ? action(
        'assign',
        '指派',
        html`<label>指派给 <select name="teacherId">${input.assignable.map((user) =>
          option(String(user.id), `${user.displayName}（${roleLabels[user.role]}）`, user.id === ticket.assigneeId),
        )}</select></label>`,
      )
    : ''
}
</div>

<h2 id="thread">工单记录</h2>
<ol class="thread">
${input.messages.map((message) => threadItem(message, input.deliveries, input))}
</ol>
${input.access.thread ? '' : html`<p class="muted" id="thread-withheld">${withheld.thread}</p>`}
${unlinked.length > 0 ? html`<h2>其他通知</h2>${unlinked.map((delivery) => deliveryLine(delivery, input))}` : ''}

${
  closed
    ? html`<p class="muted">工单已关闭；重新打开后才能回复。</p>`
    : input.mayWork
      ? html`<h2>回复学生</h2>
<form method="post" action="/tickets/${ticket.id}/reply" class="reply">${csrfField(session)}
<textarea name="text" required maxlength="4000" placeholder="写给学生的回复（会发到学生的${channelLabel(ticket.channel)}对话里）"></textarea>
<p><button class="primary" type="submit">发送回复</button></p>
</form>`
      : html`<p class="muted">这张工单由 ${ticket.assigneeName ?? ''} 负责；你可以写内部备注。</p>`
}
<h2>内部备注</h2>
<form method="post" action="/tickets/${ticket.id}/note">${csrfField(session)}
<textarea name="text" required maxlength="4000" placeholder="只有老师能看到"></textarea>
<p><button type="submit">保存备注</button></p>
</form>

<h2>对话记录</h2>
${
  input.transcript === null
    ? html`<p class="muted" id="history-withheld">${withheld.history}</p>`
    : html`<div class="transcript">
${input.transcript.length === 0 ? html`<p class="muted">没有对话记录。</p>` : ''}
${input.transcript.map(
  (line) => html`<p><span class="role">${roleNames[line.role] ?? line.role}</span><span class="muted">${formatChinaTime(line.createdAt)}</span><br><span class="text">${line.text}</span></p>`,
)}
</div>
<p class="muted">查看对话记录会记入审计日志。</p>`
}

<h2>检索到的条款</h2>
${ticket.retrieved.length === 0 ? html`<p class="muted">没有附带条款。</p>` : ''}
${ticket.retrieved.map((clause) => {
  const title = input.documentTitles.get(clause.doc);
  return html`<div class="clause" data-doc="${clause.doc}"><div class="muted">${title ? `《${title}》` : clause.doc} · ${clause.locator}</div><div class="text">${clause.text}</div></div>`;
})}`;
}

/** The ticket page's script: confirm closing, no double submits, a notice when the ticket changes elsewhere. */
export const ticketScript = `(() => {
  for (const form of document.querySelectorAll('form[data-confirm]')) {
    form.addEventListener('submit', (event) => { if (!confirm(form.dataset.confirm)) event.preventDefault(); });
  }
  for (const form of document.querySelectorAll('form')) {
    form.addEventListener('submit', (event) => {
      if (event.defaultPrevented) return;
      for (const button of form.querySelectorAll('button')) button.disabled = true;
    });
  }
  const root = document.getElementById('ticket-root');
  if (!root || !window.EventSource) return;
  const id = root.dataset.ticketId;
  const source = new EventSource('/events');
  source.addEventListener('ticket', (event) => {
    const change = JSON.parse(event.data);
    if (String(change.ticketId) === id || change.ticketId === 0) document.getElementById('changed').classList.add('shown');
  });
})();`;

// ---------------------------------------------------------------------------------------------
// student archive

/** A student's archive: plans (as escaped preformatted Markdown), assessments, conversation history. */
export function studentBody(archive: StudentArchive): Html {
  return html`<p><a href="/">← 返回队列</a></p>
<h1>学生档案 <span class="muted">会话 #${archive.conversationId}</span></h1>
<p class="muted">渠道：${channelLabel(archive.channel)} · 学生 ID ${archive.studentId}。档案保密，仅负责老师可见；每次查看都记入审计日志。</p>
<h2>职业规划</h2>
${archive.plans.length === 0 ? html`<p class="muted">还没有职业规划。</p>` : ''}
${archive.plans.map((plan) => html`<p class="muted">${formatChinaTime(plan.createdAt)}</p><pre class="doc">${plan.markdown}</pre>`)}
<h2>测评结果</h2>
${archive.assessments.length === 0 ? html`<p class="muted">还没有测评结果。</p>` : ''}
${archive.assessments.map((assessment) => html`<p class="muted">${formatChinaTime(assessment.createdAt)}</p><pre class="doc">${JSON.stringify(assessment.result, null, 2)}</pre>`)}
<h2>对话记录</h2>
<div class="transcript">
${archive.history.length === 0 ? html`<p class="muted">没有对话记录。</p>` : ''}
${archive.history.map(
  (line) => html`<p><span class="role">${roleNames[line.role] ?? line.role}</span><span class="muted">${formatChinaTime(line.createdAt)}</span><br><span class="text">${line.text}</span></p>`,
)}
</div>`;
}

// ---------------------------------------------------------------------------------------------
// stats

/** The stats page's figures: TicketDesk.stats() and ConversationStore.ratingSummary(). */
export interface StatsInput extends TicketStats {
  ratings: { subject: string; count: number; average: number }[];
}

const subjectLabels: Record<string, string> = { answer: '政策解答', plan: '职业规划' };

/** Queue figures and satisfaction. */
export function statsBody(stats: StatsInput, options: { admin?: boolean } = {}): Html {
  const total = stats.byReason.reduce((sum, row) => sum + row.count, 0);
  return html`<h1>统计</h1>
${options.admin ? html`<p><a href="/admin/report">本周周报（提问量、回答情况、知识缺口、评分图表）</a></p>` : ''}
<dl class="facts">
<dt>工单总数</dt><dd>${total}</dd>
<dt>未关闭</dt><dd id="open-count">${stats.open}</dd>
<dt>逾期未回复</dt><dd id="overdue-count">${stats.overdue}</dd>
<dt>已回复</dt><dd>${stats.answered}</dd>
<dt>首次回复时间中位数</dt><dd>${stats.medianFirstResponseMinutes === null ? '—' : formatMinutes(stats.medianFirstResponseMinutes)}</dd>
<dt>按时首次回复率</dt><dd>${stats.slaMetRate === null ? '—' : `${(stats.slaMetRate * 100).toFixed(1)}%`}</dd>
</dl>
<h2>按原因</h2>
<table><tr><th>原因</th><th>工单数</th></tr>
${stats.byReason.map((row) => html`<tr><td>${reasonLabels[row.reason as TicketReason] ?? row.reason}</td><td>${row.count}</td></tr>`)}
</table>
<h2>满意度</h2>
${
  stats.ratings.length === 0
    ? html`<p class="muted">还没有评分。</p>`
    : html`<table><tr><th>评价对象</th><th>评分数</th><th>平均分（1–5）</th></tr>
${stats.ratings.map((row) => html`<tr><td>${subjectLabels[row.subject] ?? row.subject}</td><td>${row.count}</td><td>${row.average.toFixed(2)}</td></tr>`)}
</table>`
}`;
}

// ---------------------------------------------------------------------------------------------
// channels

const deliveryLabels: Record<string, string> = { pending: '待发送', sending: '发送中', sent: '已送达', failed: '失败' };

/** The channels serve started (the WeChat login QR link while it waits), and the outbox per channel. */
export function channelsBody(channels: ChannelStatus[], outbox: { channel: string; status: string; count: number }[], qrSvgs: Map<string, string> = new Map()): Html {
  return html`<h1>渠道</h1>
${
  channels.length === 0
    ? html`<p>没有启动任何聊天渠道。设置 <code>TELEGRAM_BOT_TOKEN</code>、<code>WECHATY_PUPPET</code> 或 <code>WECHAT_OA_TOKEN</code> 后重启服务。</p>`
    : html`<table><tr><th>渠道</th><th>状态</th><th>状态开始于（北京时间）</th><th></th></tr>
${channels.map(
  (channel) =>
    html`<tr data-channel="${channel.name}"><td>${channelLabel(channel.name)}</td><td>${channel.state}</td><td>${channel.since ? formatChinaTime(channel.since) : ''}</td><td>${
      channel.link ? html`<a href="${channel.link}" rel="noreferrer" target="_blank">登录二维码</a>` : ''
    }</td></tr>`,
)}
</table>
${channels.filter((channel) => channel.warning).map((channel) => html`<p class="flash error">⚠ ${channelLabel(channel.name)}：${channel.warning}</p>`)}
${[...qrSvgs].map(([name, svg]) => html`<h2>${channelLabel(name)}扫码登录</h2><p class="muted">用要登录的微信扫描：</p><div class="qr">${raw(svg)}</div>`)}`
}
<h2>老师回复的发送情况</h2>
${
  outbox.length === 0
    ? html`<p class="muted">还没有老师回复。</p>`
    : html`<table><tr><th>渠道</th><th>状态</th><th>条数</th></tr>
${outbox.map((row) => html`<tr><td>${channelLabel(row.channel)}</td><td>${deliveryLabels[row.status] ?? row.status}</td><td>${row.count}</td></tr>`)}
</table>`
}`;
}

// ---------------------------------------------------------------------------------------------
// knowledge

/** What the knowledge base holds, and a box to try a question (the dry-run API). */
export function knowledgeBody(documents: DocumentSummary[], isAdmin = false): Html {
  return html`<h1>知识库</h1>
${isAdmin ? html`<p><a href="/admin/knowledge">管理知识库</a>（上传、预览、发布、回滚文件，编辑同义词和词汇表）</p>` : ''}
<p>知识库共 ${documents.length} 份文件：</p>
<table>
<tr><th>文件</th><th>发布机关</th><th>地区</th><th>日期</th><th>条款数</th></tr>
${documents.map(
  (document) =>
    html`<tr><td>《${document.title}》${document.status === 'draft' ? '（草案）' : ''}</td><td>${document.issuer}</td><td>${document.region}</td><td>${document.date ?? document.dateNote ?? '未注明'}</td><td>${document.clauses}</td></tr>`,
)}
</table>
<h2>试一试</h2>
<form id="ask"><textarea name="question" placeholder="例如：实习单位能扣我身份证吗？"></textarea><p><button type="submit">提问</button></p></form>
<pre class="doc" id="answer" hidden></pre>`;
}

/** The knowledge page's question box, through the dry-run `POST /api/ask`. */
export const knowledgeScript = `document.getElementById('ask').addEventListener('submit', async (event) => {
  event.preventDefault();
  const question = new FormData(event.target).get('question');
  const box = document.getElementById('answer');
  const response = await fetch('/api/ask', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question }) });
  const result = await response.json();
  box.hidden = false;
  box.textContent = result.answer ?? result.error;
});`;

/** A short page for 403 / 404. */
export function messageBody(title: string, text: string): Html {
  return html`<h1>${title}</h1><p>${text}</p><p><a href="/">返回工单队列</a></p>`;
}
