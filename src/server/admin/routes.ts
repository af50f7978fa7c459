import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import path from 'node:path';
import { z } from 'zod';
import { SchoolEvalSet } from '../../../eval/school-set.ts';
import { accuracyOf, compareWithCandidate, publishFloor, singleTurnItems, type AccuracySummary, type VersionEvalComparison } from '../../../eval/version-eval.ts';
import type { AskResult } from '../../answering/types.ts';
import { embeddingModelFor, type Assistant } from '../../assistant.ts';
import { DocumentFormatError } from '../../knowledge/document.ts';
import { maxDocumentBytes } from '../../knowledge/formats.ts';
import { adoptKnownIds, documentOverridesSchema, previewClauses, readUpload } from '../../knowledge/ingest.ts';
import { ConcurrentChangeError, VersionError, type KbChangeRequest } from '../../knowledge/knowledge-base.ts';
import { editableLexiconFiles, LexiconError, readLexiconFile, saveLexiconFile, type EditableLexicon } from '../../knowledge/lexicon-files.ts';
import { bestVariant } from '../../knowledge/variants.ts';
import { knowledgeDir } from '../../paths.ts';
import { csrfProtection, loadSession, requireRole, requireUser, type DashboardEnv } from '../auth/middleware.ts';
import type { Session, SessionStore } from '../auth/sessions.ts';
import { layout, type Html } from '../dashboard/view.ts';
import {
  adminBase,
  adminFlashes,
  adminStyles,
  confirmWithdrawBody,
  diffBody,
  documentBody,
  lexiconBody,
  maxUploadBytes,
  maxUploadFiles,
  overviewBody,
  tryBody,
  variantsBody,
  versionBody,
  type AdminFlash,
  type UploadedDraft,
} from './pages.ts';

/** What the knowledge-base admin works with. */
export interface KnowledgeAdminDeps {
  assistant: Assistant;
  sessions: SessionStore;
  /** Where synonyms.tsv and glossary.tsv live (default `knowledge/lexicon`). */
  lexiconDir?: string;
  /** The floor on the candidate's fully-correct eval rate that blocks a publish (default: ZHIYIN_PUBLISH_MIN_FULLY_CORRECT). */
  publishFloor?: number | null;
  /** Eval datasets (default: every dataset in eval/datasets). */
  datasets?: readonly string[];
}

const versionParam = z.coerce.number().int().positive().max(1_000_000);
const variantIdParam = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const idParam = z.string().regex(/^[a-z0-9][a-z0-9-]*$/u).max(80);
const metadataForm = z.object({
  title: z.string(),
  issuer: z.string(),
  region: z.string(),
  audience: z.string(),
  status: z.enum(['in-force', 'draft']),
  date: z.string().optional(),
  dateNote: z.string().optional(),
  effectiveFrom: z.string().optional(),
  expiresOn: z.string().optional(),
});
/** The share of a question's weighted words a variant must hold to be shown as the match. */
const minVariantMatch = 0.25;
const blankToNull = (value: string | undefined): string | null => (value === undefined || value.trim() === '' ? null : value.trim());

/**
 * The knowledge-base admin (administrators only; a teacher gets 403): upload (multipart, size
 * limit, type sniffing; the client's file name is only displayed), metadata form, clause preview,
 * version history with clause diffs, publish / rollback / withdraw (each evaluated on the
 * candidate set before the switch, blocked below the floor), the question variants of each
 * clause (关联问题: add, edit, delete; the published version is re-indexed at once), a hit test
 * that shows the matching variant, and the synonym and glossary editors. Mount at {@link adminBase}; every POST needs the session's CSRF token.
 *
 * @example app.route('/admin/knowledge', knowledgeAdmin({ assistant, sessions }));
 */
export function knowledgeAdmin(deps: KnowledgeAdminDeps): Hono<DashboardEnv> {
  const { assistant } = deps;
  const kb = assistant.knowledge;
  const log = assistant.log;
  const lexiconDir = deps.lexiconDir ?? path.join(knowledgeDir, 'lexicon');
  const floor = deps.publishFloor !== undefined ? deps.publishFloor : publishFloor();
  const app = new Hono<DashboardEnv>();
  const small = bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.text('请求太大 / request body too large', 413) });
  const upload = bodyLimit({
    maxSize: maxUploadBytes + 64 * 1024,
    onError: (c) => c.text(`上传太大（每个文件最大 ${maxDocumentBytes / 1024 / 1024} MB，一次合计最大 ${maxUploadBytes / 1024 / 1024} MB）/ upload too large`, 413),
  });

  app.use('*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return c.req.path === `${adminBase}/upload` ? upload(c, next) : small(c, next);
  });
  app.use('*', loadSession(deps.sessions));
  app.use('*', requireUser());
  app.use('*', requireRole('admin'));
  app.use('*', csrfProtection());

  const sessionOf = (c: Context<DashboardEnv>): Session => c.get('session')!;
  const actorOf = (c: Context<DashboardEnv>): string => `web:${sessionOf(c).user.username}`;
  const page = (c: Context<DashboardEnv>, title: string, body: Html, status: 200 | 404 | 409 | 413 | 422 = 200): Response | Promise<Response> => {
    const nonce = c.get('secureHeadersNonce');
    return c.html(layout({ title, nonce, session: c.get('session'), body: html`${adminStyles(nonce)}${body}` }), status);
  };
  const flashOf = (c: Context<DashboardEnv>): AdminFlash | undefined => {
    const code = c.req.query('msg');
    return code && code in adminFlashes ? (code as AdminFlash) : undefined;
  };
  const notFound = (c: Context<DashboardEnv>): Response | Promise<Response> => page(c, '找不到', overviewLink('没有这个文件或版本。'), 404);

  // The live set's accuracy, measured once per knowledge-base version.
  const baselines = new Map<number, Promise<AccuracySummary>>();
  const baseline = async (): Promise<AccuracySummary> => {
    const version = await kb.version();
    let measured = baselines.get(version);
    if (!measured) {
      measured = (async () => {
        const sets = await singleTurnItems(deps.datasets);
        if ((await kb.list()).length === 0) {
          const nothing = async (): Promise<AskResult> => ({ outcome: 'abstain', answer: '', citations: [], retrieved: [], latency_ms: 0 });
          return accuracyOf(nothing, sets);
        }
        const live = await assistant.answerer();
        return accuracyOf((question) => live.answer(question), sets);
      })();
      measured.catch(() => baselines.delete(version));
      baselines.clear();
      baselines.set(version, measured);
    }
    return measured;
  };

  /** Plans a change, evaluates the candidate; commits it when confirmed and above the floor. */
  const evaluateAndSwitch = async (
    c: Context<DashboardEnv>,
    request: KbChangeRequest,
    confirmed: boolean,
  ): Promise<{ committed: boolean; comparison: VersionEvalComparison }> => {
    const before = await baseline();
    const candidate = await kb.plan(request, { actor: actorOf(c), model: await embeddingModelFor(assistant.config, assistant.tokenizer) });
    // the school's own items (issue 15): answered afresh over the live set, as they change between publishes
    const school = { items: await new SchoolEvalSet(assistant.db).items(), live: async (question: string) => (await assistant.answerer()).answer(question) };
    const comparison = await compareWithCandidate({ baseline: before, candidate, lexicon: assistant.lexicon, tokenizer: assistant.tokenizer, replies: assistant.replies, floor, school, ...(deps.datasets ? { datasets: deps.datasets } : {}) });
    if (!confirmed || !comparison.passed) return { committed: false, comparison };
    const report = await kb.commit(candidate, { detail: { eval: { before: comparison.baseline.fullyCorrect, after: comparison.candidate.fullyCorrect, floor, passed: true } } });
    log.info({ action: request.kind, kbVersion: report.version, published: report.published, evalAfter: comparison.candidate.fullyCorrect }, 'knowledge base switched');
    return { committed: true, comparison };
  };

  const versionPage = async (
    c: Context<DashboardEnv>,
    docId: string,
    version: number,
    extra: { comparison?: VersionEvalComparison; confirmAction?: string; confirmKind?: 'publish' | 'rollback'; error?: string; status?: 200 | 409 | 422 } = {},
  ): Promise<Response> => {
    const stored = await kb.getVersion(docId, version);
    if (!stored) return notFound(c);
    const versions = await kb.versionsOf(docId);
    const published = versions.find((v) => v.state === 'published')?.version ?? null;
    const diff = published !== null && published !== version ? await kb.diff(docId, published, version) : null;
    const meta = stored.document.meta;
    const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);
    return page(
      c,
      `${stored.document.title} v${version}`,
      versionBody({
        session: sessionOf(c),
        version: stored,
        clauses: previewClauses(stored.document),
        variants: await kb.clauseVariants(docId, version),
        diff: diff ? { from: diff.from, diff: diff.diff } : null,
        missing: list(meta.missing_fields),
        notes: list(meta.extraction_notes),
        published,
        comparison: extra.comparison,
        confirmAction: extra.confirmAction,
        confirmKind: extra.confirmKind,
        flash: flashOf(c),
        error: extra.error,
      }),
      extra.status ?? 200,
    );
  };

  const overview = async (c: Context<DashboardEnv>, extra: { error?: string; status?: 200 | 413 | 422; uploaded?: UploadedDraft[] } = {}): Promise<Response> =>
    page(
      c,
      '知识库管理',
      overviewBody({
        session: sessionOf(c),
        version: await kb.version(),
        live: await kb.list(),
        catalogue: await kb.catalogue(),
        history: await kb.history(undefined, 20),
        flash: flashOf(c),
        error: extra.error,
        uploaded: extra.uploaded,
      }),
      extra.status ?? 200,
    );

  const problemText = (error: unknown): string | null => {
    if (error instanceof DocumentFormatError || error instanceof VersionError || error instanceof LexiconError) return error.message;
    if (error instanceof ConcurrentChangeError) return adminFlashes.conflict;
    return null;
  };

  // ---- pages ----------------------------------------------------------------------------------

  app.get('/', (c) => overview(c));

  app.post('/upload', async (c) => {
    const body = await c.req.parseBody({ all: true });
    const files = (Array.isArray(body.file) ? body.file : [body.file]).filter((file): file is File => file instanceof File && file.size > 0);
    if (files.length === 0) return overview(c, { error: '请选择文件。', status: 422 });
    if (files.length > maxUploadFiles) return overview(c, { error: `一次最多上传 ${maxUploadFiles} 个文件。`, status: 422 });
    const tooBig = files.find((file) => file.size > maxDocumentBytes);
    if (tooBig) return overview(c, { error: `${tooBig.name}：文件太大（最大 ${maxDocumentBytes / 1024 / 1024} MB）。`, status: 413 });
    const id = typeof body.id === 'string' ? body.id : '';
    const requestedId = id !== '' ? idParam.safeParse(id) : null;
    if (requestedId && !requestedId.success) return overview(c, { error: '文件 id 只能包含小写字母、数字和连字符。', status: 422 });
    if (requestedId && files.length > 1) return overview(c, { error: '“作为已有文件的新版本”一次只能上传一个文件。', status: 422 });
    try {
      // Every file is read and checked before anything is stored: one bad file stores none.
      // The client's file names are shown to admins only; they never become paths.
      const parsed = [];
      for (const file of files) parsed.push(await readUpload(new Uint8Array(await file.arrayBuffer()), file.name, requestedId ? { id: requestedId.data } : {}));
      const known = (await kb.catalogue()).map(({ docId, versions }) => ({ docId, title: versions[0]!.title }));
      const ready = adoptKnownIds(parsed, known, requestedId !== null);
      const seen = new Map<string, string>();
      for (const upload of ready) {
        const other = seen.get(upload.document.id);
        if (other !== undefined) return overview(c, { error: `${other} 和 ${upload.source.name} 是同一份文件（${upload.document.title}），请分开上传。`, status: 422 });
        seen.set(upload.document.id, upload.source.name);
      }
      const { created, unchanged } = await kb.addDrafts(
        ready.map(({ document, source, effectiveFrom, expiresOn }) => ({ document, source, effectiveFrom, expiresOn })),
        { actor: actorOf(c) },
      );
      for (const upload of ready) log.info({ docId: upload.document.id, kind: upload.source.kind, bytes: upload.source.bytes }, 'knowledge upload');
      if (ready.length === 1) {
        const stored = created[0] ?? unchanged[0]!;
        return c.redirect(`${adminBase}/docs/${encodeURIComponent(stored.docId)}/versions/${stored.version}?msg=${created.length > 0 ? 'uploaded' : 'unchanged'}`, 303);
      }
      const fileOf = new Map(ready.map((upload) => [upload.document.id, { name: upload.source.name, title: upload.document.title }]));
      const uploaded: UploadedDraft[] = [
        ...created.map((draft) => ({ ...draft, ...fileOf.get(draft.docId)!, created: true })),
        ...unchanged.map((draft) => ({ ...draft, ...fileOf.get(draft.docId)!, created: false })),
      ];
      return overview(c, { uploaded });
    } catch (error) {
      const problem = problemText(error);
      if (problem === null) throw error;
      return overview(c, { error: problem, status: 422 });
    }
  });

  app.get('/docs/:id', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    if (!id.success) return notFound(c);
    const versions = await kb.versionsOf(id.data);
    if (versions.length === 0) return notFound(c);
    return page(c, versions[0]!.title, documentBody({ session: sessionOf(c), docId: id.data, versions, history: await kb.history(id.data, 50), flash: flashOf(c) }));
  });

  app.get('/docs/:id/diff', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    const from = versionParam.safeParse(c.req.query('from'));
    const to = versionParam.safeParse(c.req.query('to'));
    if (!id.success) return notFound(c);
    try {
      const result = await kb.diff(id.data, from.success ? from.data : undefined, to.success ? to.data : undefined);
      const title = (await kb.getVersion(id.data, result.to))!.document.title;
      return page(c, `${title} 对比`, diffBody({ docId: id.data, title, ...result }));
    } catch (error) {
      if (error instanceof VersionError) return notFound(c);
      throw error;
    }
  });

  app.get('/docs/:id/versions/:version', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    const version = versionParam.safeParse(c.req.param('version'));
    if (!id.success || !version.success) return notFound(c);
    return versionPage(c, id.data, version.data);
  });

  app.post('/docs/:id/versions/:version/metadata', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    const version = versionParam.safeParse(c.req.param('version'));
    if (!id.success || !version.success) return notFound(c);
    const form = metadataForm.safeParse(await c.req.parseBody());
    if (!form.success) return versionPage(c, id.data, version.data, { error: '表单不完整。', status: 422 });
    const { date, dateNote, effectiveFrom, expiresOn, ...fields } = form.data;
    const overrides = documentOverridesSchema.safeParse({ ...fields, date: blankToNull(date), dateNote: blankToNull(dateNote), effectiveFrom: blankToNull(effectiveFrom), expiresOn: blankToNull(expiresOn) });
    if (!overrides.success) {
      return versionPage(c, id.data, version.data, { error: `请检查：${overrides.error.issues.map((issue) => issue.path.join('.')).join('、')}`, status: 422 });
    }
    try {
      await kb.updateDraft(id.data, version.data, overrides.data);
    } catch (error) {
      const problem = problemText(error);
      if (problem === null) throw error;
      return versionPage(c, id.data, version.data, { error: problem, status: 422 });
    }
    return c.redirect(`${adminBase}/docs/${encodeURIComponent(id.data)}/versions/${version.data}?msg=saved`, 303);
  });

  app.post('/docs/:id/versions/:version/publish', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    const version = versionParam.safeParse(c.req.param('version'));
    if (!id.success || !version.success) return notFound(c);
    const confirmed = (await c.req.parseBody()).confirm === '1';
    const action = `${adminBase}/docs/${encodeURIComponent(id.data)}/versions/${version.data}/publish`;
    try {
      const { committed, comparison } = await evaluateAndSwitch(c, { kind: 'publish', targets: [{ docId: id.data, version: version.data }] }, confirmed);
      if (committed) return c.redirect(`${adminBase}/docs/${encodeURIComponent(id.data)}?msg=published`, 303);
      return versionPage(c, id.data, version.data, { comparison, confirmAction: action, status: comparison.passed ? 200 : 422 });
    } catch (error) {
      const problem = problemText(error);
      if (problem === null) throw error;
      return versionPage(c, id.data, version.data, { error: problem, status: error instanceof ConcurrentChangeError ? 409 : 422 });
    }
  });

  app.post('/docs/:id/rollback', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    if (!id.success) return notFound(c);
    const body = await c.req.parseBody();
    const requested = typeof body.version === 'string' ? versionParam.safeParse(body.version) : null;
    const versions = await kb.versionsOf(id.data);
    const current = versions.find((v) => v.state === 'published');
    const target = requested?.success ? requested.data : versions.find((v) => v.state === 'superseded' && (!current || v.version < current.version))?.version;
    if (target === undefined) return page(c, '不能回滚', overviewLink('没有可以回滚到的上一版本。'), 422);
    try {
      const { committed, comparison } = await evaluateAndSwitch(c, { kind: 'rollback', docId: id.data, version: target }, body.confirm === '1');
      if (committed) return c.redirect(`${adminBase}/docs/${encodeURIComponent(id.data)}?msg=rolledback`, 303);
      return versionPage(c, id.data, target, {
        comparison,
        confirmAction: `${adminBase}/docs/${encodeURIComponent(id.data)}/rollback`,
        confirmKind: 'rollback',
        status: comparison.passed ? 200 : 422,
      });
    } catch (error) {
      const problem = problemText(error);
      if (problem === null) throw error;
      return versionPage(c, id.data, target, { error: problem, status: error instanceof ConcurrentChangeError ? 409 : 422 });
    }
  });

  app.post('/docs/:id/withdraw', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    if (!id.success) return notFound(c);
    if ((await c.req.parseBody()).confirm !== '1') {
      const published = (await kb.versionsOf(id.data)).find((v) => v.state === 'published');
      if (!published) return page(c, '不能撤下', overviewLink('这份文件没有在用的版本。'), 422);
      return page(c, `撤下 ${published.title}`, confirmWithdrawBody({ session: sessionOf(c), docId: id.data, version: published }));
    }
    try {
      const report = await kb.withdraw(id.data, { actor: actorOf(c), model: await embeddingModelFor(assistant.config, assistant.tokenizer) });
      log.info({ action: 'withdraw', docId: id.data, kbVersion: report.version }, 'knowledge base switched');
    } catch (error) {
      const problem = problemText(error);
      if (problem === null) throw error;
      return page(c, '不能撤下', overviewLink(problem), 422);
    }
    return c.redirect(`${adminBase}/docs/${encodeURIComponent(id.data)}?msg=withdrawn`, 303);
  });

  app.post('/docs/:id/versions/:version/discard', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    const version = versionParam.safeParse(c.req.param('version'));
    if (!id.success || !version.success) return notFound(c);
    try {
      await kb.discardDraft(id.data, version.data, { actor: actorOf(c) });
    } catch (error) {
      const problem = problemText(error);
      if (problem === null) throw error;
      return versionPage(c, id.data, version.data, { error: problem, status: 422 });
    }
    return c.redirect(`${adminBase}/docs/${encodeURIComponent(id.data)}?msg=discarded`, 303);
  });

  // ---- question variants (关联问题) --------------------------------------------------------------

  const variantsPage = async (c: Context<DashboardEnv>, docId: string, version: number, extra: { error?: string; status?: 200 | 422 } = {}): Promise<Response> => {
    const stored = await kb.getVersion(docId, version);
    if (!stored) return notFound(c);
    return page(
      c,
      `关联问题：${stored.document.title} v${version}`,
      variantsBody({ session: sessionOf(c), version: stored, clauses: await kb.clauseVariants(docId, version), flash: flashOf(c), error: extra.error }),
      extra.status ?? 200,
    );
  };

  /** Applies a variant change; a change to the published version is re-indexed at once, so answers use it. */
  const changeVariant = async (
    c: Context<DashboardEnv>,
    change: (docId: string, version: number) => Promise<{ published: boolean; variant: { clauseKey: string } }>,
    flash: AdminFlash,
  ): Promise<Response> => {
    const id = idParam.safeParse(c.req.param('id'));
    const version = versionParam.safeParse(c.req.param('version'));
    if (!id.success || !version.success) return notFound(c);
    try {
      const { published, variant } = await change(id.data, version.data);
      if (published) {
        const report = await kb.reindex({ actor: actorOf(c), model: await embeddingModelFor(assistant.config, assistant.tokenizer) });
        log.info({ action: 'variants', docId: id.data, version: version.data, kbVersion: report.version }, 'knowledge base re-indexed after a question-variant change');
      }
      const index = (await kb.clauseVariants(id.data, version.data)).findIndex((clause) => clause.key === variant.clauseKey);
      return c.redirect(`${adminBase}/docs/${encodeURIComponent(id.data)}/versions/${version.data}/variants?msg=${flash}${index >= 0 ? `#clause-${index}` : ''}`, 303);
    } catch (error) {
      const problem = problemText(error);
      if (problem === null) throw error;
      return variantsPage(c, id.data, version.data, { error: problem, status: 422 });
    }
  };

  app.get('/docs/:id/versions/:version/variants', async (c) => {
    const id = idParam.safeParse(c.req.param('id'));
    const version = versionParam.safeParse(c.req.param('version'));
    if (!id.success || !version.success) return notFound(c);
    return variantsPage(c, id.data, version.data);
  });

  app.post('/docs/:id/versions/:version/variants', async (c) => {
    const body = await c.req.parseBody();
    const clause = typeof body.clause === 'string' ? body.clause : '';
    const question = typeof body.question === 'string' ? body.question : '';
    return changeVariant(c, (docId, version) => kb.addVariant(docId, version, clause, question, { actor: actorOf(c) }), 'variantAdded');
  });

  app.post('/docs/:id/versions/:version/variants/:variant', async (c) => {
    const variant = variantIdParam.safeParse(c.req.param('variant'));
    if (!variant.success) return notFound(c);
    const question = (await c.req.parseBody()).question;
    return changeVariant(c, (docId, version) => kb.updateVariant(docId, version, variant.data, typeof question === 'string' ? question : '', { actor: actorOf(c) }), 'variantSaved');
  });

  app.post('/docs/:id/versions/:version/variants/:variant/delete', async (c) => {
    const variant = variantIdParam.safeParse(c.req.param('variant'));
    if (!variant.success) return notFound(c);
    return changeVariant(c, (docId, version) => kb.deleteVariant(docId, version, variant.data, { actor: actorOf(c) }), 'variantDeleted');
  });

  app.get('/try', async (c) => {
    const question = (c.req.query('q') ?? '').slice(0, 500);
    if (question.trim() === '') return c.redirect(adminBase, 303);
    const version = await kb.version();
    if ((await kb.list()).length === 0) return page(c, '试一试', tryBody({ question, ranked: [], outcome: null, version }));
    const answerer = await assistant.answerer();
    const answered = await answerer.answer(question);
    const ranked = answered.ranked.slice(0, 10);
    // The variant of each clause that the question's words match best: why everyday wording found it.
    const index = answerer.search.lexicalIndex;
    const words = (text: string): string[] => assistant.tokenizer.words(text);
    const idf = (word: string): number => (index.has(word) ? index.idf(word) : 0);
    const matches = new Map<string, { question: string; share: number }>();
    for (const { clause } of ranked) {
      const match = bestVariant(question, clause.variants, words, idf);
      if (match && match.share >= minVariantMatch) matches.set(clause.id, match);
    }
    return page(c, '试一试', tryBody({ question, ranked, outcome: answered.outcome, version, matches }));
  });

  app.get('/lexicon', async (c) => {
    const texts = { synonyms: await readLexiconFile(lexiconDir, 'synonyms'), glossary: await readLexiconFile(lexiconDir, 'glossary') };
    return page(c, '词表', lexiconBody({ session: sessionOf(c), texts, flash: flashOf(c) }));
  });

  app.post('/lexicon/:kind', async (c) => {
    const kind = c.req.param('kind');
    if (!(kind in editableLexiconFiles)) return notFound(c);
    const text = (await c.req.parseBody()).text;
    if (typeof text !== 'string') return notFound(c);
    try {
      await saveLexiconFile(lexiconDir, kind as EditableLexicon, text, assistant.lexicon);
    } catch (error) {
      if (!(error instanceof LexiconError)) throw error;
      const texts = { synonyms: await readLexiconFile(lexiconDir, 'synonyms'), glossary: await readLexiconFile(lexiconDir, 'glossary'), [kind]: text } as Record<EditableLexicon, string>;
      return page(c, '词表', lexiconBody({ session: sessionOf(c), texts, problems: { kind: kind as EditableLexicon, problems: error.problems } }), 422);
    }
    log.info({ lexicon: kind }, 'lexicon saved and reloaded');
    return c.redirect(`${adminBase}/lexicon?msg=lexicon`, 303);
  });

  return app;
}

function overviewLink(text: string): Html {
  return html`<h1>${text}</h1><p><a href="${adminBase}">← 知识库管理</a></p>`;
}
