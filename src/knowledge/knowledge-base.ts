import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { chinaDay } from '../china-time.ts';
import type { Database, Queryable } from '../store/database.ts';
import { checkSearchableDims, dropVectorIndexes, exactScanLimit, indexVectorsAtSize, nearestClauses } from '../store/vector-index.ts';
import type { EmbeddingModel } from '../retrieval/embeddings/provider.ts';
import type { DenseSearch } from '../retrieval/hybrid-search.ts';
import { indexTextOf } from '../retrieval/hybrid-search.ts';
import type { ScoredId } from '../retrieval/bm25.ts';
import { chunkDocument } from './chunker.ts';
import { clauseDiff, type ClauseDiff } from './diff.ts';
import type { DocumentOverrides } from './ingest.ts';
import { documentFrom, frontMatterOf, metadataColumns, metadataValues } from './document.ts';
import type { DocumentInfo, KnowledgeSnapshot } from './snapshot.ts';
import type { Clause, PolicyDocument, VersionInfo, VersionState } from './types.ts';
import {
  attachVariants,
  cleanVariant,
  hashedClauses,
  maxVariantLength,
  type ClauseVariant,
  type HashedClause,
  type NewVariant,
  type ShippedVariants,
  type VariantGenerator,
  type VariantSource,
} from './variants.ts';
import {
  ConcurrentChangeError,
  VersionError,
  type DocumentVersion,
  type KbChange,
  type KbChangeRequest,
  type VersionInput,
  type VersionSummary,
} from './versions.ts';

export { ConcurrentChangeError, VersionError } from './versions.ts';
export type { DocumentVersion, KbChange, KbChangeRequest, VersionInput, VersionSummary } from './versions.ts';

/** A document as `kb list` shows it. */
export interface DocumentSummary extends DocumentInfo {
  clauses: number;
  updatedAt: Date;
}

/** What the knowledge base adds to each new version: question variants from the shipped files and a model. */
export interface KnowledgeBaseOptions {
  /**
   * The shipped variants (`loadShippedVariants`), attached where a clause has the text they were
   * written for; or how to read them, called once, when a new version or an unseeded one needs them
   * (a start whose versions have theirs reads no file).
   */
  shippedVariants?: ShippedVariants | (() => Promise<ShippedVariants>);
  /** Writes variants for clauses that have none (new or changed text, no shipped ones) when a model is configured. */
  variantGenerator?: VariantGenerator | null;
  /** How many clauses are sent to the model at once (default 4). */
  generationConcurrency?: number;
  /**
   * How far the live clauses may drift from a stored corpus-fitted model before it is refitted
   * in the background: the share of their word and bigram occurrences it never saw, beyond what
   * it lacked when fitted (default {@link defaultRefitDrift}).
   */
  refitDrift?: number;
  /** Called once a change is committed, with the new knowledge-base version (the assistant stores the new lexical index). */
  afterCommit?: (version: number) => void;
  /** Up to this many live vectors dense search scans them all; past it, their HNSW index is built after the switch (default {@link exactScanLimit}). */
  exactScanLimit?: number;
  log?: Logger;
}

/**
 * Past this share of unknown word mass (see `refitDrift`), a folded-in model is refitted: a
 * tenth of the clauses' words and bigrams projected onto nothing starts to blur what is new.
 */
export const defaultRefitDrift = 0.1;

/** A whole clause of a version with its variants, as the admin edits them. */
export interface ClauseVariants extends HashedClause {
  variants: ClauseVariant[];
  /** Variants written for another text of this clause (not indexed). */
  stale: ClauseVariant[];
  /** The clause's text differs from the version before: its variants were dropped, new ones are needed. */
  changed: boolean;
}

/** What a change to the knowledge base did. */
export interface PublishReport {
  version: number;
  documents: number;
  clauses: number;
  added: string[];
  replaced: string[];
  removed: string[];
  unchanged: string[];
  embeddingModel: string;
  /**
   * How the embedding model came to this version: `fitted` on its clauses, `folded-in` (the
   * stored model of the version before, new clauses projected onto it), or `pretrained`.
   */
  embedding?: 'fitted' | 'folded-in' | 'pretrained';
  /** A folded-in model's unknown word mass beyond its fit (see `refitDrift`); 0 when fitted. */
  drift?: number;
  /** Past the drift threshold: a refit was started in the background (this process). */
  refitScheduled?: boolean;
  /** The document versions published by this change (`docId` → version number). */
  published?: Record<string, number>;
}

/** Where a long change is; the CLI draws progress bars from it, the server logs it. */
export interface ProgressEvent {
  phase: 'chunking' | 'fitting' | 'embedding' | 'switching' | 'done';
  done: number;
  total: number;
}

/** Options of a change: who makes it, a progress callback, and the model that embeds the candidate set. */
export interface ChangeOptions {
  actor?: string | null;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Embeds the candidate set. Give a fresh instance (e.g. `embeddingModelFor(config, tokenizer)`)
   * when a live answerer shares `kb.model`: a corpus-fitted model is given the live version's
   * stored space (the candidate is folded into it) or, with `refit` or nothing stored, fitted on
   * the candidate, which must not disturb the live one before the switch. Default: `kb.model`.
   */
  model?: EmbeddingModel;
  /** Re-chunk and re-embed even when nothing changed (reindex). */
  force?: boolean;
  /** Fit a corpus-fitted model afresh on the candidate instead of folding into the stored one. */
  refit?: boolean;
}

/**
 * A change made ready beside the live set, not yet switched in: the candidate snapshot with its
 * vectors (for an eval of the candidate before the switch) and what the switch will write.
 */
export interface Candidate {
  readonly request: KbChangeRequest;
  /** The knowledge-base version this was planned on; committing fails if another change came first. */
  readonly baseVersion: number;
  readonly snapshot: KnowledgeSnapshot;
  /** One vector per `snapshot.clauses` entry, in order. */
  readonly vectors: number[][];
  readonly model: EmbeddingModel;
  readonly report: PublishReport;
  readonly actor: string | null;
  /** @internal what the switch writes */
  readonly plan: SwitchPlan;
}

interface LiveEntry {
  document: PolicyDocument & { meta: Record<string, unknown> };
  version: number;
  contentHash: string;
  effectiveFrom: string | null;
  expiresOn: string | null;
  publishedOn: string | null;
}

interface NewVersionRow {
  docId: string;
  version: number;
  state: VersionState;
  input: VersionInput;
  contentHash: string;
  /** The question variants the version starts with. */
  variants: NewVariant[];
}

/** A document's version before a new one, and its variants (which the new one may carry over). */
interface PreviousVersion {
  version: DocumentVersion;
  variants: ClauseVariant[];
}

/** The key of one version of a document in maps. */
const versionKey = (docId: string, version: number): string => `${docId}\u0000${version}`;

interface VariantRow {
  id: string | number;
  doc_id: string;
  version: number;
  clause_key: string;
  text_hash: string;
  question: string;
  source: VariantSource;
  created_by: string | null;
  created_at: Date;
}

function toVariant(row: VariantRow): ClauseVariant {
  return {
    id: Number(row.id),
    docId: row.doc_id,
    version: row.version,
    clauseKey: row.clause_key,
    textHash: row.text_hash,
    question: row.question,
    source: row.source,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
  };
}

interface SwitchPlan {
  live: LiveEntry[];
  inserts: NewVersionRow[];
  /** State changes of existing versions, applied retire-first. */
  transitions: { docId: string; version: number; state: VersionState }[];
  changes: { action: string; docId: string | null; version: number | null; previousVersion: number | null; detail: Record<string, unknown> }[];
  /** Every live row is written again (reindex), not just the changed documents'. */
  rewriteAll: boolean;
  /** A freshly fitted model's space, stored with the version; null when folded in or pre-trained. */
  modelState: Uint8Array | null;
  drift: number;
}

/** What `#prepareModel` did. */
interface ModelPlan {
  how: 'fitted' | 'folded-in' | 'pretrained';
  state: Uint8Array | null;
  drift: number;
}

/** A background refit stopped because the knowledge base was closed. */
class RefitAbandoned extends Error {}

interface DocumentRow {
  id: string;
  title: string;
  issuer: string;
  region: string;
  date: string | null;
  date_note: string | null;
  status: 'in-force' | 'draft';
  audience: string;
  meta: Record<string, unknown>;
  body: string;
  content_hash: string;
}

interface VersionRow extends Omit<DocumentRow, 'id'> {
  doc_id: string;
  version: number;
  state: VersionState;
  effective_from: string | null;
  expires_on: string | null;
  source_name: string | null;
  source_kind: 'md' | 'txt' | 'docx' | 'pdf' | 'html';
  source_bytes: number | null;
  source_sha256: string | null;
  created_by: string | null;
  created_at: Date;
  published_at: Date | null;
  retired_at: Date | null;
}

const embedBatch = 256;
/** Lets timers and requests run between CPU-bound batches. */
const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The content hash of a document: what decides whether an upload is a new version. */
export function hashOf(document: PolicyDocument & { meta?: Record<string, unknown> }): string {
  const { id, title, issuer, region, date, dateNote, status, audience, body, meta } = document;
  return createHash('sha256')
    .update(JSON.stringify([id, title, issuer, region, date, dateNote, status, audience, body, canonical(meta ?? {})]))
    .digest('hex');
}

/** Meta with its keys sorted, as jsonb stores them in its own order. */
function canonical(meta: Record<string, unknown>): [string, unknown][] {
  return Object.keys(meta)
    .sort()
    .map((key) => [key, meta[key]]);
}

function toDocument(row: DocumentRow | VersionRow): PolicyDocument & { meta: Record<string, unknown> } {
  return {
    id: 'doc_id' in row ? row.doc_id : row.id,
    title: row.title,
    issuer: row.issuer,
    region: row.region,
    date: row.date,
    dateNote: row.date_note,
    status: row.status,
    audience: row.audience,
    ...(typeof row.meta?.type === 'string' ? { type: row.meta.type } : {}),
    body: row.body,
    meta: row.meta ?? {},
  };
}

/** The China day a row was published on (a school's calendar, not UTC's). */
const isoDay = (instant: Date | null): string | null => (instant ? chinaDay(new Date(instant)) : null);

function toVersion(row: VersionRow): DocumentVersion {
  return {
    docId: row.doc_id,
    version: row.version,
    state: row.state,
    document: toDocument(row),
    contentHash: row.content_hash,
    effectiveFrom: row.effective_from,
    expiresOn: row.expires_on,
    source: row.source_name ? { name: row.source_name, kind: row.source_kind, bytes: row.source_bytes ?? 0, sha256: row.source_sha256 ?? '' } : null,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    publishedAt: row.published_at ? new Date(row.published_at) : null,
    retiredAt: row.retired_at ? new Date(row.retired_at) : null,
  };
}

/** Sorts as the C collation does (code units), which `snapshot()` orders by, so a fitted model sees one order. */
const byCodeUnits = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

const versionColumns = `doc_id, version, state, title, issuer, region, date, date_note, status, audience, meta, body, content_hash,
  effective_from, expires_on, source_name, source_kind, source_bytes, source_sha256, created_by, created_at, published_at, retired_at`;

/**
 * The knowledge base in the store: every version of every document (draft → published →
 * superseded | withdrawn), and the live set — the published versions' documents, clauses and
 * clause embeddings — that answers are made from. Every change builds the whole candidate set
 * and its vectors beside the live one, then switches it in with one transaction, so a failed or
 * interrupted change leaves the previous set serving.
 *
 * @example
 * const kb = new KnowledgeBase(db, model);
 * await kb.publish(await readDocumentDirectory('knowledge/documents'));
 * await kb.addDrafts([upload]);                       // a new version, not yet served
 * const candidate = await kb.plan({ kind: 'publish', targets: [{ docId: upload.document.id }] });
 * await kb.commit(candidate);                          // or kb.discard(candidate)
 * await kb.rollback(upload.document.id);               // the previous version serves again
 */
export class KnowledgeBase {
  readonly #shippedVariants: ShippedVariants | (() => Promise<ShippedVariants>);
  #shippedRead: Promise<ShippedVariants> | null = null;
  readonly variantGenerator: VariantGenerator | null;
  readonly #concurrency: number;
  readonly #log: Logger | undefined;
  readonly #refitDrift: number;
  readonly #afterCommit: ((version: number) => void) | undefined;
  readonly #exactScanLimit: number;
  #refitting: Promise<void> | null = null;
  /** The vector index being fitted to the live set's size, after a switch; awaited by `close`. */
  #indexing: Promise<void> | null = null;
  #closed = false;

  constructor(
    readonly db: Database,
    readonly model: EmbeddingModel,
    options: KnowledgeBaseOptions = {},
  ) {
    this.#shippedVariants = options.shippedVariants ?? new Map();
    this.variantGenerator = options.variantGenerator ?? null;
    this.#concurrency = Math.max(1, options.generationConcurrency ?? 4);
    this.#log = options.log;
    this.#refitDrift = options.refitDrift ?? defaultRefitDrift;
    this.#afterCommit = options.afterCommit;
    this.#exactScanLimit = options.exactScanLimit ?? exactScanLimit;
  }

  /** The published version (0 before anything was published). */
  async version(): Promise<number> {
    const { rows } = await this.db.query<{ version: number }>('select version from kb_state where id = 1');
    return rows[0]?.version ?? 0;
  }

  /** The published documents, with their text. */
  async documents(): Promise<(PolicyDocument & { meta: Record<string, unknown> })[]> {
    const { rows } = await this.db.query<DocumentRow>('select * from documents order by id');
    return rows.map(toDocument);
  }

  async list(): Promise<DocumentSummary[]> {
    const { rows } = await this.db.query<DocumentRow & { clauses: number; updated_at: Date; version: number; effective_from: string | null; expires_on: string | null; published_at: Date | null }>(
      `select d.*, (select count(*)::int from clauses c where c.doc_id = d.id) as clauses,
              (select v.published_at from document_versions v where v.doc_id = d.id and v.version = d.version) as published_at
         from documents d order by d.id`,
    );
    return rows.map((row) => {
      const { body: _body, meta: _meta, ...info } = toDocument(row);
      return { ...info, versionInfo: this.#liveInfo(row), clauses: row.clauses, updatedAt: new Date(row.updated_at) };
    });
  }

  #liveInfo(row: { version: number; effective_from: string | null; expires_on: string | null; published_at?: Date | null }): VersionInfo {
    return { number: row.version, state: 'published', effectiveFrom: row.effective_from, expiresOn: row.expires_on, publishedOn: isoDay(row.published_at ?? null) };
  }

  /**
   * The published documents and clauses, read in one transaction so they belong together. Each
   * document carries its `versionInfo`. With `includeSuperseded`, the clauses of each document's
   * last superseded version that the current version no longer has word for word are added too,
   * under the key `${id}@v${n}` with `versionInfo.state` 'superseded' (not embedded: lexical
   * search only), so that an answer can say a rule was replaced.
   */
  async snapshot(options: { includeSuperseded?: boolean } = {}): Promise<KnowledgeSnapshot> {
    return this.db.transaction(async (tx) => {
      const version = (await tx.query<{ version: number }>('select version from kb_state where id = 1')).rows[0]?.version ?? 0;
      const documentRows = (
        // every column but the body, which a snapshot does not keep (1,000 bodies are ~0.1 s of reading at 10,000 clauses)
        await tx.query<Omit<DocumentRow, 'body'> & { version: number; effective_from: string | null; expires_on: string | null; published_at: Date | null }>(
          `select d.id, d.title, d.issuer, d.region, d.date, d.date_note, d.status, d.audience, d.meta, d.content_hash, d.version, d.effective_from, d.expires_on, v.published_at
             from documents d left join document_versions v on v.doc_id = d.id and v.version = d.version order by d.id collate "C"`,
        )
      ).rows;
      // One JSON text for all clauses, parsed once here: PGlite hands rows over field by field in
      // JavaScript, three to five times slower at 10,000 clauses (most of a restart's snapshot).
      const { rows } = await tx.query<{ clauses: string }>(
        `select coalesce(json_agg(json_build_array(id, doc_id, ordinal, locator, heading_path, text, context, part, parts) order by doc_id collate "C", ordinal), '[]')::text as clauses
           from clauses`,
      );
      const documents = new Map<string, DocumentInfo>();
      for (const row of documentRows) {
        const { body: _body, meta: _meta, ...info } = toDocument({ ...row, body: '' });
        documents.set(info.id, { ...info, versionInfo: this.#liveInfo(row) });
      }
      const plain = (JSON.parse(rows[0]!.clauses) as [string, string, number, string, string[], string, string, number, number][]).map(
        ([id, docId, ordinal, locator, headingPath, text, context, part, parts]): Clause => ({ id, docId, ordinal, locator, headingPath, text, context, part, parts }),
      );
      const { rows: variantRows } = await tx.query<VariantRow>(
        'select v.* from clause_variants v join documents d on d.id = v.doc_id and d.version = v.version order by v.id',
      );
      const clauses = withVariants(plain, variantRows.map(toVariant));
      if (options.includeSuperseded) {
        const { rows: old } = await tx.query<VersionRow>(
          `select distinct on (v.doc_id) v.* from document_versions v join documents d on d.id = v.doc_id
            where v.state = 'superseded' and v.version < d.version order by v.doc_id, v.version desc`,
        );
        for (const row of old) {
          const current = documents.get(row.doc_id);
          if (!current?.versionInfo) continue;
          const key = `${row.doc_id}@v${row.version}`;
          const kept = new Set(clauses.filter((clause) => clause.docId === row.doc_id).map((clause) => clause.text.replace(/\s+/gu, '')));
          const { body: _body, meta: _meta, ...info } = toDocument(row);
          documents.set(key, {
            ...info,
            versionInfo: {
              number: row.version,
              state: 'superseded',
              effectiveFrom: row.effective_from,
              expiresOn: row.expires_on,
              publishedOn: isoDay(row.published_at),
              supersededBy: { number: current.versionInfo.number, effectiveFrom: current.versionInfo.effectiveFrom, publishedOn: current.versionInfo.publishedOn },
            },
          });
          for (const clause of chunkDocument({ id: key, body: row.body })) {
            if (!kept.has(clause.text.replace(/\s+/gu, ''))) clauses.push(clause);
          }
        }
      }
      return { version, documents, clauses };
    });
  }

  // ---- versions -------------------------------------------------------------------------------

  /** Every stored version of a document, newest first (empty for an unknown id). */
  async versionsOf(docId: string): Promise<VersionSummary[]> {
    const { rows } = await this.db.query<VersionRow>(`select ${versionColumns}, '' as body from document_versions where doc_id = $1 order by version desc`, [docId]);
    return rows.map((row) => this.#summary(row));
  }

  /** Every document that has any version, with its versions newest first. */
  async catalogue(): Promise<{ docId: string; versions: VersionSummary[] }[]> {
    const { rows } = await this.db.query<VersionRow>(`select ${versionColumns}, '' as body from document_versions order by doc_id, version desc`);
    const byDoc = new Map<string, VersionSummary[]>();
    for (const row of rows) {
      const list = byDoc.get(row.doc_id) ?? [];
      list.push(this.#summary(row));
      byDoc.set(row.doc_id, list);
    }
    return [...byDoc].map(([docId, versions]) => ({ docId, versions }));
  }

  #summary(row: VersionRow): VersionSummary {
    const { document, ...rest } = toVersion(row);
    return { ...rest, title: document.title, issuer: document.issuer, region: document.region, date: document.date, status: document.status };
  }

  /** One version with its text; the latest when `version` is left out; null when there is none. */
  async getVersion(docId: string, version?: number): Promise<DocumentVersion | null> {
    const { rows } = await this.db.query<VersionRow>(
      version === undefined
        ? `select ${versionColumns} from document_versions where doc_id = $1 order by version desc limit 1`
        : `select ${versionColumns} from document_versions where doc_id = $1 and version = $2`,
      version === undefined ? [docId] : [docId, version],
    );
    return rows[0] ? toVersion(rows[0]) : null;
  }

  /** The knowledge base's history, newest first (of one document when `docId` is given). */
  async history(docId?: string, limit = 100): Promise<KbChange[]> {
    const { rows } = await this.db.query<{
      id: number;
      kb_version: number;
      action: string;
      doc_id: string | null;
      version: number | null;
      previous_version: number | null;
      actor: string | null;
      detail: Record<string, unknown>;
      created_at: Date;
    }>(
      docId === undefined
        ? 'select * from kb_changes order by id desc limit $1'
        : 'select * from kb_changes where doc_id = $2 order by id desc limit $1',
      docId === undefined ? [limit] : [limit, docId],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      kbVersion: row.kb_version,
      action: row.action,
      docId: row.doc_id,
      version: row.version,
      previousVersion: row.previous_version,
      actor: row.actor,
      detail: row.detail ?? {},
      createdAt: new Date(row.created_at),
    }));
  }

  /**
   * The clause-level diff between two versions of a document (default: the published version, or
   * the one before the latest, against the latest).
   */
  async diff(docId: string, from?: number, to?: number): Promise<{ from: number; to: number; diff: ClauseDiff }> {
    const versions = await this.versionsOf(docId);
    if (versions.length === 0) throw new VersionError(`no document with id ${docId}`);
    const toVersion = to ?? versions[0]!.version;
    const published = versions.find((version) => version.state === 'published');
    const fromVersion = from ?? (published && published.version !== toVersion ? published.version : versions.find((version) => version.version < toVersion)?.version ?? toVersion);
    const [before, after] = await Promise.all([this.getVersion(docId, fromVersion), this.getVersion(docId, toVersion)]);
    if (!before) throw new VersionError(`${docId} has no version ${fromVersion}`);
    if (!after) throw new VersionError(`${docId} has no version ${toVersion}`);
    return { from: fromVersion, to: toVersion, diff: clauseDiff(chunkDocument(before.document), chunkDocument(after.document)) };
  }

  /**
   * Stores documents as new draft versions, all in one transaction (all or nothing). A document
   * whose content equals its latest version is left alone (`unchanged`).
   */
  async addDrafts(inputs: readonly VersionInput[], options: { actor?: string | null } = {}): Promise<{ created: { docId: string; version: number }[]; unchanged: { docId: string; version: number }[] }> {
    const ids = new Set<string>();
    for (const { document } of inputs) {
      if (ids.has(document.id)) throw new VersionError(`two documents share the id "${document.id}"`);
      ids.add(document.id);
    }
    // Variants (which may ask a model) are prepared before the transaction, for new content only.
    const latest = await this.#latestVersions(inputs.map(({ document }) => document.id));
    const fresh = inputs.filter((input) => {
      const last = latest.get(input.document.id);
      return !(last && last.contentHash === hashOf(input.document) && (input.effectiveFrom ?? null) === last.effectiveFrom && (input.expiresOn ?? null) === last.expiresOn);
    });
    const previous = await this.#previousVersions(fresh.map(({ document }) => document.id));
    const prepared = new Map<string, NewVariant[]>();
    for (const input of fresh) prepared.set(input.document.id, await this.#prepareVariants(input.document, options.actor ?? null, previous.get(input.document.id) ?? null));
    return this.db.transaction(async (tx) => {
      const created: { docId: string; version: number }[] = [];
      const unchanged: { docId: string; version: number }[] = [];
      const rows: NewVersionRow[] = [];
      for (const input of inputs) {
        const { rows: latest } = await tx.query<{ version: number; content_hash: string; effective_from: string | null; expires_on: string | null }>(
          'select version, content_hash, effective_from, expires_on from document_versions where doc_id = $1 order by version desc limit 1 for update',
          [input.document.id],
        );
        const hash = hashOf(input.document);
        const last = latest[0];
        if (last && last.content_hash === hash && (input.effectiveFrom ?? null) === last.effective_from && (input.expiresOn ?? null) === last.expires_on) {
          unchanged.push({ docId: input.document.id, version: last.version });
          continue;
        }
        const version = (last?.version ?? 0) + 1;
        const variants = prepared.get(input.document.id) ?? [];
        rows.push({ docId: input.document.id, version, state: 'draft', input, contentHash: hash, variants });
        created.push({ docId: input.document.id, version });
      }
      await this.#insertVersions(tx, rows, options.actor ?? null);
      const kbVersion = (await tx.query<{ version: number }>('select version from kb_state where id = 1')).rows[0]?.version ?? 0;
      for (const { docId, version } of created) {
        await tx.query('insert into kb_changes (kb_version, action, doc_id, version, actor) values ($1, $2, $3, $4, $5)', [kbVersion, 'upload', docId, version, options.actor ?? null]);
      }
      return { created, unchanged };
    });
  }

  /** Corrects a draft's metadata (title, issuer, region, date, status, audience, effective dates); the text stays. */
  async updateDraft(docId: string, version: number, overrides: DocumentOverrides): Promise<DocumentVersion> {
    const current = await this.getVersion(docId, version);
    if (!current) throw new VersionError(`${docId} has no version ${version}`);
    if (current.state !== 'draft') throw new VersionError(`${docId} v${version} is ${current.state}: only a draft can be edited`);
    const { id: _id, effectiveFrom, expiresOn, ...fields } = overrides;
    const merged = { ...current.document, ...fields };
    // The admin has reviewed the fields the text did not give.
    const { missing_fields: _missing, ...meta } = current.document.meta;
    const document = documentFrom(
      frontMatterOf(docId, merged, meta),
      current.document.body,
      current.source?.name ?? docId,
    );
    await this.db.query(
      `update document_versions set title = $3, issuer = $4, region = $5, date = $6, date_note = $7, status = $8, audience = $9,
              effective_from = $10, expires_on = $11, content_hash = $12, meta = $13::jsonb where doc_id = $1 and version = $2 and state = 'draft'`,
      [
        docId,
        version,
        ...metadataValues(document),
        effectiveFrom !== undefined ? effectiveFrom : current.effectiveFrom,
        expiresOn !== undefined ? expiresOn : current.expiresOn,
        hashOf(document),
        JSON.stringify(document.meta),
      ],
    );
    return (await this.getVersion(docId, version))!;
  }

  /** Discards a draft (it becomes withdrawn; nothing served changes). */
  async discardDraft(docId: string, version: number, options: { actor?: string | null } = {}): Promise<void> {
    await this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ state: VersionState }>('select state from document_versions where doc_id = $1 and version = $2 for update', [docId, version]);
      if (!rows[0]) throw new VersionError(`${docId} has no version ${version}`);
      if (rows[0].state !== 'draft') throw new VersionError(`${docId} v${version} is ${rows[0].state}, not a draft`);
      await tx.query(`update document_versions set state = 'withdrawn', retired_at = now() where doc_id = $1 and version = $2`, [docId, version]);
      const kbVersion = (await tx.query<{ version: number }>('select version from kb_state where id = 1')).rows[0]?.version ?? 0;
      await tx.query('insert into kb_changes (kb_version, action, doc_id, version, actor) values ($1, $2, $3, $4, $5)', [kbVersion, 'discard', docId, version, options.actor ?? null]);
    });
  }

  // ---- changes of the live set ----------------------------------------------------------------

  /** Makes the knowledge base exactly these documents (adding, replacing and removing). */
  async publish(documents: readonly PolicyDocument[], options: ChangeOptions = {}): Promise<PublishReport> {
    return this.commit(await this.plan({ kind: 'set', inputs: documents.map((document) => ({ document })), exact: true }, options), options);
  }

  /** Adds or replaces these documents and keeps the others. */
  async upsert(documents: readonly PolicyDocument[], options: ChangeOptions = {}): Promise<PublishReport> {
    return this.commit(await this.plan({ kind: 'set', inputs: documents.map((document) => ({ document })), exact: false }, options), options);
  }

  /** Removes documents by id (their published versions are withdrawn); unknown ids are an error and change nothing. */
  async remove(ids: readonly string[], options: ChangeOptions = {}): Promise<PublishReport> {
    return this.commit(await this.plan({ kind: 'remove', ids: [...ids] }, options), options);
  }

  /** Re-chunks and re-embeds the published documents (after a chunker or model change). */
  async reindex(options: ChangeOptions = {}): Promise<PublishReport> {
    return this.commit(await this.plan({ kind: 'reindex' }, { ...options, force: true }), options);
  }

  /** Publishes a version of a document (default: its latest); the one published before is superseded. */
  async publishVersion(docId: string, version?: number, options: ChangeOptions = {}): Promise<PublishReport> {
    return this.commit(await this.plan({ kind: 'publish', targets: [{ docId, ...(version === undefined ? {} : { version }) }] }, options), options);
  }

  /** Serves an earlier version again (default: the last superseded one); the current one is withdrawn. */
  async rollback(docId: string, version?: number, options: ChangeOptions = {}): Promise<PublishReport> {
    return this.commit(await this.plan({ kind: 'rollback', docId, ...(version === undefined ? {} : { version }) }, options), options);
  }

  /** Stops serving a document: its published version is withdrawn. */
  async withdraw(docId: string, options: ChangeOptions = {}): Promise<PublishReport> {
    return this.commit(await this.plan({ kind: 'withdraw', docId }, options), options);
  }

  /** Whether the stored vectors were made by this model (else `reindex` is due). */
  async embeddedWith(): Promise<string | null> {
    const { rows } = await this.db.query<{ embedding_model: string | null }>('select embedding_model from kb_state where id = 1');
    return rows[0]?.embedding_model ?? null;
  }

  /**
   * A dense search over the stored vectors of this model: an exact scan up to the exact-scan
   * limit, through pgvector's HNSW index past it (once {@link indexVectors} has built it; by scan
   * until then).
   */
  denseSearch(dims: number): DenseSearch {
    return {
      search: async (text: string, k: number): Promise<ScoredId[]> => {
        const vector = await this.model.embeddings.embedQuery(text);
        if (!vector.some((value) => value !== 0)) return [];
        const rows = await nearestClauses(this.db, this.model.name, dims, vector, k);
        return rows.map((row) => ({ id: row.clause_id, score: 1 - row.distance }));
      },
    };
  }

  /** The live set as entries, with each document's published version. */
  async #liveEntries(): Promise<LiveEntry[]> {
    const { rows } = await this.db.query<DocumentRow & { version: number; effective_from: string | null; expires_on: string | null; published_at: Date | null }>(
      `select d.*, v.published_at from documents d left join document_versions v on v.doc_id = d.id and v.version = d.version order by d.id`,
    );
    return rows.map((row) => ({
      document: toDocument(row),
      version: row.version,
      contentHash: row.content_hash,
      effectiveFrom: row.effective_from,
      expiresOn: row.expires_on,
      publishedOn: isoDay(row.published_at),
    }));
  }

  /**
   * Prepares a change beside the live set: works out the new set of published versions, chunks
   * it and embeds it (with `options.model`), without touching what is served. Unknown documents
   * or versions fail here. Pass the result to {@link commit}, or {@link discard} it.
   */
  async plan(request: KbChangeRequest, options: ChangeOptions = {}): Promise<Candidate> {
    const baseVersion = await this.version();
    const current = await this.#liveEntries();
    const live = new Map(current.map((entry) => [entry.document.id, entry]));
    const plan: SwitchPlan = { live: [], inserts: [], transitions: [], changes: [], rewriteAll: options.force === true, modelState: null, drift: 0 };
    const publishedNow: Record<string, number> = {};
    const today = chinaDay();

    const retire = (docId: string, state: 'superseded' | 'withdrawn'): number | null => {
      const entry = live.get(docId);
      if (!entry) return null;
      plan.transitions.push({ docId, version: entry.version, state });
      return entry.version;
    };
    const serve = async (docId: string, version: number, action: string, previous: number | null): Promise<void> => {
      const stored = await this.getVersion(docId, version);
      if (!stored) throw new VersionError(`${docId} has no version ${version}`);
      live.set(docId, { document: stored.document, version, contentHash: stored.contentHash, effectiveFrom: stored.effectiveFrom, expiresOn: stored.expiresOn, publishedOn: today });
      plan.transitions.push({ docId, version, state: 'published' });
      plan.changes.push({ action, docId, version, previousVersion: previous, detail: {} });
      publishedNow[docId] = version;
    };

    switch (request.kind) {
      case 'publish': {
        const seen = new Set<string>();
        for (const target of request.targets) {
          if (seen.has(target.docId)) throw new VersionError(`${target.docId} is named twice`);
          seen.add(target.docId);
          const stored = await this.getVersion(target.docId, target.version);
          if (!stored) throw new VersionError(target.version === undefined ? `no document with id ${target.docId}` : `${target.docId} has no version ${target.version}`);
          const entry = live.get(target.docId);
          if (entry && entry.version === stored.version) throw new VersionError(`${target.docId} v${stored.version} is already published`);
          const previous = retire(target.docId, 'superseded');
          await serve(target.docId, stored.version, 'publish', previous);
        }
        break;
      }
      case 'rollback': {
        const entry = live.get(request.docId);
        const versions = await this.versionsOf(request.docId);
        if (versions.length === 0) throw new VersionError(`no document with id ${request.docId}`);
        const target =
          request.version !== undefined
            ? versions.find((version) => version.version === request.version)
            : versions.find((version) => version.state === 'superseded' && (!entry || version.version < entry.version));
        if (!target) throw new VersionError(request.version !== undefined ? `${request.docId} has no version ${request.version}` : `${request.docId} has no earlier published version to roll back to`);
        if (target.state === 'draft') throw new VersionError(`${request.docId} v${target.version} is a draft, never published: publish it instead`);
        if (entry && entry.version === target.version) throw new VersionError(`${request.docId} v${target.version} is already published`);
        const previous = retire(request.docId, 'withdrawn');
        await serve(request.docId, target.version, 'rollback', previous);
        break;
      }
      case 'withdraw': {
        if (!live.has(request.docId)) throw new VersionError(`${request.docId} has no published version to withdraw`);
        const previous = retire(request.docId, 'withdrawn');
        live.delete(request.docId);
        plan.changes.push({ action: 'withdraw', docId: request.docId, version: previous, previousVersion: previous, detail: {} });
        break;
      }
      case 'remove': {
        const unknown = request.ids.filter((id) => !live.has(id));
        if (unknown.length > 0) throw new Error(`no document with id ${unknown.join(', ')}`);
        for (const id of request.ids) {
          const previous = retire(id, 'withdrawn');
          live.delete(id);
          plan.changes.push({ action: 'remove', docId: id, version: previous, previousVersion: previous, detail: {} });
        }
        break;
      }
      case 'reindex':
        plan.changes.push({ action: 'reindex', docId: null, version: null, previousVersion: null, detail: {} });
        break;
      case 'set': {
        const ids = new Set<string>();
        for (const { document } of request.inputs) {
          if (ids.has(document.id)) throw new Error(`two documents share the id "${document.id}"`);
          ids.add(document.id);
        }
        const latest = new Map(
          (await this.db.query<{ doc_id: string; version: number }>('select doc_id, max(version)::int as version from document_versions group by doc_id')).rows.map((row) => [row.doc_id, row.version]),
        );
        const changed = request.inputs.flatMap((input) => {
          const document = { ...input.document, meta: input.document.meta ?? {} };
          const hash = hashOf(document);
          const entry = live.get(document.id);
          if (entry && entry.contentHash === hash && (input.effectiveFrom ?? null) === entry.effectiveFrom && (input.expiresOn ?? null) === entry.expiresOn) return [];
          return [{ input, document, hash }];
        });
        const before = await this.#previousVersions(changed.filter(({ document }) => latest.has(document.id)).map(({ document }) => document.id));
        for (const { input, document, hash } of changed) {
          const version = (latest.get(document.id) ?? 0) + 1;
          const previous = retire(document.id, 'superseded');
          const variants = await this.#prepareVariants(document, options.actor ?? null, before.get(document.id) ?? null);
          plan.inserts.push({ docId: document.id, version, state: 'published', input: { ...input, document }, contentHash: hash, variants });
          live.set(document.id, { document, version, contentHash: hash, effectiveFrom: input.effectiveFrom ?? null, expiresOn: input.expiresOn ?? null, publishedOn: today });
          plan.changes.push({ action: 'publish', docId: document.id, version, previousVersion: previous, detail: {} });
          publishedNow[document.id] = version;
        }
        if (request.exact) {
          for (const id of [...live.keys()]) {
            if (ids.has(id)) continue;
            const previous = retire(id, 'withdrawn');
            live.delete(id);
            plan.changes.push({ action: 'remove', docId: id, version: previous, previousVersion: previous, detail: {} });
          }
        }
        break;
      }
    }

    plan.live = [...live.values()].sort((x, y) => byCodeUnits(x.document.id, y.document.id));
    const model = options.model ?? this.model;
    const total = plan.live.length;
    options.onProgress?.({ phase: 'chunking', done: 0, total });
    const documents = new Map<string, DocumentInfo>();
    const clauses: Clause[] = [];
    const inserted = new Map(plan.inserts.map((row) => [versionKey(row.docId, row.version), row.variants]));
    const stored = await this.#variantsOfVersions(plan.live.filter((entry) => !inserted.has(versionKey(entry.document.id, entry.version))).map((entry) => ({ docId: entry.document.id, version: entry.version })));
    for (const [index, entry] of plan.live.entries()) {
      const { body: _body, meta: _meta, ...info } = entry.document;
      documents.set(info.id, { ...info, versionInfo: { number: entry.version, state: 'published', effectiveFrom: entry.effectiveFrom, expiresOn: entry.expiresOn, publishedOn: entry.publishedOn } });
      const key = versionKey(info.id, entry.version);
      const variants = inserted.get(key) ?? stored.get(key) ?? [];
      clauses.push(...attachVariants(chunkDocument(entry.document), variants));
      if ((index + 1) % 50 === 0 || index + 1 === total) options.onProgress?.({ phase: 'chunking', done: index + 1, total });
    }
    const texts = clauses.map((clause) => indexTextOf(clause, documents.get(clause.docId)));
    options.onProgress?.({ phase: 'fitting', done: 0, total: 1 });
    const modelPlan = await this.#prepareModel(model, texts, options);
    plan.modelState = modelPlan.state;
    plan.drift = modelPlan.drift;
    options.onProgress?.({ phase: 'fitting', done: 1, total: 1 });
    const vectors: number[][] = [];
    options.onProgress?.({ phase: 'embedding', done: 0, total: texts.length });
    for (let start = 0; start < texts.length; start += embedBatch) {
      await yieldToEvents();
      vectors.push(...(await model.embeddings.embedDocuments(texts.slice(start, start + embedBatch))));
      options.onProgress?.({ phase: 'embedding', done: Math.min(texts.length, start + embedBatch), total: texts.length });
    }

    const before = new Map(current.map((entry) => [entry.document.id, entry]));
    const after = new Set(plan.live.map((entry) => entry.document.id));
    const report: PublishReport = {
      version: baseVersion + 1,
      documents: plan.live.length,
      clauses: clauses.length,
      added: [],
      replaced: [],
      removed: [...before.keys()].filter((id) => !after.has(id)),
      unchanged: [],
      embeddingModel: model.name,
      embedding: modelPlan.how,
      drift: modelPlan.drift,
      published: publishedNow,
    };
    for (const entry of plan.live) {
      const previous = before.get(entry.document.id);
      if (!previous) report.added.push(entry.document.id);
      else if (previous.version !== entry.version || previous.contentHash !== entry.contentHash || options.force) report.replaced.push(entry.document.id);
      else report.unchanged.push(entry.document.id);
    }
    return { request, baseVersion, snapshot: { version: baseVersion + 1, documents, clauses }, vectors, model, report, actor: options.actor ?? null, plan };
  }

  /**
   * Switches a planned candidate in, in one transaction: new version rows, state changes, the
   * live documents, clauses and vectors, the version counter and the history. When the
   * candidate's vectors come from the live model, only the documents that changed are rewritten;
   * otherwise (a new model, or a reindex) every vector is written in bulk, with no HNSW index to
   * update. A freshly fitted model is stored with the version. An index the vectors' number calls
   * for is built after the switch, in the background ({@link indexVectors}): the new version
   * serves by exact scan until it is there.
   * Fails with {@link ConcurrentChangeError} when another change was committed since `plan`.
   */
  async commit(candidate: Candidate, options: { onProgress?: (event: ProgressEvent) => void; detail?: Record<string, unknown> } = {}): Promise<PublishReport> {
    const { plan, snapshot, vectors, model, report } = candidate;
    const dims = vectors[0]?.length ?? 0;
    options.onProgress?.({ phase: 'switching', done: 0, total: 1 });
    report.version = await this.db.transaction(async (tx) => {
      const state = (
        await tx.query<{ version: number; embedding_model: string | null; embedding_dims: number | null }>('select version, embedding_model, embedding_dims from kb_state where id = 1 for update')
      ).rows[0];
      const found = state?.version ?? 0;
      if (found !== candidate.baseVersion) throw new ConcurrentChangeError(candidate.baseVersion, found);
      // One statement per kind of transition, retire first (one published version per document).
      const retiring = plan.transitions.filter((t) => t.state !== 'published');
      const publishing = plan.transitions.filter((t) => t.state === 'published');
      if (retiring.length > 0) {
        await tx.query(
          `update document_versions v set state = t.state, retired_at = now()
             from unnest($1::text[], $2::int[], $3::text[]) as t(doc_id, version, state) where v.doc_id = t.doc_id and v.version = t.version`,
          [retiring.map((t) => t.docId), retiring.map((t) => t.version), retiring.map((t) => t.state)],
        );
      }
      await this.#insertVersions(tx, plan.inserts, candidate.actor);
      if (publishing.length > 0) {
        await tx.query(
          `update document_versions v set state = 'published', published_at = now(), retired_at = null
             from unnest($1::text[], $2::int[]) as t(doc_id, version) where v.doc_id = t.doc_id and v.version = t.version`,
          [publishing.map((t) => t.docId), publishing.map((t) => t.version)],
        );
      }
      const sameVectors = !plan.rewriteAll && dims > 0 && state?.embedding_model === model.name && state.embedding_dims === dims;
      let written: ReadonlySet<string> | null = null;
      if (sameVectors) {
        // The unchanged documents' rows and vectors stay; an HNSW index, if there is one, takes the few new ones.
        written = new Set([...report.added, ...report.replaced]);
        const gone = [...report.replaced, ...report.removed];
        if (gone.length > 0) await tx.query('delete from documents where id = any($1::text[])', [gone]);
      } else {
        await dropVectorIndexes(tx);
        await tx.exec('delete from clause_embeddings; delete from clauses; delete from documents;');
      }
      const writes = (docId: string): boolean => written === null || written.has(docId);
      await tx.insertMany(
        'documents',
        ['id', ...metadataColumns, 'meta', 'body', 'content_hash', 'version', 'effective_from', 'expires_on'],
        plan.live
          .filter(({ document }) => writes(document.id))
          .map(({ document, contentHash, version, effectiveFrom, expiresOn }) => [
            document.id,
            ...metadataValues(document),
            JSON.stringify(document.meta ?? {}),
            document.body,
            contentHash,
            version,
            effectiveFrom,
            expiresOn,
          ]),
      );
      const newClauses = snapshot.clauses.flatMap((clause, index) => (writes(clause.docId) ? [{ clause, vector: vectors[index]! }] : []));
      await tx.insertMany(
        'clauses',
        ['id', 'doc_id', 'ordinal', 'locator', 'heading_path', 'text', 'context', 'part', 'parts'],
        newClauses.map(({ clause }) => [clause.id, clause.docId, clause.ordinal, clause.locator, clause.headingPath, clause.text, clause.context, clause.part, clause.parts]),
      );
      if (dims > 0) checkSearchableDims(dims);
      await tx.insertMany(
        'clause_embeddings',
        ['clause_id', 'model', 'embedding'],
        newClauses.map(({ clause, vector }) => [clause.id, model.name, vector]),
      );
      const ids = plan.live.map((entry) => entry.document.id).sort();
      const { rows } = await tx.query<{ version: number }>(
        `update kb_state set version = version + 1, fingerprint = $1, embedding_model = $2, embedding_dims = $3, embedding_drift = $4, updated_at = now()
          where id = 1 returning version`,
        [createHash('sha256').update(ids.join('\n')).digest('hex'), model.name, dims, plan.drift],
      );
      const kbVersion = rows[0]!.version;
      // Only the live version's model is kept: the vectors of any other are gone. A freshly fitted
      // one is written whole (megabytes: through insertMany, which sends bytes as they are); the
      // same space fitted again keeps the version that first served it.
      if (plan.modelState) {
        const { rows: stored } = await tx.query<{ kb_version: number }>('select kb_version from embedding_models where name = $1', [model.name]);
        await tx.query('delete from embedding_models');
        await tx.insertMany('embedding_models', ['name', 'state', 'kb_version'], [[model.name, plan.modelState, stored[0]?.kb_version ?? kbVersion]]);
      } else {
        await tx.query('delete from embedding_models where name <> $1', [model.name]);
      }
      await tx.insertMany(
        'kb_changes',
        ['kb_version', 'action', 'doc_id', 'version', 'previous_version', 'actor', 'detail'],
        plan.changes.map((change) => [kbVersion, change.action, change.docId, change.version, change.previousVersion, candidate.actor, JSON.stringify({ ...change.detail, ...(options.detail ?? {}) })]),
      );
      return kbVersion;
    });
    await this.db.exec('analyze clause_embeddings');
    // The new version serves at once (by scan); an index its size calls for is built after.
    this.indexVectorsInBackground();
    this.#afterCommit?.(report.version);
    if (plan.drift > this.#refitDrift && model.fitted) {
      report.refitScheduled = this.refitInBackground() !== null;
      this.#log?.info({ drift: Number(plan.drift.toFixed(3)), threshold: this.#refitDrift }, 'embedding model drifted past the threshold; refitting in the background');
    }
    options.onProgress?.({ phase: 'done', done: 1, total: 1 });
    return report;
  }

  /**
   * Drops a candidate that will not be committed. When it was embedded with the live model
   * (`kb.model`), the live version's stored model is loaded back (or, when there is none, the
   * model is fitted on the live set again), so that live dense search works.
   */
  async discard(candidate: Candidate): Promise<void> {
    if (candidate.model !== this.model) return;
    if ((await this.loadModel()) !== 'missing') return;
    const snapshot = await this.snapshot();
    this.model.fit(snapshot.clauses.map((clause) => indexTextOf(clause, snapshot.documents.get(clause.docId))));
  }

  // ---- the embedding model of the live version ------------------------------------------------

  /**
   * Makes `model` (default `kb.model`) the live version's stored model: `loaded` from the store,
   * already `current`, `missing` (nothing stored for the live version: a store from before models
   * were kept, or an empty knowledge base), or `stateless` (a pre-trained model, nothing to load).
   */
  async loadModel(model: EmbeddingModel = this.model): Promise<'loaded' | 'current' | 'missing' | 'stateless'> {
    const space = model.fitted;
    if (!space) return 'stateless';
    const current = space.ready ? model.name : '';
    // the state as base64 text: PGlite hands bytea over byte by byte in JavaScript, ten times slower
    const { rows } = await this.db.query<{ name: string; state: string | null }>(
      `select m.name, case when m.name = $1 then null else encode(m.state, 'base64') end as state
         from kb_state s join embedding_models m on m.name = s.embedding_model where s.id = 1`,
      [current],
    );
    const row = rows[0];
    if (!row) return 'missing';
    if (row.name === current) return 'current';
    try {
      space.load(Buffer.from(row.state!, 'base64'));
    } catch (error) {
      this.#log?.warn({ err: error, model: row.name }, 'the stored embedding model cannot be read; it will be fitted again');
      return 'missing';
    }
    return 'loaded';
  }

  /** Stores `kb.model` as the live version's model when it made the live vectors (a store from before models were kept). */
  async storeModel(): Promise<boolean> {
    const space = this.model.fitted;
    if (!space?.ready) return false;
    const { rows } = await this.db.query(
      `insert into embedding_models (name, state, kb_version) select $1, $2, version from kb_state where id = 1 and embedding_model = $1
         on conflict (name) do nothing returning name`,
      [this.model.name, space.toBytes()],
    );
    return rows.length > 0;
  }

  /** Whether the live model has drifted past the threshold (see `refitDrift`) since it was fitted. */
  async drifted(): Promise<boolean> {
    const { rows } = await this.db.query<{ embedding_drift: number | null }>('select embedding_drift from kb_state where id = 1');
    return (rows[0]?.embedding_drift ?? 0) > this.#refitDrift;
  }

  /**
   * Refits a corpus-fitted model on the live set beside the live one (a fresh instance), then
   * switches the re-embedded set in as a `reindex`; one at a time per knowledge base. Returns the
   * running refit, or null when the model has nothing to fit. A change committed meanwhile
   * makes it give up (the next change measures the drift again).
   */
  refitInBackground(): Promise<void> | null {
    const space = this.model.fitted;
    if (!space || this.#closed) return null;
    this.#refitting ??= (async () => {
      await yieldToEvents();
      const stopIfClosed = (): void => {
        if (this.#closed) throw new RefitAbandoned();
      };
      try {
        const candidate = await this.plan({ kind: 'reindex' }, { actor: 'system', model: space.fresh(), force: true, refit: true, onProgress: stopIfClosed });
        stopIfClosed();
        const report = await this.commit(candidate, { detail: { refit: 'drift' } });
        this.#log?.info({ version: report.version, model: report.embeddingModel, clauses: report.clauses }, 'embedding model refitted');
      } catch (error) {
        if (!(error instanceof RefitAbandoned)) this.#log?.warn({ err: error }, 'background refit of the embedding model failed');
      } finally {
        this.#refitting = null;
      }
    })();
    return this.#refitting;
  }

  /**
   * Gives the live vectors the search their number calls for: up to the exact-scan limit none
   * (an exact scan), past it pgvector's HNSW index, built now if missing. Outside any switch, so
   * that a publish does not wait for the build; the version it switched in serves by scan meanwhile.
   */
  async indexVectors(): Promise<'scan' | 'index' | 'empty'> {
    const { rows } = await this.db.query<{ embedding_model: string | null; embedding_dims: number | null }>('select embedding_model, embedding_dims from kb_state where id = 1');
    const { embedding_model: model, embedding_dims: dims } = rows[0] ?? { embedding_model: null, embedding_dims: null };
    if (!model || !dims) return 'empty';
    return indexVectorsAtSize(this.db, model, dims, this.#exactScanLimit);
  }

  /** {@link indexVectors} after the work in hand (one at a time); a failure is logged, and dense search keeps scanning. */
  indexVectorsInBackground(): Promise<void> {
    const previous = this.#indexing;
    const indexing = (async () => {
      await previous;
      if (this.#closed) return;
      const started = performance.now();
      const search = await this.indexVectors();
      if (search === 'index') this.#log?.info({ ms: Math.round(performance.now() - started) }, 'vector index ready');
    })()
      .catch((error: unknown) => this.#log?.warn({ err: error }, 'the vector index could not be built; dense search scans every vector'))
      .finally(() => {
        if (this.#indexing === indexing) this.#indexing = null;
      });
    this.#indexing = indexing;
    return indexing;
  }

  /** Waits for background work: a refit and a vector index build, if they run. */
  async settled(): Promise<void> {
    await this.#refitting;
    await this.#indexing;
  }

  /** Stops background work (a refit in progress is abandoned before its switch; an index build finishes); call before closing the database. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#refitting;
    await this.#indexing;
  }

  /**
   * Gets the candidate's model ready to embed `texts`: a corpus-fitted model folds them into the
   * live version's stored model (no fit) unless asked to refit or nothing is stored; then it is
   * fitted on them and its space kept for the switch.
   */
  async #prepareModel(model: EmbeddingModel, texts: readonly string[], options: ChangeOptions): Promise<ModelPlan> {
    const space = model.fitted;
    if (!space) {
      model.fit(texts);
      return { how: 'pretrained', state: null, drift: 0 };
    }
    if (!options.refit && texts.length > 0 && (await this.loadModel(model)) !== 'missing' && space.ready) {
      return { how: 'folded-in', state: null, drift: space.drift(texts) };
    }
    await space.fitOffThread(texts);
    return { how: 'fitted', state: space.ready ? space.toBytes() : null, drift: 0 };
  }

  async #insertVersions(tx: Queryable, rows: readonly NewVersionRow[], actor: string | null): Promise<void> {
    await tx.insertMany(
      'document_versions',
      [
        'doc_id', 'version', 'state', ...metadataColumns, 'meta', 'body', 'content_hash',
        'effective_from', 'expires_on', 'source_name', 'source_kind', 'source_bytes', 'source_sha256', 'created_by', 'published_at',
      ],
      rows.map(({ docId, version, state, input, contentHash }) => [
        docId,
        version,
        state,
        ...metadataValues(input.document),
        JSON.stringify(input.document.meta ?? {}),
        input.document.body,
        contentHash,
        input.effectiveFrom ?? null,
        input.expiresOn ?? null,
        input.source?.name ?? null,
        input.source?.kind ?? 'md',
        input.source?.bytes ?? null,
        input.source?.sha256 ?? null,
        actor,
        state === 'published' ? new Date() : null,
      ]),
    );
    await tx.insertMany(
      'clause_variants',
      ['doc_id', 'version', 'clause_key', 'text_hash', 'question', 'source', 'created_by'],
      rows.flatMap(({ docId, version, variants }) =>
        variants.map((variant) => [docId, version, variant.clauseKey, variant.textHash, variant.question, variant.source, variant.createdBy]),
      ),
    );
  }

  // ---- question variants ----------------------------------------------------------------------

  /** The stored variants of a version, in the order they were added. */
  async variantsOf(docId: string, version: number, db: Queryable = this.db): Promise<ClauseVariant[]> {
    const { rows } = await db.query<VariantRow>('select * from clause_variants where doc_id = $1 and version = $2 order by id', [docId, version]);
    return rows.map(toVariant);
  }

  /**
   * A version's whole clauses with their variants, for the admin: the variants that match the
   * clause's text, those written for another text (`stale`), and whether the text changed from
   * the version before (whose variants were then dropped).
   */
  async clauseVariants(docId: string, version: number): Promise<ClauseVariants[]> {
    const stored = await this.getVersion(docId, version);
    if (!stored) throw new VersionError(`${docId} has no version ${version}`);
    const variants = await this.variantsOf(docId, version);
    const previous = await this.#previousVersion(docId, version);
    const before = previous ? new Map(hashedClauses(chunkDocument(previous.document)).map((whole) => [whole.key, whole.hash])) : new Map<string, string>();
    return hashedClauses(chunkDocument(stored.document)).map((whole) => {
      const own = variants.filter((variant) => variant.clauseKey === whole.key);
      const old = before.get(whole.key);
      return {
        ...whole,
        variants: own.filter((variant) => variant.textHash === whole.hash),
        stale: own.filter((variant) => variant.textHash !== whole.hash),
        changed: old !== undefined && old !== whole.hash,
      };
    });
  }

  /**
   * Adds a question to a clause of a version (source `admin`), recorded in the history. A
   * published version's index is stale until it is re-indexed (the admin does it at once).
   */
  async addVariant(docId: string, version: number, clauseKey: string, question: string, options: { actor?: string | null } = {}): Promise<{ variant: ClauseVariant; published: boolean }> {
    const text = checkedQuestion(question);
    return this.db.transaction(async (tx) => {
      const { state, clause } = await this.#variantTarget(tx, docId, version, clauseKey);
      const { rows } = await tx.query<VariantRow>(
        `insert into clause_variants (doc_id, version, clause_key, text_hash, question, source, created_by) values ($1, $2, $3, $4, $5, 'admin', $6)
           on conflict (doc_id, version, clause_key, question) do nothing returning *`,
        [docId, version, clauseKey, clause.hash, text, options.actor ?? null],
      );
      if (!rows[0]) throw new VersionError(`${clauseKey} already has the question "${text}"`);
      await this.#recordVariantChange(tx, 'variant-add', docId, version, options.actor ?? null, { clause: clauseKey, question: text });
      return { variant: toVariant(rows[0]), published: state === 'published' };
    });
  }

  /** Rewords a variant (it becomes the admin's), recorded in the history. */
  async updateVariant(docId: string, version: number, id: number, question: string, options: { actor?: string | null } = {}): Promise<{ variant: ClauseVariant; published: boolean }> {
    const text = checkedQuestion(question);
    return this.db.transaction(async (tx) => {
      const current = await this.#variantRow(tx, docId, version, id);
      const { state, clause } = await this.#variantTarget(tx, docId, version, current.clause_key);
      const clash = await tx.query('select 1 from clause_variants where doc_id = $1 and version = $2 and clause_key = $3 and question = $4 and id <> $5', [docId, version, current.clause_key, text, id]);
      if (clash.rows.length > 0) throw new VersionError(`${current.clause_key} already has the question "${text}"`);
      const { rows } = await tx.query<VariantRow>(
        `update clause_variants set question = $2, text_hash = $3, source = 'admin', created_by = $4, created_at = now() where id = $1 returning *`,
        [id, text, clause.hash, options.actor ?? null],
      );
      await this.#recordVariantChange(tx, 'variant-edit', docId, version, options.actor ?? null, { clause: current.clause_key, before: current.question, question: text });
      return { variant: toVariant(rows[0]!), published: state === 'published' };
    });
  }

  /** Deletes a variant, recorded in the history. */
  async deleteVariant(docId: string, version: number, id: number, options: { actor?: string | null } = {}): Promise<{ variant: ClauseVariant; published: boolean }> {
    return this.db.transaction(async (tx) => {
      const current = await this.#variantRow(tx, docId, version, id);
      const { state } = await this.#versionState(tx, docId, version);
      await tx.query('delete from clause_variants where id = $1', [id]);
      await this.#recordVariantChange(tx, 'variant-delete', docId, version, options.actor ?? null, { clause: current.clause_key, question: current.question });
      return { variant: toVariant(current), published: state === 'published' };
    });
  }

  /**
   * Gives versions stored before variants existed the shipped variants of their clauses (once).
   * Returns how many versions got any, and how many of those are published (the live index then
   * needs a re-index).
   */
  async seedShippedVariants(): Promise<{ versions: number; published: number }> {
    const { rows } = await this.db.query<VersionRow>(`select ${versionColumns} from document_versions where not variants_seeded order by doc_id, version`);
    let versions = 0;
    let published = 0;
    const shipped = rows.length > 0 ? await this.#shipped() : new Map();
    for (const row of rows) {
      const document = toDocument(row);
      const variants = shippedFor(shipped, document.id, hashedClauses(chunkDocument(document)));
      await this.db.transaction(async (tx) => {
        await tx.insertMany(
          'clause_variants',
          ['doc_id', 'version', 'clause_key', 'text_hash', 'question', 'source', 'created_by'],
          variants.map((variant) => [row.doc_id, row.version, variant.clauseKey, variant.textHash, variant.question, variant.source, variant.createdBy]),
        );
        await tx.query('update document_versions set variants_seeded = true where doc_id = $1 and version = $2', [row.doc_id, row.version]);
      });
      if (variants.length > 0) {
        versions += 1;
        if (row.state === 'published') published += 1;
      }
    }
    return { versions, published };
  }

  /**
   * The variants a new version of a document starts with, clause by clause: a clause whose text
   * is unchanged from the version before keeps that version's variants (none are generated for
   * it again); a new or changed clause gets the shipped questions written for its text, and when
   * it has none and a model is configured, questions from the model (cached by text and model).
   */
  async #prepareVariants(document: PolicyDocument, actor: string | null, previous: PreviousVersion | null): Promise<NewVariant[]> {
    // Nothing to carry, nothing shipped, no model to ask: no need to chunk and hash the clauses.
    const shippedVariants = await this.#shipped();
    if (!previous?.variants.length && !shippedVariants.has(document.id) && !this.variantGenerator) return [];
    const clauses = hashedClauses(chunkDocument(document));
    const carried = new Map<string, NewVariant[]>();
    if (previous) {
      const before = new Map(hashedClauses(chunkDocument(previous.version.document)).map((whole) => [whole.key, whole.hash]));
      const old = previous.variants;
      for (const whole of clauses) {
        if (before.get(whole.key) !== whole.hash) continue;
        carried.set(
          whole.key,
          old
            .filter((variant) => variant.clauseKey === whole.key && variant.textHash === whole.hash)
            .map(({ clauseKey, textHash, question, source, createdBy }) => ({ clauseKey, textHash, question, source, createdBy })),
        );
      }
    }
    const fresh = clauses.filter((whole) => !carried.has(whole.key));
    const shipped = shippedFor(shippedVariants, document.id, fresh);
    const variants = [...[...carried.values()].flat(), ...shipped];
    const covered = new Set(shipped.map((variant) => variant.clauseKey));
    const generator = this.variantGenerator;
    const missing = fresh.filter((whole) => !covered.has(whole.key));
    if (generator && missing.length > 0) variants.push(...(await this.#generate(generator, document, missing, actor)));
    return variants;
  }

  /** The shipped variants, read at the first call when they were given as a reader. */
  #shipped(): Promise<ShippedVariants> {
    const given = this.#shippedVariants;
    // a failed read (a bad line in a file) is tried again at the next need, once the file is mended
    return (this.#shippedRead ??= typeof given === 'function' ? given().catch((error: unknown) => ((this.#shippedRead = null), Promise.reject(error))) : Promise.resolve(given));
  }

  /** Questions from the model for clauses, from the cache where the same text was sent before; a failed call leaves its clause without. */
  async #generate(generator: VariantGenerator, document: PolicyDocument, clauses: readonly HashedClause[], actor: string | null): Promise<NewVariant[]> {
    const { rows } = await this.db.query<{ text_hash: string; questions: string[] }>('select text_hash, questions from clause_variant_cache where generator = $1 and text_hash = any($2::text[])', [
      generator.name,
      clauses.map((whole) => whole.hash),
    ]);
    const cached = new Map(rows.map((row) => [row.text_hash, row.questions]));
    const headings = new Map(chunkDocument(document).map((clause) => [clause.ordinal, clause.headingPath]));
    const results = new Map<string, string[]>();
    const queue = clauses.filter((whole) => {
      const hit = cached.get(whole.hash);
      if (hit) results.set(whole.key, hit);
      return !hit;
    });
    let failures = 0;
    const work = async (): Promise<void> => {
      for (let whole = queue.shift(); whole; whole = queue.shift()) {
        try {
          const questions = (await generator.generate({ title: document.title, locator: whole.locator, text: whole.text, headingPath: headings.get(whole.ordinals[0]!) ?? [] }))
            .map(cleanVariant)
            .filter((question): question is string => question !== null);
          const unique = [...new Set(questions)].slice(0, generator.count);
          results.set(whole.key, unique);
          if (unique.length > 0) {
            await this.db.query(
              `insert into clause_variant_cache (text_hash, generator, questions) values ($1, $2, $3::jsonb)
                 on conflict (text_hash, generator) do update set questions = excluded.questions, created_at = now()`,
              [whole.hash, generator.name, JSON.stringify(unique)],
            );
          }
        } catch (error) {
          failures += 1;
          this.#log?.warn({ docId: document.id, clause: whole.key, err: error }, 'variant generation failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, queue.length) }, work));
    if (clauses.length > 0) this.#log?.info({ docId: document.id, clauses: clauses.length, cached: cached.size, failures, generator: generator.name }, 'question variants generated');
    return clauses.flatMap((whole) =>
      (results.get(whole.key) ?? []).map((question) => ({ clauseKey: whole.key, textHash: whole.hash, question, source: 'model' as const, createdBy: actor })),
    );
  }

  /** The latest version of each document (any state), in one query. */
  async #latestVersions(docIds: readonly string[]): Promise<Map<string, DocumentVersion>> {
    if (docIds.length === 0) return new Map();
    const { rows } = await this.db.query<VersionRow>(
      `select distinct on (doc_id) ${versionColumns} from document_versions where doc_id = any($1::text[]) order by doc_id, version desc`,
      [docIds],
    );
    return new Map(rows.map((row) => [row.doc_id, toVersion(row)]));
  }

  /**
   * The newest version of each document that was not a discarded draft, with its variants: what
   * a new version carries variants from. Two queries for all the documents.
   */
  async #previousVersions(docIds: readonly string[]): Promise<Map<string, PreviousVersion>> {
    if (docIds.length === 0) return new Map();
    const { rows } = await this.db.query<VersionRow>(
      `select distinct on (doc_id) ${versionColumns} from document_versions
        where doc_id = any($1::text[]) and not (state = 'withdrawn' and published_at is null)
        order by doc_id, version desc`,
      [docIds],
    );
    const variants = await this.#variantsOfVersions(rows.map((row) => ({ docId: row.doc_id, version: row.version })));
    return new Map(rows.map((row) => [row.doc_id, { version: toVersion(row), variants: variants.get(versionKey(row.doc_id, row.version)) ?? [] }]));
  }

  /** The stored variants of many versions in one query, by {@link versionKey}, each in the order they were added. */
  async #variantsOfVersions(versions: readonly { docId: string; version: number }[]): Promise<Map<string, ClauseVariant[]>> {
    const byVersion = new Map<string, ClauseVariant[]>();
    if (versions.length === 0) return byVersion;
    const { rows } = await this.db.query<VariantRow>(
      `select v.* from clause_variants v join unnest($1::text[], $2::int[]) as t(doc_id, version) on v.doc_id = t.doc_id and v.version = t.version order by v.id`,
      [versions.map((entry) => entry.docId), versions.map((entry) => entry.version)],
    );
    for (const row of rows) {
      const key = versionKey(row.doc_id, row.version);
      const list = byVersion.get(key);
      if (list) list.push(toVariant(row));
      else byVersion.set(key, [toVariant(row)]);
    }
    return byVersion;
  }

  /** The newest version before `before` (default: of all) that was not a discarded draft. */
  async #previousVersion(docId: string, before?: number): Promise<DocumentVersion | null> {
    const { rows } = await this.db.query<VersionRow>(
      `select ${versionColumns} from document_versions
        where doc_id = $1 and version < $2 and not (state = 'withdrawn' and published_at is null)
        order by version desc limit 1`,
      [docId, before ?? 2_147_483_647],
    );
    return rows[0] ? toVersion(rows[0]) : null;
  }

  async #versionState(tx: Queryable, docId: string, version: number): Promise<{ state: VersionState; row: VersionRow }> {
    const { rows } = await tx.query<VersionRow>(`select ${versionColumns} from document_versions where doc_id = $1 and version = $2 for update`, [docId, version]);
    if (!rows[0]) throw new VersionError(`${docId} has no version ${version}`);
    return { state: rows[0].state, row: rows[0] };
  }

  async #variantTarget(tx: Queryable, docId: string, version: number, clauseKey: string): Promise<{ state: VersionState; clause: HashedClause }> {
    const { state, row } = await this.#versionState(tx, docId, version);
    const clause = hashedClauses(chunkDocument(toDocument(row))).find((whole) => whole.key === clauseKey);
    if (!clause) throw new VersionError(`${docId} v${version} has no clause ${clauseKey}`);
    return { state, clause };
  }

  async #variantRow(tx: Queryable, docId: string, version: number, id: number): Promise<VariantRow> {
    const { rows } = await tx.query<VariantRow>('select * from clause_variants where id = $1 and doc_id = $2 and version = $3 for update', [id, docId, version]);
    if (!rows[0]) throw new VersionError(`${docId} v${version} has no question variant ${id}`);
    return rows[0];
  }

  async #recordVariantChange(tx: Queryable, action: string, docId: string, version: number, actor: string | null, detail: Record<string, unknown>): Promise<void> {
    const kbVersion = (await tx.query<{ version: number }>('select version from kb_state where id = 1')).rows[0]?.version ?? 0;
    await tx.query('insert into kb_changes (kb_version, action, doc_id, version, actor, detail) values ($1, $2, $3, $4, $5, $6::jsonb)', [kbVersion, action, docId, version, actor, JSON.stringify(detail)]);
  }
}

/** A question as an administrator typed it, or a {@link VersionError} naming what is wrong. */
function checkedQuestion(question: string): string {
  const text = cleanVariant(question);
  if (text === null) throw new VersionError('the question is empty');
  if ([...question.replace(/\s+/gu, ' ').trim()].length > maxVariantLength) throw new VersionError(`the question is longer than ${maxVariantLength} characters`);
  return text;
}

/** Clauses (ordered by document, then ordinal) with the stored variants of their documents attached. */
function withVariants(clauses: readonly Clause[], variants: readonly ClauseVariant[]): Clause[] {
  if (variants.length === 0) return [...clauses];
  const byDoc = new Map<string, ClauseVariant[]>();
  for (const variant of variants) byDoc.set(variant.docId, [...(byDoc.get(variant.docId) ?? []), variant]);
  const result: Clause[] = [];
  let start = 0;
  while (start < clauses.length) {
    const docId = clauses[start]!.docId;
    let end = start;
    while (end < clauses.length && clauses[end]!.docId === docId) end += 1;
    const own = clauses.slice(start, end);
    result.push(...attachVariants(own, byDoc.get(docId) ?? []));
    start = end;
  }
  return result;
}

/** The shipped questions of a document for the clauses whose text they were written for. */
function shippedFor(shippedVariants: ShippedVariants, docId: string, clauses: readonly HashedClause[]): NewVariant[] {
  const shipped = shippedVariants.get(docId);
  if (!shipped) return [];
  return clauses.flatMap((whole) => {
    const entry = shipped.get(whole.key);
    if (!entry || entry.hash !== whole.hash) return [];
    return entry.questions.map((question) => ({ clauseKey: whole.key, textHash: whole.hash, question, source: 'file' as const, createdBy: null }));
  });
}
