import { html, raw } from 'hono/html';
import type { AccuracySummary, VersionEvalComparison } from '../../../eval/version-eval.ts';
import type { ClauseDiff } from '../../knowledge/diff.ts';
import { acceptedExtensions, maxDocumentBytes } from '../../knowledge/formats.ts';
import type { PreviewClause } from '../../knowledge/ingest.ts';
import type { ClauseVariants, DocumentSummary, DocumentVersion, KbChange, VersionSummary } from '../../knowledge/knowledge-base.ts';
import { editableLexiconFiles, type EditableLexicon, type LexiconProblem } from '../../knowledge/lexicon-files.ts';
import type { VersionState } from '../../knowledge/types.ts';
import { maxVariantLength, type VariantSource } from '../../knowledge/variants.ts';
import type { RankedClause } from '../../retrieval/hybrid-search.ts';
import type { Session } from '../auth/sessions.ts';
import { csrfField, formatChinaTime, type Html } from '../dashboard/view.ts';
import { datasetLabel } from '../labels.ts';

/** Where the knowledge-base admin lives. */
export const adminBase = '/admin/knowledge';

/** How many files one upload may carry, and how many bytes together. */
export const maxUploadFiles = 10;
export const maxUploadBytes = 3 * maxDocumentBytes;

/** A draft stored by a multi-file upload, for the list shown after it. */
export interface UploadedDraft {
  docId: string;
  version: number;
  /** The uploaded file's name (as the browser sent it; only displayed). */
  name: string;
  title: string;
  /** False when the file equals the latest version (nothing new stored). */
  created: boolean;
}

/** Notices after an action, by code (never text from the request). */
export const adminFlashes = {
  uploaded: '已上传为草稿：请核对元数据和条款预览，再发布。',
  unchanged: '上传的文件与现有版本完全相同，没有生成新版本。',
  saved: '元数据已保存。',
  published: '已发布：新版本已切换上线。',
  rolledback: '已回滚：上一版本重新上线。',
  withdrawn: '已撤下：该文件不再用于回答。',
  discarded: '草稿已丢弃。',
  conflict: '知识库刚被别人改过：请看看最新状态后再试。',
  lexicon: '词表已保存并重新加载。',
  variantAdded: '关联问题已添加。',
  variantSaved: '关联问题已修改。',
  variantDeleted: '关联问题已删除。',
} as const;
export type AdminFlash = keyof typeof adminFlashes;

const stateLabels: Record<VersionState, string> = { draft: '草稿', published: '已发布', superseded: '已被取代', withdrawn: '已撤下' };
const stateClass: Record<VersionState, string> = { draft: 'r-person', published: 'r-low-confidence', superseded: 'b-status', withdrawn: 'r-complaint' };

/** Styles of the admin pages (under the page's CSP nonce). */
export function adminStyles(nonce: string | undefined): Html {
  return html`<style nonce="${nonce ?? ''}">
.diff-add { border-left: 3px solid #16a34a; background: #f0fdf4; padding: .25rem .75rem; margin: .4rem 0; }
.diff-del { border-left: 3px solid #dc2626; background: #fef2f2; padding: .25rem .75rem; margin: .4rem 0; }
.diff-mod { border-left: 3px solid #d97706; background: #fffbeb; padding: .25rem .75rem; margin: .4rem 0; }
.locator { font-weight: 600; margin-right: .5rem; }
.meta-form { display: grid; grid-template-columns: max-content 1fr; gap: .4rem 1rem; align-items: center; max-width: 44rem; }
.meta-form input, .meta-form select { width: 100%; }
.eval { border: 1px solid var(--line); border-radius: .5rem; padding: .5rem .75rem; margin: .75rem 0; }
.eval.blocked { border-color: #dc2626; background: #fef2f2; }
.score { font-variant-numeric: tabular-nums; white-space: nowrap; }
textarea.lexicon { min-height: 22rem; font-family: ui-monospace, monospace; tab-size: 12; }
.upload { border: 1px dashed #9aa5b1; border-radius: .5rem; padding: .75rem; }
#live-documents th, table.history th, table.history td:first-child { white-space: nowrap; }
ul.variants { margin: .3rem 0 .2rem; padding-left: 1.2rem; }
ul.variants li { margin: .15rem 0; }
.variant-source { font-size: .8em; margin-left: .4rem; }
.variant-needed { color: #b45309; font-weight: 600; }
.variant-edit form { display: inline-flex; gap: .4rem; align-items: center; margin: .15rem .4rem .15rem 0; }
.variant-edit input[type="text"] { min-width: 22rem; }
.variant-clause { border-top: 1px solid var(--line); padding: .6rem 0; }
.variant-match { border-left: 3px solid #2563eb; background: #eff6ff; padding: .15rem .5rem; margin-top: .3rem; }
</style>`;
}

function flash(code: AdminFlash | undefined, error?: string): Html | string {
  if (error) return html`<p class="flash error" role="alert">${error}</p>`;
  if (!code) return '';
  return html`<p class="flash${code === 'conflict' ? ' error' : ''}" role="status">${adminFlashes[code]}</p>`;
}

const badge = (state: VersionState): Html => html`<span class="badge ${stateClass[state]}" data-state="${state}">${stateLabels[state]}</span>`;
const day = (date: Date | null): string => (date ? formatChinaTime(date).slice(0, 10) : '—');

/** The overview: what is served, every document's versions, the upload form, the hit test. */
export function overviewBody(input: {
  session: Session;
  version: number;
  live: DocumentSummary[];
  catalogue: { docId: string; versions: VersionSummary[] }[];
  history: KbChange[];
  flash?: AdminFlash | undefined;
  error?: string | undefined;
  /** The drafts a multi-file upload just stored. */
  uploaded?: UploadedDraft[] | undefined;
}): Html {
  const { session, live, catalogue } = input;
  const liveIds = new Set(live.map((d) => d.id));
  const others = catalogue.filter((entry) => !liveIds.has(entry.docId));
  return html`<h1>知识库管理</h1>
${flash(input.flash, input.error)}
${input.uploaded ? uploadedList(input.uploaded) : ''}
<p class="muted">知识库版本 <strong id="kb-version">${input.version}</strong>：${live.length} 份文件在用。每次发布都先在旁边建好新索引、跑一遍评测，再一次性切换；失败时旧版本继续服务。</p>
<h2>上传文件</h2>
<form class="upload" method="post" action="${adminBase}/upload" enctype="multipart/form-data">
${csrfField(session)}
<p><label for="upload-files">选择文件（可多选）：</label><input id="upload-files" type="file" name="file" required multiple accept="${acceptedExtensions.join(',')}"></p>
<p><label>作为已有文件的新版本（可选，只上传一个文件时）：<select name="id"><option value="">自动（按标题匹配，或新文件）</option>${catalogue.map(
  (entry) => html`<option value="${entry.docId}">${entry.versions[0]!.title}</option>`,
)}</select></label></p>
<p class="muted">可上传 ${acceptedExtensions.join(' ')}；可一次选多个文件（最多 ${maxUploadFiles} 个），每个最大 ${maxDocumentBytes / 1024 / 1024} MB。所有文件都检查通过才保存，有一个读不出就都不保存。上传后是草稿，核对后再发布。</p>
<p><button class="primary" type="submit">上传并预览</button></p>
</form>
<h2>在用的文件</h2>
<table id="live-documents"><tr><th>文件</th><th>版本</th><th>施行</th><th>条款</th><th>地区</th></tr>
${live.map(
  (d) => html`<tr data-doc-id="${d.id}"><td><a href="${adminBase}/docs/${encodeURIComponent(d.id)}">${d.title}</a><br><span class="muted">${d.id}</span></td><td>v${d.versionInfo?.number ?? 1}</td><td class="effective">${effectiveCell(d)}</td><td>${d.clauses}</td><td>${d.region}</td></tr>`,
)}
</table>
${
  others.length > 0
    ? html`<h2>未上线的文件</h2><table><tr><th>文件</th><th>版本</th></tr>
${others.map((entry) => html`<tr data-doc-id="${entry.docId}"><td><a href="${adminBase}/docs/${encodeURIComponent(entry.docId)}">${entry.versions[0]!.title}</a><br><span class="muted">${entry.docId}</span></td><td>${entry.versions.map((v) => html`v${v.version} ${badge(v.state)} `)}</td></tr>`)}
</table>`
    : ''
}
<h2>试一试</h2>
<form method="get" action="${adminBase}/try" class="filters"><input type="text" name="q" placeholder="输入一个学生可能问的问题" required maxlength="500" size="40"><button type="submit">检索</button></form>
<h2>最近的变更</h2>
${historyTable(input.history, new Map(catalogue.map((entry) => [entry.docId, entry.versions[0]!.title])))}
<p><a href="${adminBase}/lexicon">编辑同义词表和英汉词表 →</a></p>`;
}

/**
 * When a document applies: its version's 施行 date, else the date the document bears (marked as
 * such), else what is known of it — never the day it was ingested.
 */
function effectiveCell(d: DocumentSummary): Html | string {
  if (d.versionInfo?.effectiveFrom) return d.versionInfo.effectiveFrom;
  if (d.date) return html`${d.date}<br><span class="muted">发文日期（文中未写施行日期）</span>`;
  return html`<span class="muted">${d.dateNote ?? '文中未注明'}</span>`;
}

/** The drafts a multi-file upload stored, each with its link. */
function uploadedList(uploaded: UploadedDraft[]): Html {
  const created = uploaded.filter((draft) => draft.created).length;
  return html`<div class="flash" role="status" id="uploaded"><p>已上传 ${uploaded.length} 个文件：${created} 份新草稿${uploaded.length > created ? `，${uploaded.length - created} 份与现有版本完全相同` : ''}。请逐份核对元数据和条款预览，再发布。</p>
<ul>${uploaded.map(
    (draft) =>
      html`<li><a href="${adminBase}/docs/${encodeURIComponent(draft.docId)}/versions/${draft.version}">${draft.title}</a> v${draft.version} <span class="muted">${draft.name}${draft.created ? '' : '（未变，没有新版本）'}</span></li>`,
  )}</ul></div>`;
}

/** Who made a change: `web:wang.li` → wang.li（工作台）, `cli:root` → root（命令行）. */
function actorText(actor: string | null): string {
  if (!actor) return '';
  const [where, ...rest] = actor.split(':');
  const name = rest.join(':');
  if (where === 'web' && name) return `${name}（工作台）`;
  if (where === 'cli' && name) return `${name}（命令行）`;
  return actor;
}

/** The knowledge base's changes, documents named by title (`titles`, by id). */
function historyTable(history: KbChange[], titles: ReadonlyMap<string, string>): Html {
  const actions: Record<string, string> = {
    upload: '上传',
    publish: '发布',
    rollback: '回滚',
    withdraw: '撤下',
    remove: '删除',
    reindex: '重建索引',
    discard: '丢弃草稿',
    'variant-add': '添加关联问题',
    'variant-edit': '修改关联问题',
    'variant-delete': '删除关联问题',
  };
  if (history.length === 0) return html`<p class="muted">还没有变更。</p>`;
  return html`<table class="history"><tr><th>时间</th><th>知识库版本</th><th>操作</th><th>文件</th><th>评测</th><th>操作人</th></tr>
${history.map((change) => {
  const evalDetail = change.detail.eval as { before?: number; after?: number } | undefined;
  return html`<tr><td>${formatChinaTime(change.createdAt)}</td><td>${change.kbVersion}</td><td>${actions[change.action] ?? change.action}</td><td>${change.docId === null ? '全部' : (titles.get(change.docId) ?? change.docId)}${change.version !== null ? ` v${change.version}` : ''}${
    change.previousVersion !== null && change.previousVersion !== change.version ? `（原 v${change.previousVersion}）` : ''
  }</td><td class="score">${evalDetail?.before !== undefined && evalDetail.after !== undefined ? `${pct(evalDetail.before)} → ${pct(evalDetail.after)}` : ''}</td><td>${actorText(change.actor)}</td></tr>`;
})}
</table>`;
}

const pct = (rate: number): string => `${(rate * 100).toFixed(1)}%`;

/** A document: its versions with actions, and its history. */
export function documentBody(input: { session: Session; docId: string; versions: VersionSummary[]; history: KbChange[]; flash?: AdminFlash | undefined; error?: string | undefined }): Html {
  const { session, docId, versions } = input;
  const published = versions.find((v) => v.state === 'published');
  const latest = versions[0]!;
  const action = (path: string, label: string, className = '', fields: Html | string = ''): Html =>
    html`<form method="post" action="${adminBase}/docs/${encodeURIComponent(docId)}/${path}">${csrfField(session)}${fields}<button type="submit" class="${className}">${label}</button></form>`;
  return html`<h1>${latest.title}</h1>
${flash(input.flash, input.error)}
<p class="muted">${docId}｜${latest.issuer}｜${latest.region}｜${latest.date ?? '日期未注明'}</p>
<p>在用：${published ? html`<strong id="published-version">v${published.version}</strong>` : html`<strong id="published-version">无</strong>（未上线）`}</p>
<div class="actions">
${published ? action('withdraw', '撤下（停止用于回答）…', 'danger') : ''}
${versions.some((v) => v.state === 'superseded' && (!published || v.version < published.version)) ? action('rollback', '评测并回滚到上一版本…') : ''}
</div>
<h2>版本</h2>
<table id="versions"><tr><th>版本</th><th>状态</th><th>施行 / 失效</th><th>上传</th><th>发布</th><th>来源</th><th></th></tr>
${versions.map(
  (v) => html`<tr data-version="${v.version}"><td><a href="${adminBase}/docs/${encodeURIComponent(docId)}/versions/${v.version}">v${v.version}</a></td><td>${badge(v.state)}</td><td>${v.effectiveFrom ?? '发布即施行'}${v.expiresOn ? ` / ${v.expiresOn}` : ''}</td><td>${day(v.createdAt)}${v.createdBy ? html`<br><span class="muted">${v.createdBy}</span>` : ''}</td><td>${day(v.publishedAt)}</td><td>${v.source ? `${v.source.name}（${v.source.kind}）` : '—'}</td><td>${
    published && v.version !== published.version ? html`<a href="${adminBase}/docs/${encodeURIComponent(docId)}/diff?from=${published.version}&to=${v.version}">与在用版本对比</a>` : ''
  }</td></tr>`,
)}
</table>
<h2>变更记录</h2>
${historyTable(input.history, new Map([[docId, latest.title]]))}
<p><a href="${adminBase}">← 知识库管理</a></p>`;
}

function diffSection(diff: ClauseDiff): Html {
  return html`<p id="diff-summary">新增 ${diff.added.length} 条，删除 ${diff.removed.length} 条，修改 ${diff.changed.length} 条，未变 ${diff.unchanged} 条。</p>
${diff.added.map((c) => html`<div class="diff-add"><span class="locator">＋ ${c.locator}</span><div class="text">${c.text}</div></div>`)}
${diff.removed.map((c) => html`<div class="diff-del"><span class="locator">－ ${c.locator}</span><div class="text">${c.text}</div></div>`)}
${diff.changed.map((c) => html`<div class="diff-mod"><span class="locator">～ ${c.locator}</span><div class="text muted">原：${c.before}</div><div class="text">新：${c.after}</div></div>`)}`;
}

/** A clause-level diff of two versions. */
export function diffBody(input: { docId: string; title: string; from: number; to: number; diff: ClauseDiff }): Html {
  return html`<h1>${input.title}：v${input.from} → v${input.to}</h1>${diffSection(input.diff)}<p><a href="${adminBase}/docs/${encodeURIComponent(input.docId)}">← 版本列表</a></p>`;
}

const fieldLabels: Record<string, string> = { title: '标题', issuer: '发文机关', region: '地区', audience: '适用对象', date: '日期' };

/** A version: metadata (a form while it is a draft), what the text said, the clause preview, the diff and the actions. */
export function versionBody(input: {
  session: Session;
  version: DocumentVersion;
  clauses: PreviewClause[];
  /** The version's whole clauses with their question variants. */
  variants?: ClauseVariants[] | undefined;
  diff: { from: number; diff: ClauseDiff } | null;
  missing: string[];
  notes: string[];
  published: number | null;
  comparison?: VersionEvalComparison | undefined;
  /** Where the comparison's confirm button posts (default: this version's publish). */
  confirmAction?: string | undefined;
  /** What the confirm button does (default: publish). */
  confirmKind?: 'publish' | 'rollback' | undefined;
  flash?: AdminFlash | undefined;
  error?: string | undefined;
}): Html {
  const { session, version: v, clauses } = input;
  const d = v.document;
  const base = `${adminBase}/docs/${encodeURIComponent(v.docId)}`;
  const isDraft = v.state === 'draft';
  const canPublish = v.state !== 'published';
  // A whole clause's questions are shown after its last part.
  const variantsAfter = new Map((input.variants ?? []).map((whole) => [whole.ordinals.at(-1)!, whole]));
  const input_ = (name: string, value: string | null, type = 'text', required = true): Html =>
    html`<input type="${type}" id="meta-${name}" name="${name}" value="${value ?? ''}" ${isDraft ? '' : raw('disabled')} ${required ? raw('required') : ''}>`;
  return html`<h1>${d.title} <span class="muted">v${v.version}</span> ${badge(v.state)}</h1>
${flash(input.flash, input.error)}
${input.missing.length > 0 && isDraft ? html`<p class="flash error" id="missing">文中没有找到：${input.missing.map((field) => fieldLabels[field] ?? field).join('、')}。请在下面填写后保存。</p>` : ''}
${input.comparison ? comparisonSection(input.comparison, session, input.confirmAction ?? `${base}/versions/${v.version}/publish`, input.confirmKind === 'rollback' ? { kind: 'rollback', version: v.version } : { kind: 'publish' }) : ''}
<h2>元数据</h2>
<form class="meta-form" method="post" action="${base}/versions/${v.version}/metadata">
${csrfField(session)}
<label for="meta-title">标题</label>${input_('title', d.title)}
<label for="meta-issuer">发文机关</label>${input_('issuer', d.issuer)}
<label for="meta-region">地区</label>${input_('region', d.region)}
<label for="meta-date">日期</label>${input_('date', d.date, 'date', false)}
<label for="meta-dateNote">日期说明</label>${input_('dateNote', d.dateNote, 'text', false)}
<label for="meta-status">状态</label><select id="meta-status" name="status" ${isDraft ? '' : raw('disabled')}><option value="in-force" ${d.status === 'in-force' ? raw('selected') : ''}>现行有效</option><option value="draft" ${d.status === 'draft' ? raw('selected') : ''}>征求意见稿</option></select>
<label for="meta-audience">适用对象</label>${input_('audience', d.audience)}
<label for="meta-effectiveFrom">施行日期</label>${input_('effectiveFrom', v.effectiveFrom, 'date', false)}
<label for="meta-expiresOn">失效日期</label>${input_('expiresOn', v.expiresOn, 'date', false)}
${isDraft ? html`<span></span><p><button type="submit">保存元数据</button></p>` : ''}
</form>
${input.notes.length > 0 ? html`<p class="muted">自动识别：${input.notes.join('；')}</p>` : ''}
<div class="actions">
${
  canPublish
    ? html`<form method="post" action="${base}/versions/${v.version}/publish">${csrfField(session)}<button class="primary" type="submit" id="check-publish">${v.state === 'draft' ? '评测并发布…' : '评测并重新发布…'}</button></form>`
    : ''
}
${isDraft ? html`<form method="post" action="${base}/versions/${v.version}/discard">${csrfField(session)}<button class="danger" type="submit">丢弃草稿</button></form>` : ''}
<a href="${base}">版本列表</a>
</div>
${input.diff ? html`<h2>与在用版本 v${input.diff.from} 对比</h2>${diffSection(input.diff.diff)}` : ''}
<h2>条款预览（${clauses.length} 条）</h2>
${input.variants ? variantSummary(input.variants, `${base}/versions/${v.version}/variants`) : ''}
<ol id="preview" class="thread">
${clauses.map((c, index) => {
  const whole = variantsAfter.get(index);
  return html`<li class="clause" data-locator="${c.locator}"><span class="locator">${c.locator}${c.parts > 1 ? `（${c.part}/${c.parts}）` : ''}</span>${c.headingPath.length > 0 ? html`<span class="muted">${c.headingPath.join(' › ')}</span>` : ''}<div class="text">${c.text}</div>${
    whole ? variantList(whole) : ''
  }</li>`;
})}
</ol>`;
}

const sourceLabels: Record<VariantSource, string> = { file: '随文件提供', model: '模型生成', admin: '管理员' };

/** How many questions a version's clauses carry and how many clauses need new ones, with the editor link. */
function variantSummary(variants: ClauseVariants[], editor: string): Html {
  const count = variants.reduce((sum, clause) => sum + clause.variants.length, 0);
  const needed = variants.filter((clause) => clause.variants.length === 0 && clause.changed).length;
  const without = variants.filter((clause) => clause.variants.length === 0).length;
  return html`<p id="variant-summary">关联问题 <strong>${count}</strong> 条（学生的问法，和条款一起检索）；${without} 条条款还没有关联问题${
    needed > 0 ? html`，其中 <span class="variant-needed">${needed} 条条文已修改，需要新的关联问题</span>` : ''
  }。<a href="${editor}">编辑关联问题 →</a></p>`;
}

/** A clause's questions under its text (read-only), or what is missing. */
function variantList(clause: ClauseVariants): Html {
  if (clause.variants.length === 0) {
    return clause.changed
      ? html`<p class="variant-needed" data-needs-variants="${clause.key}">条文已修改，原关联问题已失效：需要新的关联问题。</p>`
      : html`<p class="muted">暂无关联问题。</p>`;
  }
  return html`<ul class="variants" data-clause="${clause.key}">${clause.variants.map(
    (variant) => html`<li>${variant.question}<span class="muted variant-source">${sourceLabels[variant.source]}</span></li>`,
  )}</ul>`;
}

/**
 * The question-variant editor of a version: every whole clause with its questions, each one
 * editable and deletable, and a field to add one. Changes to the published version are re-indexed
 * at once; a draft's take effect when it is published.
 */
export function variantsBody(input: { session: Session; version: DocumentVersion; clauses: ClauseVariants[]; flash?: AdminFlash | undefined; error?: string | undefined }): Html {
  const { session, version: v } = input;
  const base = `${adminBase}/docs/${encodeURIComponent(v.docId)}/versions/${v.version}`;
  const live = v.state === 'published';
  return html`<h1>关联问题：${v.document.title} <span class="muted">v${v.version}</span> ${badge(v.state)}</h1>
${flash(input.flash, input.error)}
<p class="muted">关联问题是学生可能的问法，和条款一起进入检索索引，让口语说法也能找到条文。每条问题都应能由该条款直接回答。${
    live ? '这个版本在用：保存后立即重建索引生效。' : '这个版本未上线：发布后生效。'
  }条文修改后，原有的关联问题不再使用，需要重新补写。</p>
${variantSummary(input.clauses, '#variant-editor')}
<div id="variant-editor">
${input.clauses.map(
  (clause, index) => html`<section class="variant-clause" id="clause-${index}" data-clause="${clause.key}">
<p><span class="locator">${clause.key}</span>${clause.changed && clause.variants.length === 0 ? html` <span class="variant-needed" data-needs-variants="${clause.key}">条文已修改，需要新的关联问题</span>` : ''}</p>
<div class="text muted">${clause.text}</div>
<div class="variant-edit">
${clause.variants.map(
  (variant) => html`<div class="variant" data-variant-id="${variant.id}"><form method="post" action="${base}/variants/${variant.id}">${csrfField(session)}<input type="text" name="question" value="${variant.question}" required maxlength="${maxVariantLength}" aria-label="关联问题"><span class="muted variant-source">${sourceLabels[variant.source]}</span><button type="submit">保存</button></form><form method="post" action="${base}/variants/${variant.id}/delete">${csrfField(session)}<button type="submit" class="danger">删除</button></form></div>`,
)}
${clause.stale.length > 0 ? html`<p class="muted">为旧条文写的、已不再使用：${clause.stale.map((variant) => variant.question).join('；')}</p>` : ''}
<form method="post" action="${base}/variants" class="variant-add">${csrfField(session)}<input type="hidden" name="clause" value="${clause.key}"><input type="text" name="question" placeholder="添加一个学生会怎么问" required maxlength="${maxVariantLength}" aria-label="新的关联问题"><button type="submit">添加</button></form>
</div>
</section>`,
)}
</div>
<p><a href="${base}">← 返回版本</a></p>`;
}

function accuracyRow(name: string, before: { fullyCorrect: number } | undefined, after: { fullyCorrect: number; items: number }): Html {
  const delta = before ? after.fullyCorrect - before.fullyCorrect : null;
  return html`<tr><td>${name}</td><td class="score">${after.items}</td><td class="score">${before ? pct(before.fullyCorrect) : '—'}</td><td class="score">${pct(after.fullyCorrect)}</td><td class="score">${
    delta === null ? '' : `${delta >= 0 ? '+' : '−'}${Math.abs(delta * 100).toFixed(1)}`
  }</td></tr>`;
}

const outcomeWords: Record<string, string> = { answer: '引用条款回答', abstain: '不回答（超出范围）', escalate: '转给老师' };

/** The school's own items (校内评测题) the candidate breaks: each one blocks the publish. */
function schoolRegressions(comparison: VersionEvalComparison): Html | string {
  const broken = comparison.school?.regressions ?? [];
  if (broken.length === 0) return '';
  return html`<div id="school-regressions"><p><strong>有 ${broken.length} 道校内评测题现在答对、发布后答错，不能发布：</strong></p>
<ul>${broken.map((item) => html`<li data-item="${item.id}">${item.question}（应当：${outcomeWords[item.expected] ?? item.expected}；发布后：${item.actual === null ? '出错' : item.actual === item.expected ? '回答了，但没有引用标记的条款' : (outcomeWords[item.actual] ?? item.actual)}）</li>`)}</ul></div>`;
}

/** The eval of a candidate beside the live set, with the confirm button when it may be published (or rolled back to). */
export function comparisonSection(
  comparison: VersionEvalComparison,
  session: Session,
  confirmAction: string,
  confirm: { kind: 'publish' } | { kind: 'rollback'; version: number } = { kind: 'publish' },
): Html {
  const { baseline, candidate, floor, passed } = comparison;
  const overall = (summary: AccuracySummary): { fullyCorrect: number; items: number } => ({ fullyCorrect: summary.fullyCorrect, items: summary.items });
  return html`<section class="eval${passed ? '' : ' blocked'}" id="eval">
<h2>发布前评测（${candidate.items} 道单轮题，${(comparison.ms / 1000).toFixed(1)} 秒）</h2>
<table><tr><th>数据集</th><th>题数</th><th>现在</th><th>发布后</th><th>变化（百分点）</th></tr>
${accuracyRow('全部', overall(baseline), overall(candidate))}
${Object.entries(candidate.datasets).map(([name, after]) => accuracyRow(datasetLabel(name), baseline.datasets[name], after))}
</table>
${floor !== null ? html`<p>发布门槛：完全正确率不低于 ${pct(floor)}。${candidate.fullyCorrect >= floor ? '已达到。' : html`<strong>未达到，不能发布。</strong>`}</p>` : ''}
${schoolRegressions(comparison)}
${
  passed
    ? confirm.kind === 'rollback'
      ? html`<p>回滚后，v${confirm.version} 重新上线，现在在用的版本停止用于回答。</p><form method="post" action="${confirmAction}">${csrfField(session)}<input type="hidden" name="confirm" value="1"><input type="hidden" name="version" value="${confirm.version}"><button class="primary" type="submit" id="confirm-rollback">确认回滚到 v${confirm.version}</button> <a href="${confirmAction.replace(/\/rollback$/u, '')}">取消</a></form>`
      : html`<form method="post" action="${confirmAction}">${csrfField(session)}<input type="hidden" name="confirm" value="1"><button class="primary" type="submit" id="confirm-publish">确认发布（切换上线）</button></form>`
    : ''
}
</section>`;
}

/** The hit test: the clauses retrieval finds for a question, with their scores. */
export function tryBody(input: {
  question: string;
  ranked: RankedClause[];
  outcome: string | null;
  version: number;
  /** The question variant of each ranked clause (by clause id) that best matches the question. */
  matches?: ReadonlyMap<string, { question: string; share: number }> | undefined;
}): Html {
  return html`<h1>试一试</h1>
<form method="get" action="${adminBase}/try" class="filters"><input type="text" name="q" value="${input.question}" required maxlength="500" size="40"><button type="submit">检索</button></form>
${input.outcome ? html`<p>知识库版本 ${input.version}；回答结果：<strong id="outcome">${input.outcome}</strong></p>` : ''}
<table id="hits"><tr><th>#</th><th>文件 / 条款</th><th>综合分</th><th>BM25</th><th>向量</th><th>覆盖率</th></tr>
${input.ranked.map(
  (r, index) => html`<tr data-doc="${r.document.id}" data-locator="${r.clause.locator}"><td>${index + 1}</td><td><strong>${r.document.title}</strong> ${r.clause.locator} <span class="muted">v${r.document.versionInfo?.number ?? 1}</span><div class="text">${r.clause.text}</div>${variantMatch(input.matches?.get(r.clause.id))}</td><td class="score">${r.score.toFixed(3)}</td><td class="score">${r.lexicalRank ? `${r.lexicalScore.toFixed(2)} (#${r.lexicalRank})` : '—'}</td><td class="score">${r.denseRank ? `${r.denseScore.toFixed(3)} (#${r.denseRank})` : '—'}</td><td class="score">${(r.coverage * 100).toFixed(0)}%</td></tr>`,
)}
</table>
<p><a href="${adminBase}">← 知识库管理</a></p>`;
}

function variantMatch(match: { question: string; share: number } | undefined): Html | string {
  if (!match) return '';
  return html`<div class="variant-match" data-variant-match="${match.question}">匹配的关联问题：${match.question} <span class="muted">（问题用词重合 ${(match.share * 100).toFixed(0)}%）</span></div>`;
}

/** The lexicon editor: one textarea per file, with the problems of a rejected save. */
export function lexiconBody(input: { session: Session; texts: Record<EditableLexicon, string>; problems?: { kind: EditableLexicon; problems: LexiconProblem[] } | undefined; flash?: AdminFlash | undefined }): Html {
  return html`<h1>词表</h1>
${flash(input.flash)}
${(Object.keys(editableLexiconFiles) as EditableLexicon[]).map((kind) => {
  const { title, help, file } = editableLexiconFiles[kind];
  const problems = input.problems?.kind === kind ? input.problems.problems : [];
  return html`<h2>${title} <span class="muted">${file}</span></h2>
<p class="muted">${help}</p>
${problems.length > 0 ? html`<div class="flash error" role="alert" id="problems-${kind}"><p>没有保存，请改正：</p><ul>${problems.slice(0, 20).map((p) => html`<li>第 ${p.line} 行：${p.message}</li>`)}</ul></div>` : ''}
<form method="post" action="${adminBase}/lexicon/${kind}">${csrfField(input.session)}<textarea class="lexicon" name="text" spellcheck="false">${input.texts[kind]}</textarea><p><button class="primary" type="submit">保存${title}</button></p></form>`;
})}
<p><a href="${adminBase}">← 知识库管理</a></p>`;
}

/** The step before a withdraw (no script needed): what stops, and the button that does it. */
export function confirmWithdrawBody(input: { session: Session; docId: string; version: VersionSummary }): Html {
  const { session, docId, version } = input;
  const base = `${adminBase}/docs/${encodeURIComponent(docId)}`;
  return html`<h1>确认撤下《${version.title}》</h1>
<p>撤下后，在用的 v${version.version} 不再用于回答，学生问到相关问题时不会再引用这份文件。文件和各版本都保留，之后可以重新发布。</p>
<div class="actions">
<form method="post" action="${base}/withdraw">${csrfField(session)}<input type="hidden" name="confirm" value="1"><button type="submit" class="danger" id="confirm-withdraw">确认撤下</button></form>
<a href="${base}">取消</a>
</div>`;
}
