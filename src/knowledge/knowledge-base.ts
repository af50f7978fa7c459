import { createHash } from 'node:crypto';
import type { Database, Queryable } from '../store/database.ts';
import { ensureVectorIndex, nearestClauses, vectorIndexName } from '../store/vector-index.ts';
import { toSql } from '../store/database.ts';
import type { EmbeddingModel } from '../retrieval/embeddings/provider.ts';
import type { DenseSearch } from '../retrieval/hybrid-search.ts';
import { indexTextOf } from '../retrieval/hybrid-search.ts';
import type { ScoredId } from '../retrieval/bm25.ts';
import { chunkDocument } from './chunker.ts';
import type { DocumentInfo, KnowledgeSnapshot } from './snapshot.ts';
import type { Clause, PolicyDocument } from './types.ts';

/** A document as `kb list` shows it. */
export interface DocumentSummary extends DocumentInfo {
  clauses: number;
  updatedAt: Date;
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
}

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

const rowsPerInsert = 200;

function hashOf(document: PolicyDocument & { meta?: Record<string, unknown> }): string {
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

function toDocument(row: DocumentRow): PolicyDocument & { meta: Record<string, unknown> } {
  return {
    id: row.id,
    title: row.title,
    issuer: row.issuer,
    region: row.region,
    date: row.date,
    dateNote: row.date_note,
    status: row.status,
    audience: row.audience,
    body: row.body,
    meta: row.meta ?? {},
  };
}

async function insertRows(tx: Queryable, table: string, columns: string[], casts: string[], rows: unknown[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += rowsPerInsert) {
    const batch = rows.slice(start, start + rowsPerInsert);
    const params: unknown[] = [];
    const values = batch.map((row) => {
      const placeholders = row.map((value, column) => {
        params.push(value);
        return `$${params.length}${casts[column] ?? ''}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await tx.query(`insert into ${table} (${columns.join(', ')}) values ${values.join(', ')}`, params);
  }
}

/**
 * The published knowledge base in the store: documents, their clauses and clause embeddings.
 * Every change rebuilds the whole clause set and its vectors first, then swaps it in with one
 * transaction, so a failed or interrupted change leaves the previous set serving.
 *
 * @example
 * const kb = new KnowledgeBase(db, model);
 * await kb.publish(await readDocumentDirectory('knowledge/documents'));
 * const snapshot = await kb.snapshot();
 */
export class KnowledgeBase {
  constructor(
    readonly db: Database,
    readonly model: EmbeddingModel,
  ) {}

  /** The published version (0 before anything was published). */
  async version(): Promise<number> {
    const { rows } = await this.db.query<{ version: number }>('select version from kb_state where id = 1');
    return rows[0]?.version ?? 0;
  }

  async documents(): Promise<(PolicyDocument & { meta: Record<string, unknown> })[]> {
    const { rows } = await this.db.query<DocumentRow>('select * from documents order by id');
    return rows.map(toDocument);
  }

  async list(): Promise<DocumentSummary[]> {
    const { rows } = await this.db.query<DocumentRow & { clauses: number; updated_at: Date }>(
      `select d.*, (select count(*)::int from clauses c where c.doc_id = d.id) as clauses
         from documents d order by d.id`,
    );
    return rows.map((row) => {
      const { body: _body, meta: _meta, ...info } = toDocument(row);
      return { ...info, clauses: row.clauses, updatedAt: new Date(row.updated_at) };
    });
  }

  /** The published documents and clauses, read in one transaction so they belong together. */
  async snapshot(): Promise<KnowledgeSnapshot> {
    return this.db.transaction(async (tx) => {
      const version = (await tx.query<{ version: number }>('select version from kb_state where id = 1')).rows[0]?.version ?? 0;
      const documents = (await tx.query<DocumentRow>('select * from documents order by id')).rows.map(toDocument);
      const { rows } = await tx.query<{
        id: string;
        doc_id: string;
        ordinal: number;
        locator: string;
        heading_path: string[];
        text: string;
        context: string;
        part: number;
        parts: number;
      }>('select id, doc_id, ordinal, locator, heading_path, text, context, part, parts from clauses order by doc_id, ordinal');
      return {
        version,
        documents: new Map(documents.map(({ body: _body, meta: _meta, ...info }) => [info.id, info])),
        clauses: rows.map(
          (row): Clause => ({
            id: row.id,
            docId: row.doc_id,
            ordinal: row.ordinal,
            locator: row.locator,
            headingPath: row.heading_path,
            text: row.text,
            context: row.context,
            part: row.part,
            parts: row.parts,
          }),
        ),
      };
    });
  }

  /** Makes the knowledge base exactly these documents (adding, replacing and removing). */
  async publish(documents: readonly PolicyDocument[]): Promise<PublishReport> {
    return this.#write(documents);
  }

  /** Adds or replaces these documents and keeps the others. */
  async upsert(documents: readonly PolicyDocument[]): Promise<PublishReport> {
    const incoming = new Set(documents.map((document) => document.id));
    const kept = (await this.documents()).filter((document) => !incoming.has(document.id));
    return this.#write([...kept, ...documents]);
  }

  /** Removes documents by id; unknown ids are an error and change nothing. */
  async remove(ids: readonly string[]): Promise<PublishReport> {
    const current = await this.documents();
    const unknown = ids.filter((id) => !current.some((document) => document.id === id));
    if (unknown.length > 0) throw new Error(`no document with id ${unknown.join(', ')}`);
    return this.#write(current.filter((document) => !ids.includes(document.id)));
  }

  /** Re-chunks and re-embeds the published documents (after a chunker or model change). */
  async reindex(): Promise<PublishReport> {
    return this.#write(await this.documents(), { force: true });
  }

  /** Whether the stored vectors were made by this model (else `reindex` is due). */
  async embeddedWith(): Promise<string | null> {
    const { rows } = await this.db.query<{ embedding_model: string | null }>('select embedding_model from kb_state where id = 1');
    return rows[0]?.embedding_model ?? null;
  }

  /** A dense search over the stored vectors of this model, through pgvector's HNSW index. */
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

  async #write(documents: readonly PolicyDocument[], options: { force?: boolean } = {}): Promise<PublishReport> {
    const ids = new Set<string>();
    for (const document of documents) {
      if (ids.has(document.id)) throw new Error(`two documents share the id "${document.id}"`);
      ids.add(document.id);
    }
    const before = new Map((await this.db.query<{ id: string; content_hash: string }>('select id, content_hash from documents')).rows.map((row) => [row.id, row.content_hash]));
    const snapshot = { documents: new Map<string, DocumentInfo>(), clauses: [] as Clause[] };
    for (const document of documents) {
      const { body: _body, ...info } = document;
      snapshot.documents.set(document.id, info);
      snapshot.clauses.push(...chunkDocument(document));
    }
    const texts = snapshot.clauses.map((clause) => indexTextOf(clause, snapshot.documents.get(clause.docId)));
    this.model.fit(texts);
    const vectors = texts.length > 0 ? await this.model.embeddings.embedDocuments(texts) : [];
    const dims = vectors[0]?.length ?? 0;
    const report: PublishReport = {
      version: 0,
      documents: documents.length,
      clauses: snapshot.clauses.length,
      added: [],
      replaced: [],
      removed: [...before.keys()].filter((id) => !ids.has(id)),
      unchanged: [],
      embeddingModel: this.model.name,
    };
    for (const document of documents) {
      const previous = before.get(document.id);
      if (previous === undefined) report.added.push(document.id);
      else if (previous !== hashOf(document) || options.force) report.replaced.push(document.id);
      else report.unchanged.push(document.id);
    }

    report.version = await this.db.transaction(async (tx) => {
      await tx.query('select version from kb_state where id = 1 for update');
      await tx.exec('delete from clause_embeddings; delete from clauses; delete from documents;');
      await insertRows(
        tx,
        'documents',
        ['id', 'title', 'issuer', 'region', 'date', 'date_note', 'status', 'audience', 'meta', 'body', 'content_hash'],
        ['', '', '', '', '', '', '', '', '::jsonb'],
        documents.map((document) => [
          document.id,
          document.title,
          document.issuer,
          document.region,
          document.date,
          document.dateNote,
          document.status,
          document.audience,
          JSON.stringify((document as { meta?: unknown }).meta ?? {}),
          document.body,
          hashOf(document),
        ]),
      );
      await insertRows(
        tx,
        'clauses',
        ['id', 'doc_id', 'ordinal', 'locator', 'heading_path', 'text', 'context', 'part', 'parts'],
        ['', '', '', '', '::text[]', '', '', '', ''],
        snapshot.clauses.map((clause) => [
          clause.id,
          clause.docId,
          clause.ordinal,
          clause.locator,
          clause.headingPath,
          clause.text,
          clause.context,
          clause.part,
          clause.parts,
        ]),
      );
      await insertRows(
        tx,
        'clause_embeddings',
        ['clause_id', 'model', 'embedding'],
        ['', '', '::vector'],
        snapshot.clauses.map((clause, index) => [clause.id, this.model.name, toSql(vectors[index]!)]),
      );
      const keep = dims > 0 ? vectorIndexName(this.model.name, dims) : '';
      const { rows: stale } = await tx.query<{ indexname: string }>(
        `select indexname from pg_indexes where tablename = 'clause_embeddings' and indexname like 'clause_embeddings_hnsw_%' and indexname <> $1`,
        [keep],
      );
      for (const { indexname } of stale) await tx.exec(`drop index if exists "${indexname}"`);
      if (dims > 0) await ensureVectorIndex(tx, this.model.name, dims);
      const { rows } = await tx.query<{ version: number }>(
        `update kb_state set version = version + 1, fingerprint = $1, embedding_model = $2, embedding_dims = $3, updated_at = now()
          where id = 1 returning version`,
        [createHash('sha256').update([...ids].sort().join('\n')).digest('hex'), this.model.name, dims],
      );
      return rows[0]!.version;
    });
    await this.db.exec('analyze clause_embeddings');
    return report;
  }
}
