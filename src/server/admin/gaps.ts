import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import type { Assistant } from '../../assistant.ts';
import { knowledgeGaps, type GapGroup, type GapKind } from '../../knowledge/gaps.ts';
import type { DashboardEnv } from '../auth/middleware.ts';
import { adminPages } from './admin-app.ts';
import type { Session, SessionStore } from '../auth/sessions.ts';
import { csrfField, layout, type Html } from '../dashboard/view.ts';
import { adminBase } from './pages.ts';

/** Where the knowledge-gaps page is mounted. */
export const gapsBase = '/admin/gaps';

export interface GapsAdminDeps {
  assistant: Assistant;
  sessions: SessionStore;
  now?: () => Date;
}

const kindLabels: Record<GapKind, string> = { abstain: '没有回答', clarify: '反问了学生', 'low-confidence': '没把握转老师', 'low-rating': '学生评分 1–2' };
const periods = [1, 4, 12] as const;

/** What the page needs of a group's nearest clause: its document's title and the clause key a variant is filed under. */
interface ClauseTarget {
  title: string;
  version: number;
  clauseKey: string;
}

/**
 * 知识缺口 (administrators only): the questions of the last weeks the knowledge base could not
 * answer well, grouped by the nearest clause, with counts per week and examples; from a group an
 * admin runs the hit test, adds a question as a variant (关联问题) of the nearest clause, or starts
 * a new document draft. Shows question texts only, personal data masked — never who asked.
 *
 * @example app.route(gapsBase, gapsAdmin({ assistant, sessions }));
 */
export function gapsAdmin(deps: GapsAdminDeps): Hono<DashboardEnv> {
  const { assistant } = deps;
  const now = deps.now ?? (() => new Date());
  const app = adminPages(deps.sessions);

  app.get('/', async (c: Context<DashboardEnv>) => {
    const asked = Number(c.req.query('weeks'));
    const weeks = (periods as readonly number[]).includes(asked) ? asked : 4;
    const since = new Date(now().getTime() - weeks * 7 * 86_400_000);
    const answerer = await assistant.answerer();
    const index = answerer.search.lexicalIndex;
    const groups = await knowledgeGaps(assistant.db, {
      since,
      until: now(),
      words: (text) => assistant.tokenizer.words(text),
      rarity: (word) => (index.has(word) ? index.idf(word) : 0),
    });
    const targets = await clauseTargets(assistant, groups);
    const session = c.get('session')!;
    const nonce = c.get('secureHeadersNonce');
    return c.html(layout({ title: '知识缺口', nonce, session, body: html`${styles(nonce)}${gapsBody({ session, groups, targets, weeks })}` }));
  });
  return app;
}

/** The title, published version and variant key of each group's nearest clause (when it is still published). */
async function clauseTargets(assistant: Assistant, groups: readonly GapGroup[]): Promise<Map<string, ClauseTarget>> {
  const documents = new Map((await assistant.knowledge.list()).map((document) => [document.id, document]));
  const targets = new Map<string, ClauseTarget>();
  const clausesOf = new Map<string, { key: string; locator: string }[]>();
  for (const group of groups) {
    const near = group.nearest;
    const document = near ? documents.get(near.doc) : undefined;
    if (!near || !document) continue;
    const version = document.versionInfo?.number;
    if (!version) continue;
    if (!clausesOf.has(near.doc)) clausesOf.set(near.doc, await assistant.knowledge.clauseVariants(near.doc, version).catch(() => []));
    const clause = clausesOf.get(near.doc)!.find((whole) => whole.locator === near.locator || near.locator.startsWith(whole.locator));
    if (clause) targets.set(group.key, { title: document.title, version, clauseKey: clause.key });
  }
  return targets;
}

/** A week-by-week bar chart of a group's questions, drawn on the server (SVG, no script). */
function weekBars(group: GapGroup): Html {
  const max = Math.max(...group.weeks.map((week) => week.count), 1);
  const width = 14;
  return html`<svg class="bars" role="img" aria-label="每周次数：${group.weeks.map((week) => `${week.week} ${week.count} 次`).join('，')}" width="${group.weeks.length * (width + 4)}" height="32" viewBox="0 0 ${group.weeks.length * (width + 4)} 32">${group.weeks.map((week, i) => {
    const height = Math.max(3, Math.round((week.count / max) * 28));
    return html`<rect x="${i * (width + 4)}" y="${32 - height}" width="${width}" height="${height}" rx="2"><title>${week.week}：${week.count} 次</title></rect>`;
  })}</svg>`;
}

function gapsBody(input: { session: Session; groups: GapGroup[]; targets: Map<string, ClauseTarget>; weeks: number }): Html {
  const { session, groups, targets, weeks } = input;
  const total = groups.reduce((sum, group) => sum + group.count, 0);
  return html`<h1>知识缺口</h1>
<p class="muted">学生问了、知识库没答好的问题：没有回答、反问了学生、没把握转给老师，或学生打了 1–2 分。按最接近的条款分组；只显示问题本身（手机号、身份证号、姓名已遮盖），不显示是谁问的。</p>
<nav class="periods">${periods.map((period) => (period === weeks ? html`<strong>最近 ${period} 周</strong>` : html`<a href="${gapsBase}?weeks=${period}">最近 ${period} 周</a>`))}</nav>
<p>${total === 0 ? '这段时间没有缺口。' : `共 ${total} 个问题，${groups.length} 组。`}</p>
${groups.map((group) => {
  const target = targets.get(group.key);
  const heading = group.nearest
    ? target
      ? html`最接近：《${target.title}》${group.nearest.locator}`
      : html`最接近：${group.nearest.doc} ${group.nearest.locator}（已不在现行文件中）`
    : html`没有接近的条款`;
  return html`<section class="gap">
<header><h2>${heading}</h2><span class="count">${group.count} 次</span>${weekBars(group)}</header>
<p class="kinds">${(Object.entries(group.byKind) as [GapKind, number][]).filter(([, count]) => count > 0).map(([kind, count]) => html`<span class="kind">${kindLabels[kind]} ${count}</span>`)}${group.terms.length > 0 ? html`<span class="muted">共同的词：${group.terms.join('、')}</span>` : ''}</p>
<ul class="examples">${group.examples.map(
    (example) => html`<li><q>${example.text}</q> <span class="muted">${kindLabels[example.kind]}</span>
<span class="actions"><a href="${adminBase}/try?q=${encodeURIComponent(example.text)}">命中测试</a>${
      target
        ? html`<form method="post" action="${adminBase}/docs/${encodeURIComponent(group.nearest!.doc)}/versions/${target.version}/variants">${csrfField(session)}<input type="hidden" name="clause" value="${target.clauseKey}"><input type="hidden" name="question" value="${example.text}"><button type="submit" title="把这个问法加到《${target.title}》${group.nearest!.locator}的关联问题里">加为该条款的关联问题</button></form>`
        : ''
    }</span></li>`,
  )}</ul>
<p class="draft"><a href="${adminBase}#upload">这组问题没有文件能回答？起草一份新文件</a></p>
</section>`;
})}`;
}

function styles(nonce: string | undefined): Html {
  return html`<style nonce="${nonce ?? ''}">
.periods { display: flex; gap: 1rem; margin: .5rem 0 1rem; }
.gap { border: 1px solid var(--line); border-radius: .5rem; padding: .75rem 1rem; margin: 0 0 1rem; background: #fff; }
.gap header { display: flex; flex-wrap: wrap; align-items: center; gap: .75rem; }
.gap h2 { font-size: 1.05rem; margin: 0; flex: 1 1 18rem; }
.gap .count { font-weight: 600; }
.gap .bars rect { fill: #0f766e; }
.kinds { display: flex; flex-wrap: wrap; gap: .5rem; margin: .5rem 0; }
.kind { background: #fef3c7; color: #92400e; border-radius: 1rem; padding: .05rem .6rem; font-size: .85rem; }
.examples { margin: .25rem 0; padding-left: 1.2rem; }
.examples li { margin: .35rem 0; }
.examples .actions { display: inline-flex; flex-wrap: wrap; gap: .5rem; margin-left: .5rem; align-items: center; }
.examples .actions form { display: inline; margin: 0; }
.examples .actions button { font-size: .8rem; padding: .1rem .5rem; }
.draft { margin: .5rem 0 0; font-size: .9rem; }
</style>`;
}
