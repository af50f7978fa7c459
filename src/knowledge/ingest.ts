import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../worker-entry.ts';
import { z } from 'zod';
import { chunkDocument } from './chunker.ts';
import { DocumentFormatError, documentFrom, frontMatterOf, parseDocument } from './document.ts';
import { acceptedExtensions, checkDocxArchive, decodeText, extractText, maxDocumentBytes, sniffKind, type SourceKind } from './formats.ts';
import { extractMetadata, splitCoverNotice, suggestId, type ExtractedMetadata } from './metadata.ts';
import { noticeSection, textToMarkdown } from './text-to-markdown.ts';
import type { Clause, PolicyDocument } from './types.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'YYYY-MM-DD');

/** What an administrator sets or corrects about an upload; every field is optional. */
export const documentOverridesSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/u, 'id: lower-case letters, digits and hyphens').max(80).optional(),
  title: z.string().trim().min(1).max(200).optional(),
  issuer: z.string().trim().min(1).max(200).optional(),
  region: z.string().trim().min(1).max(40).optional(),
  date: isoDate.nullable().optional(),
  dateNote: z.string().trim().max(200).nullable().optional(),
  status: z.enum(['in-force', 'draft']).optional(),
  audience: z.string().trim().min(1).max(200).optional(),
  effectiveFrom: isoDate.nullable().optional(),
  expiresOn: isoDate.nullable().optional(),
});
export type DocumentOverrides = z.infer<typeof documentOverridesSchema>;

/** Where an uploaded version came from (shown to admins; never used as a path). */
export interface UploadSource {
  name: string;
  kind: SourceKind;
  bytes: number;
  sha256: string;
}

/** A document read from an upload, not yet stored: what the admin reviews before it becomes a draft. */
export interface ParsedUpload {
  document: PolicyDocument & { meta: Record<string, unknown> };
  source: UploadSource;
  /** What the text said about itself (null for Markdown, whose front matter says it). */
  extracted: ExtractedMetadata | null;
  /** The date from which the version applies (null: from publication) and when it stops applying. */
  effectiveFrom: string | null;
  expiresOn: string | null;
  /** Fields the text did not give and that got a placeholder: the admin should fill them in. */
  missing: string[];
}

/** One clause as the preview shows it. */
export interface PreviewClause {
  locator: string;
  headingPath: string[];
  text: string;
  part: number;
  parts: number;
}

/** A document's clauses as they would be published, for review before publishing. */
export function previewClauses(document: Pick<PolicyDocument, 'id' | 'body'>): PreviewClause[] {
  return chunkDocument(document).map(({ locator, headingPath, text, part, parts }: Clause) => ({ locator, headingPath, text, part, parts }));
}

function metaDate(meta: Record<string, unknown>, key: string): string | null {
  const value = meta[key];
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/u.test(value) ? value : null;
}

/** How a .txt, .docx, .pdf or .html upload is parsed: in a worker thread with these limits. */
export interface ParseLimits {
  /** The worker's heap (V8 old generation, MB); past it the worker dies and the file is refused. */
  maxHeapMb: number;
  /** Time allowed for one file (ms); past it the worker is terminated and the file is refused. */
  timeoutMs: number;
}

/** The defaults for {@link ParseLimits}; the .docx zip limits are `docxLimits` in formats.ts. */
export const parseLimits: ParseLimits = { maxHeapMb: 256, timeoutMs: 15_000 };

/** Parse workers running at once; more uploads wait for a free one. */
const maxParallelParses = 2;
let parsesRunning = 0;
const parseQueue: (() => void)[] = [];

async function parseSlot(): Promise<() => void> {
  if (parsesRunning >= maxParallelParses) await new Promise<void>((resolve) => parseQueue.push(resolve));
  parsesRunning += 1;
  return () => {
    parsesRunning -= 1;
    parseQueue.shift()?.();
  };
}

const workerUnavailable = Symbol('worker unavailable');

/** Parses in a worker thread under `limits`; `workerUnavailable` when no worker could start. */
async function parseInWorker(bytes: Uint8Array, name: string, overrides: DocumentOverrides, limits: ParseLimits): Promise<ParsedUpload | typeof workerUnavailable> {
  const entry = workerEntry(import.meta.url, 'upload-worker');
  if (!entry) return workerUnavailable;
  const release = await parseSlot();
  try {
    return await new Promise<ParsedUpload | typeof workerUnavailable>((resolve, reject) => {
      let worker: Worker;
      try {
        worker = new Worker(entry.file, {
          workerData: { ...entry.workerData, bytes, name, overrides },
          resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, maxYoungGenerationSizeMb: Math.min(64, Math.max(8, limits.maxHeapMb / 8)) },
          stdout: false,
          stderr: false,
        });
      } catch {
        resolve(workerUnavailable);
        return;
      }
      let ready = false;
      let settled = false;
      const finish = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void worker.terminate();
        outcome();
      };
      const timer = setTimeout(() => {
        finish(() =>
          reject(new DocumentFormatError(name, `解析超过 ${limits.timeoutMs / 1000} 秒仍未完成，文件过于复杂或是恶意构造的，已拒绝 / parsing took longer than ${limits.timeoutMs / 1000} s; the file was refused`)),
        );
      }, limits.timeoutMs);
      worker.on('message', (message: { type: string; upload?: ParsedUpload; name?: string; message?: string; source?: string | null }) => {
        if (message.type === 'ready') ready = true;
        else if (message.type === 'result') finish(() => resolve(message.upload as ParsedUpload));
        else if (message.type === 'error') {
          finish(() => {
            const text = message.message ?? 'parse failed';
            if (message.name === 'DocumentFormatError' && message.source != null) {
              const prefix = `${message.source}: `;
              reject(new DocumentFormatError(message.source, text.startsWith(prefix) ? text.slice(prefix.length) : text));
            } else {
              const error = new Error(text);
              if (message.name) error.name = message.name;
              reject(error);
            }
          });
        }
      });
      worker.on('error', (error: Error & { code?: string }) => {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          finish(() =>
            reject(new DocumentFormatError(name, `解析所需内存超过 ${limits.maxHeapMb} MB，文件过于复杂或是恶意构造的，已拒绝 / parsing needed more than ${limits.maxHeapMb} MB of memory; the file was refused`)),
          );
        } else if (!ready) finish(() => resolve(workerUnavailable));
        else finish(() => reject(new DocumentFormatError(name, `解析失败 / parsing failed (${error.message.split('\n')[0]})`)));
      });
      worker.on('exit', (code) => {
        if (!ready) finish(() => resolve(workerUnavailable));
        else finish(() => reject(new DocumentFormatError(name, `解析进程意外退出 / the parser stopped unexpectedly (exit ${code})`)));
      });
    });
  } finally {
    release();
  }
}

/**
 * Reads one uploaded file: Markdown with front matter as before; .txt, .docx, .pdf and .html by
 * their text, with title, issuer, date, region, draft status and the date it applies from
 * (自……起施行) taken from the text where it says them, and `overrides` (the admin's corrections)
 * on top. A cover notice that issues a document (关于印发《……办法》的通知 followed by the 办法)
 * becomes that document, with the notice's title and number (文号) in `notice_title` and
 * `notice_number`. The result is validated like front matter; anything wrong fails with a
 * {@link DocumentFormatError} naming the file.
 *
 * Markdown is read here; the other formats are parsed in a worker thread with a heap limit and a
 * time limit ({@link parseLimits}), after a .docx's zip directory has passed `checkDocxArchive`, so a
 * hostile file is refused with a DocumentFormatError while the server keeps answering.
 *
 * @example const upload = await readUpload(await readFile('规定.docx'), '规定.docx', { region: '山东省' });
 */
export async function readUpload(bytes: Uint8Array, name: string, overrides: DocumentOverrides = {}, limits: Partial<ParseLimits> = {}): Promise<ParsedUpload> {
  const displayName = path.basename(name.replaceAll('\\', '/')) || 'upload';
  if (bytes.length > maxDocumentBytes) throw new DocumentFormatError(displayName, `文件太大（超过 ${maxDocumentBytes / 1024 / 1024} MB）/ the file is too large`);
  const kind = sniffKind(bytes, displayName);
  if (kind === 'md') return parseUpload(bytes, name, overrides);
  if (kind === 'docx') checkDocxArchive(bytes, displayName);
  const parsed = await parseInWorker(bytes, displayName, overrides, { ...parseLimits, ...limits });
  return parsed === workerUnavailable ? parseUpload(bytes, name, overrides) : parsed;
}

/**
 * {@link readUpload} on the calling thread, without the worker's memory and time limits (the
 * .docx zip checks still apply): what the worker itself runs, and the fallback when no worker
 * can start.
 */
export async function parseUpload(bytes: Uint8Array, name: string, overrides: DocumentOverrides = {}): Promise<ParsedUpload> {
  const displayName = path.basename(name.replaceAll('\\', '/')) || 'upload';
  if (bytes.length > maxDocumentBytes) throw new DocumentFormatError(displayName, `文件太大（超过 ${maxDocumentBytes / 1024 / 1024} MB）/ the file is too large`);
  const checked = documentOverridesSchema.safeParse(overrides);
  if (!checked.success) {
    throw new DocumentFormatError(displayName, checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  const fix = checked.data;
  const kind = sniffKind(bytes, displayName);
  const source: UploadSource = { name: displayName, kind, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  const { effectiveFrom: _e, expiresOn: _x, ...fields } = fix;

  if (kind === 'md') {
    const parsed = parseDocument(decodeText(bytes, displayName), displayName);
    const merged = { ...parsed, ...fields };
    const document = documentFrom(
      frontMatterOf(merged.id, merged, parsed.meta),
      parsed.body,
      displayName,
    );
    return {
      document,
      source,
      extracted: null,
      effectiveFrom: fix.effectiveFrom !== undefined ? fix.effectiveFrom : metaDate(parsed.meta, 'effective_from'),
      expiresOn: fix.expiresOn !== undefined ? fix.expiresOn : metaDate(parsed.meta, 'expires_on'),
      missing: [],
    };
  }

  const extractedText = await extractText(bytes, displayName, kind);
  const extracted = extractMetadata(extractedText.text, extractedText.markedTitle);
  const missing: string[] = [];
  const pick = (field: string, given: string | undefined, found: string | null, placeholder: string): string => {
    if (given !== undefined) return given;
    if (found) return found;
    missing.push(field);
    return placeholder;
  };
  const title = pick('title', fields.title, extracted.title, displayName.replace(/\.[^.]+$/u, ''));
  const issuer = pick('issuer', fields.issuer, extracted.issuer, '未注明');
  const region = pick('region', fields.region, extracted.region, '全国');
  const audience = pick('audience', fields.audience, extracted.audience, '学生');
  const date = fields.date !== undefined ? fields.date : extracted.date;
  const reflow = { reflow: !extractedText.paragraphs };
  // A cover notice (关于印发《……办法》的通知) is cited by the document it issues: the 办法's
  // articles are the clauses, the notice's own text a separate 印发通知 section after them.
  const wrapped = extracted.notice ? splitCoverNotice(extractedText.text, extractedText.markedTitle) : null;
  const body = wrapped
    ? [textToMarkdown(wrapped.documentText, title, reflow), noticeSection(wrapped.noticeText, reflow)].filter(Boolean).join('\n\n')
    : textToMarkdown(extractedText.text, title, reflow);
  const notice = wrapped?.notice ?? null;
  const document = documentFrom(
    {
      id: fields.id ?? suggestId(title, region, date, displayName),
      title,
      issuer,
      region,
      date,
      date_note: fields.dateNote !== undefined ? fields.dateNote : date ? null : '文中未注明日期',
      status: fields.status ?? extracted.status,
      audience,
      source: displayName,
      ...(notice ? { notice_title: notice.title, ...(notice.number ? { notice_number: notice.number } : {}) } : {}),
      ...(missing.length > 0 ? { missing_fields: missing } : {}),
      ...(extracted.notes.length > 0 ? { extraction_notes: extracted.notes } : {}),
    },
    body,
    displayName,
  );
  if (previewClauses(document).length === 0) throw new DocumentFormatError(displayName, '没有读出任何条款 / no clauses found in the text');
  const effectiveFrom = fix.effectiveFrom !== undefined ? fix.effectiveFrom : extracted.effective;
  const expiresOn = fix.expiresOn !== undefined ? fix.expiresOn : extracted.expires;
  return { document, source, extracted, effectiveFrom, expiresOn, missing };
}

/** Whether a file name is one zhiyin can ingest. */
export function isIngestible(name: string): boolean {
  const lower = name.toLowerCase();
  return acceptedExtensions.some((ext) => lower.endsWith(ext));
}

/** Files read ahead of the one being parsed by `readUploadPaths`. */
const filesReadAhead = 8;

/**
 * Reads files and directories (every ingestible file in them, sorted by name) before anything is
 * stored: one unreadable file fails the whole read, naming it; two files with one id too.
 * `overrides` apply to a single file only.
 *
 * @example const uploads = await readUploadPaths(['knowledge/documents', '新规定.docx']);
 */
export async function readUploadPaths(paths: readonly string[], overrides: DocumentOverrides = {}, onFile?: (name: string) => void): Promise<ParsedUpload[]> {
  const files: string[] = [];
  for (const target of paths) {
    if ((await stat(target)).isDirectory()) {
      const names = (await readdir(target)).filter(isIngestible).sort();
      files.push(...names.map((name) => path.join(target, name)));
    } else files.push(target);
  }
  if (files.length === 0) throw new Error(`no .md, .txt, .docx, .pdf or .html files in ${paths.join(', ')}`);
  const single = files.length === 1;
  if (!single && overrides.id) throw new Error('--id applies to a single file only');
  const uploads: ParsedUpload[] = [];
  const seen = new Map<string, string>();
  // A few files are read ahead while one is parsed; they are parsed (and fail) in order.
  const reads = new Map<number, Promise<Buffer>>();
  const readAhead = (index: number): void => {
    const file = files[index];
    if (file === undefined) return;
    const read = (async () => {
      const size = (await stat(file)).size;
      if (size > maxDocumentBytes) throw new DocumentFormatError(path.basename(file), `文件太大（超过 ${maxDocumentBytes / 1024 / 1024} MB）/ the file is too large`);
      return readFile(file);
    })();
    read.catch(() => undefined); // awaited below in order; a later file's failure must not go unhandled
    reads.set(index, read);
  };
  for (let index = 0; index < filesReadAhead; index += 1) readAhead(index);
  for (const [index, file] of files.entries()) {
    const bytes = await reads.get(index)!;
    reads.delete(index);
    readAhead(index + filesReadAhead);
    const upload = await readUpload(bytes, path.basename(file), single ? overrides : {});
    const clash = seen.get(upload.document.id);
    if (clash) throw new DocumentFormatError(path.basename(file), `id "${upload.document.id}" is already used by ${clash}`);
    seen.set(upload.document.id, path.basename(file));
    uploads.push(upload);
    onFile?.(path.basename(file));
  }
  return uploads;
}

/**
 * Gives an upload read from a .txt/.docx/.pdf/.html file the id of the stored document with the
 * same title, so that a new file of a known document becomes its next version. Uploads whose id
 * was set (front matter, `--id`, the admin form) keep it.
 *
 * @example adoptKnownIds(uploads, [{ docId: 'shandong-2023-guidance-workforce', title: '关于加强职业指导队伍建设的指导意见' }])
 */
export function adoptKnownIds(uploads: ParsedUpload[], known: readonly { docId: string; title: string }[], explicitIds = false): ParsedUpload[] {
  const byTitle = new Map(known.map(({ docId, title }) => [title.replace(/\s+/gu, ''), docId]));
  return uploads.map((upload) => {
    if (upload.extracted === null || explicitIds) return upload;
    const docId = byTitle.get(upload.document.title.replace(/\s+/gu, ''));
    return docId && docId !== upload.document.id ? { ...upload, document: { ...upload.document, id: docId } } : upload;
  });
}
