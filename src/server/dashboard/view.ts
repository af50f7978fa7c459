import { html, raw } from 'hono/html';
import type { TicketReason, TicketStatus } from '../../escalation/tickets.ts';
import type { Session } from '../auth/sessions.ts';

/** An escaped HTML fragment (Hono's `html` template: every interpolated string is escaped). */
export type Html = ReturnType<typeof html>;

/** How the dashboard names reasons, statuses and roles. */
export const reasonLabels: Record<TicketReason, string> = { crisis: '危机', complaint: '投诉', person: '转人工', 'low-confidence': '低置信' };
export const statusLabels: Record<TicketStatus, string> = { open: '待认领', claimed: '处理中', answered: '已回复', closed: '已关闭' };
export const roleLabels = { teacher: '老师', admin: '管理员' } as const;

const chinaTime = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** A time as schools read it: China time (Asia/Shanghai), e.g. "2026/11/27 17:30". */
export function formatChinaTime(instant: Date): string {
  return chinaTime.format(instant);
}

/** A duration in minutes as 分钟 / 小时 / 天. */
export function formatMinutes(minutes: number): string {
  const m = Math.round(Math.abs(minutes));
  if (m < 60) return `${m} 分钟`;
  if (m < 48 * 60) return `${Math.floor(m / 60)} 小时${m % 60 > 0 ? ` ${m % 60} 分钟` : ''}`;
  return `${Math.round(m / 60 / 24)} 天`;
}

/** "还剩 3 小时" before a deadline, "已逾期 2 小时" after it. */
export function untilDue(dueAt: Date, now: Date): string {
  const minutes = (dueAt.getTime() - now.getTime()) / 60_000;
  return minutes >= 0 ? `还剩 ${formatMinutes(minutes)}` : `已逾期 ${formatMinutes(minutes)}`;
}

const styles = `
:root { --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --bg: #f5f7fa; --accent: #1d4ed8; }
* { box-sizing: border-box; }
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; color: var(--ink); line-height: 1.6; background: #fff; }
header.top { display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; padding: .5rem 1rem; border-bottom: 1px solid var(--line); background: var(--bg); }
header.top .brand { font-weight: 700; margin-right: auto; }
header.top nav a { margin-right: .75rem; }
header.top form { display: inline; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
a { color: var(--accent); }
h1 { font-size: 1.35rem; margin: .25rem 0 .75rem; } h2 { font-size: 1.1rem; margin: 1.5rem 0 .5rem; }
button, input, select, textarea { font: inherit; }
button { padding: .35rem .9rem; border: 1px solid #9aa5b1; border-radius: .4rem; background: #fff; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { border-color: #b91c1c; color: #b91c1c; }
textarea { width: 100%; min-height: 6rem; padding: .5rem; border: 1px solid #9aa5b1; border-radius: .4rem; }
input[type=text], input[type=password], select { padding: .35rem .5rem; border: 1px solid #9aa5b1; border-radius: .4rem; max-width: 100%; }
.muted { color: var(--muted); font-size: .9rem; }
.flash { padding: .5rem .75rem; border-radius: .4rem; background: #e0f2fe; margin-bottom: 1rem; }
.flash.error { background: #fee2e2; color: #7f1d1d; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: .3rem; font-size: .8rem; font-weight: 600; border: 1px solid transparent; white-space: nowrap; }
.r-crisis { background: #fee2e2; color: #991b1b; border-color: #fca5a5; }
.r-complaint { background: #ffedd5; color: #9a3412; border-color: #fdba74; }
.r-person { background: #dbeafe; color: #1e40af; border-color: #93c5fd; }
.r-low-confidence { background: #f1f5f9; color: #334155; border-color: #cbd5e1; }
.b-group { background: #ede9fe; color: #5b21b6; }
.b-overdue { background: #b91c1c; color: #fff; }
.b-status { background: var(--bg); color: var(--ink); border-color: var(--line); }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin-bottom: 1rem; }
ol.queue { list-style: none; padding: 0; margin: 0; }
ol.queue li { border: 1px solid var(--line); border-radius: .5rem; margin-bottom: .5rem; }
ol.queue li.overdue { border-left: .35rem solid #b91c1c; }
ol.queue li.fresh { box-shadow: 0 0 0 3px #fde68a; }
ol.queue a { display: block; padding: .5rem .75rem; color: inherit; text-decoration: none; }
ol.queue .summary { display: block; margin: .2rem 0; overflow-wrap: anywhere; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 1rem; }
.facts dt { color: var(--muted); } .facts dd { margin: 0; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin: .75rem 0; }
.actions form { display: inline-flex; gap: .35rem; align-items: center; }
.thread { list-style: none; padding: 0; }
.thread li { border: 1px solid var(--line); border-radius: .5rem; padding: .5rem .75rem; margin-bottom: .5rem; }
.thread li.student { background: #f8fafc; }
.thread li.teacher { background: #ecfdf5; border-color: #a7f3d0; }
.thread li.note { background: #fefce8; border: 1px dashed #ca8a04; }
.thread .who { font-size: .85rem; color: var(--muted); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin: .2rem 0; }
.delivery { font-size: .85rem; margin-top: .25rem; }
.delivery.sent { color: #047857; } .delivery.retrying { color: #b45309; } .delivery.failed { color: #b91c1c; font-weight: 600; }
.delivery form { display: inline; }
.transcript { max-height: 28rem; overflow-y: auto; border: 1px solid var(--line); border-radius: .5rem; padding: .5rem .75rem; }
.transcript p { margin: .35rem 0; }
.transcript .role { font-weight: 600; margin-right: .35rem; }
.clause { border-left: 3px solid #93c5fd; padding: .25rem .75rem; margin: .5rem 0; background: #f8fafc; }
pre.doc { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--bg); padding: .75rem; border-radius: .4rem; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
td, th { border-bottom: 1px solid var(--line); padding: .35rem; text-align: left; vertical-align: top; }
.live { font-size: .85rem; color: var(--muted); }
#changed { display: none; } #changed.shown { display: block; }
.login { max-width: 22rem; margin: 3rem auto; }
.login label { display: block; margin: .75rem 0 .25rem; }
.login input { width: 100%; }
.account-form { display: grid; grid-template-columns: max-content minmax(0, 24rem); gap: .4rem 1rem; align-items: center; }
code.secret { font-size: 1.4rem; letter-spacing: .08em; padding: .3rem .6rem; background: var(--bg); border: 1px solid var(--line); border-radius: .4rem; user-select: all; }
@media (max-width: 40rem) {
  main { padding: .75rem; }
  header.top .brand { flex-basis: 100%; }
  .facts { grid-template-columns: 1fr; } .facts dd { margin-bottom: .35rem; }
  table { font-size: .85rem; }
}
`;

/** A dashboard page: header with navigation (when signed in), the page, inline CSS and script under the CSP nonce. */
export function layout(input: { title: string; nonce: string | undefined; session: Session | null; body: Html; script?: string }): Html {
  const { title, nonce, session, body, script } = input;
  return html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
${session ? html`<meta name="csrf-token" content="${session.csrfToken}">` : ''}
<title>${title} · 职引工作台</title>
<style nonce="${nonce ?? ''}">${raw(styles)}</style>
</head>
<body>
<header class="top">
<span class="brand">职引 · 老师工作台</span>
${
  session
    ? html`<nav><a href="/">工单队列</a><a href="/stats">统计</a><a href="/knowledge">知识库</a>${session.user.role === 'admin' ? html`<a href="/admin/gaps">知识缺口</a><a href="/channels">渠道</a><a href="/users">账号</a>` : ''}</nav>
<span class="muted">${session.user.displayName}（${roleLabels[session.user.role]}）</span><a href="/account/password">修改密码</a>
<form method="post" action="/logout">${csrfField(session)}<button type="submit">退出</button></form>`
    : ''
}
</header>
<main>
${body}
</main>
${script ? html`<script nonce="${nonce ?? ''}">${raw(script)}</script>` : ''}
</body>
</html>`;
}

/** The hidden CSRF field every dashboard form carries. */
export function csrfField(session: Session): Html {
  return html`<input type="hidden" name="_csrf" value="${session.csrfToken}">`;
}
