import type { Context, Hono } from 'hono';
import { html, raw } from 'hono/html';
import type { Assistant } from '../../assistant.ts';
import { chinaDay, dailyChart, outcomeLabels, percent, ratingsChart, reasonLabels, reportMarkdown, reportPeriod, weeklyReport, type WeeklyReport } from '../../conversation/weekly-report.ts';
import type { DashboardEnv } from '../auth/middleware.ts';
import { adminPages } from './admin-app.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { layout, type Html } from '../dashboard/view.ts';
import { gapsBase } from './gaps.ts';

/** Where the weekly report is mounted. */
export const reportBase = '/admin/report';

export interface ReportAdminDeps {
  assistant: Assistant;
  sessions: SessionStore;
  now?: () => Date;
}

const periods = [1, 4] as const;

/**
 * 周报 (administrators only): the weekly report of src/conversation/weekly-report.ts as a page
 * with its SVG charts, and as Markdown at `report.md` — the same text `zhiyin report` prints.
 *
 * @example app.route(reportBase, reportAdmin({ assistant, sessions }));
 */
export function reportAdmin(deps: ReportAdminDeps): Hono<DashboardEnv> {
  const { assistant } = deps;
  const now = deps.now ?? (() => new Date());
  const app = adminPages(deps.sessions);

  const reportOf = async (c: Context<DashboardEnv>): Promise<{ report: WeeklyReport; weeks: number; titles: Map<string, string> }> => {
    const asked = Number(c.req.query('weeks'));
    const weeks = (periods as readonly number[]).includes(asked) ? asked : 1;
    const index = (await assistant.answerer()).search.lexicalIndex;
    const report = await weeklyReport(assistant.db, {
      ...reportPeriod(now(), weeks),
      words: (text) => assistant.tokenizer.words(text),
      rarity: (word) => (index.has(word) ? index.idf(word) : 0),
    });
    const titles = new Map((await assistant.knowledge.list()).map((document) => [document.id, document.title]));
    return { report, weeks, titles };
  };

  app.get('/', async (c) => {
    const { report, weeks, titles } = await reportOf(c);
    const nonce = c.get('secureHeadersNonce');
    return c.html(layout({ title: '周报', nonce, session: c.get('session')!, body: html`${styles(nonce)}${reportBody(report, weeks, titles)}` }));
  });

  app.get('/report.md', async (c) => {
    const { report, titles } = await reportOf(c);
    c.header('Content-Disposition', 'attachment; filename="zhiyin-report.md"');
    return c.body(reportMarkdown(report, undefined, titles), 200, { 'Content-Type': 'text/markdown; charset=utf-8' });
  });
  return app;
}

function reportBody(report: WeeklyReport, weeks: number, titles: ReadonlyMap<string, string>): Html {
  const { outcomes, tickets, ratings } = report;
  return html`<h1>周报 <small class="muted">${chinaDay(report.since)} — ${chinaDay(new Date(report.until.getTime() - 1))}（中国时间）</small></h1>
<nav class="periods">${periods.map((period) => (period === weeks ? html`<strong>最近 ${period} 周</strong>` : html`<a href="${reportBase}?weeks=${period}">最近 ${period} 周</a>`))}<a href="${reportBase}/report.md?weeks=${weeks}">下载 Markdown</a></nav>
<p>学生提问 <strong>${report.questions}</strong> 次，来自 <strong>${report.students}</strong> 位学生<span class="muted">（不含评分、菜单选择和命令）</span>。</p>
<table><tr><th>结果</th><th>次数</th><th>占比</th></tr>
${(Object.keys(outcomeLabels) as (keyof typeof outcomeLabels)[]).map((outcome) => html`<tr><td>${outcomeLabels[outcome]}</td><td>${outcomes[outcome]}</td><td>${percent(outcomes[outcome], report.questions)}</td></tr>`)}
</table>
<figure>${raw(dailyChart(report))}<figcaption class="muted">每天的提问，按结果分色</figcaption></figure>
<h2>老师工单</h2>
<p>新开工单 ${tickets.opened} 张（${Object.entries(tickets.byReason).map(([reason, count]) => `${reasonLabels[reason] ?? reason} ${count}`).join('，') || '无'}）；已首次回复 ${tickets.answered} 张，按时回复 ${tickets.slaMet === null ? '—' : percent(tickets.slaMet, 1)}，首次回复用时中位数 ${tickets.medianFirstResponseMinutes === null ? '—' : `${Math.round(tickets.medianFirstResponseMinutes)} 分钟`}。</p>
<h2>评分</h2>
${ratings.count === 0 ? html`<p class="muted">这段时间没有评分。</p>` : html`<p>${ratings.count} 个评分，平均 ${ratings.average!.toFixed(2)} 分。</p><figure>${raw(ratingsChart(report))}</figure>`}
<h2>知识缺口（前 5 组）</h2>
${
  report.gaps.length === 0
    ? html`<p class="muted">这段时间没有缺口。</p>`
    : html`<table><tr><th>最接近的条款 / 关键词</th><th>次数</th><th>例句</th></tr>
${report.gaps.map((group) => html`<tr><td>${group.nearest ? `${titles.has(group.nearest.doc) ? `《${titles.get(group.nearest.doc)}》` : group.nearest.doc}${group.nearest.locator}` : `关键词：${group.terms.join('、')}`}</td><td>${group.count}</td><td>${group.examples[0]?.text ?? ''}</td></tr>`)}
</table><p><a href="${gapsBase}?weeks=${weeks === 1 ? 1 : 4}">到知识缺口页处理</a></p>`
}`;
}

function styles(nonce: string | undefined): Html {
  return html`<style nonce="${nonce ?? ''}">
.periods { display: flex; gap: 1rem; margin: .5rem 0 1rem; flex-wrap: wrap; }
figure { margin: .75rem 0; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; }
h1 small { font-size: .9rem; font-weight: normal; }
</style>`;
}
