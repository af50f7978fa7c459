import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { PolicyDocument } from './types.ts';

const frontMatterSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/u, 'id: lower-case letters, digits and hyphens'),
  title: z.string().min(1),
  issuer: z.string().min(1),
  region: z.string().min(1),
  date: z
    .union([z.string().regex(/^\d{4}-\d{2}-\d{2}$/u, 'date: YYYY-MM-DD or null'), z.date(), z.null()])
    .optional()
    .transform((date) => (date instanceof Date ? date.toISOString().slice(0, 10) : (date ?? null))),
  date_note: z.string().nullish(),
  status: z.enum(['in-force', 'draft']),
  audience: z.string().min(1),
});

/**
 * Front-matter keys a document may carry beside its columns, kept in `meta` and checked when
 * present: for a document issued by a cover notice (关于印发《……办法》的通知), that notice's own
 * title and its document number (文号, e.g. 浙教职成〔2024〕12号).
 */
const metaSchema = z.object({
  notice_title: z.string().min(1).nullish(),
  notice_number: z.string().min(1).nullish(),
});

/** What `meta` says about the cover notice a document was issued with (null fields where none). */
export interface NoticeMeta {
  noticeTitle: string | null;
  noticeNumber: string | null;
}

/**
 * The cover notice a document was issued with, from its `meta` (`notice_title`, `notice_number`).
 *
 * @example noticeOf(document.meta).noticeNumber // '浙教职成〔2024〕12号'
 */
export function noticeOf(meta: Record<string, unknown> | undefined): NoticeMeta {
  const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
  return { noticeTitle: text(meta?.notice_title), noticeNumber: text(meta?.notice_number) };
}

/** A document that could not be read, with the reason in words an administrator can act on. */
export class DocumentFormatError extends Error {
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`${source}: ${reason}`);
    this.name = 'DocumentFormatError';
  }
}

/**
 * Reads a knowledge document: YAML front matter between `---` lines, then the Markdown body.
 * Unknown front-matter keys are kept in `meta`.
 *
 * @example parseDocument(readFileSync('knowledge/documents/x.md', 'utf8'), 'x.md').title
 */
export function parseDocument(markdown: string, source: string): PolicyDocument & { meta: Record<string, unknown> } {
  const text = markdown.replace(/^\uFEFF/u, '').replace(/\r\n?/gu, '\n');
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/u.exec(text);
  if (!match) throw new DocumentFormatError(source, 'missing front matter (a block between two "---" lines at the top)');
  let raw: unknown;
  try {
    raw = parseYaml(match[1]!);
  } catch (error) {
    throw new DocumentFormatError(source, `front matter is not valid YAML: ${(error as Error).message}`);
  }
  return documentFrom(raw, match[2]!, source);
}

/** The metadata a document carries, in front-matter order — also the order of the SQL columns. */
type DocumentMetadata = Pick<PolicyDocument, 'title' | 'issuer' | 'region' | 'date' | 'dateNote' | 'status' | 'audience'>;

/** The metadata columns of `documents` and `document_versions`, in the order of `metadataValues`. */
export const metadataColumns = ['title', 'issuer', 'region', 'date', 'date_note', 'status', 'audience'] as const;

/** A document's metadata values, in the order of `metadataColumns`. */
export function metadataValues(document: DocumentMetadata): unknown[] {
  return [document.title, document.issuer, document.region, document.date, document.dateNote, document.status, document.audience];
}

/**
 * A document's fields as front matter (snake_case, with `meta` spread in), to check again with
 * `documentFrom` after an administrator changed some of them.
 */
export function frontMatterOf(id: string, document: DocumentMetadata, meta: Record<string, unknown> = {}): Record<string, unknown> {
  const values = metadataValues(document);
  return { id, ...Object.fromEntries(metadataColumns.map((column, index) => [column, values[index]])), ...meta };
}

/**
 * Checks document fields as front matter is checked (`id, title, issuer, region, date, date_note,
 * status, audience`; other keys go to `meta`, `notice_title` and `notice_number` checked as text)
 * and pairs them with a body; a problem fails with a {@link DocumentFormatError} naming `source`.
 *
 * @example documentFrom({ id: 'x', title: '…', issuer: '…', region: '全国', status: 'in-force', audience: '…' }, '第一条 …', 'x.txt')
 */
export function documentFrom(raw: unknown, bodyText: string, source: string): PolicyDocument & { meta: Record<string, unknown> } {
  const parsed = frontMatterSchema.safeParse(raw);
  const checkedMeta = metaSchema.safeParse(raw ?? {});
  if (!parsed.success || !checkedMeta.success) {
    const issues = [...(parsed.error?.issues ?? []), ...(checkedMeta.error?.issues ?? [])];
    const problems = issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new DocumentFormatError(source, `front matter: ${problems.join('; ')}`);
  }
  const body = bodyText.trim();
  if (body === '') throw new DocumentFormatError(source, 'the document has no text after the front matter');
  const { id, title, issuer, region, date, date_note, status, audience } = parsed.data;
  const known = new Set(Object.keys(frontMatterSchema.shape));
  const meta = Object.fromEntries(Object.entries(raw as object).filter(([key]) => !known.has(key)));
  return { id, title, issuer, region, date, dateNote: date_note ?? null, status, audience, ...(typeof meta.type === 'string' ? { type: meta.type } : {}), body, meta };
}
