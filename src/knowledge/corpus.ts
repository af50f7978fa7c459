import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { chunkDocument } from './chunker.ts';
import { DocumentFormatError, parseDocument } from './document.ts';
import type { KnowledgeSnapshot } from './snapshot.ts';
import type { PolicyDocument } from './types.ts';
import { attachVariants, type ShippedVariants } from './variants.ts';

export type LoadedDocument = PolicyDocument & { meta: Record<string, unknown>; source: string };

/**
 * Reads every `*.md` document in a directory (sorted by name). Any malformed document fails the
 * whole read, naming the file, so that nothing half-read reaches the knowledge base.
 */
export async function readDocumentDirectory(dir: string): Promise<LoadedDocument[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.md')).sort();
  const documents: LoadedDocument[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const source = path.join(dir, name);
    const document = parseDocument(await readFile(source, 'utf8'), name);
    const clash = seen.get(document.id);
    if (clash) throw new DocumentFormatError(name, `id "${document.id}" is already used by ${clash}`);
    seen.set(document.id, name);
    documents.push({ ...document, source });
  }
  return documents;
}

/**
 * Chunks documents into an in-memory snapshot (what the store persists and serves), with the
 * shipped question variants (`loadShippedVariants`) on the clauses whose text they were written for.
 */
export function snapshotOf(documents: readonly PolicyDocument[], version = 0, variants: ShippedVariants = new Map()): KnowledgeSnapshot {
  return {
    version,
    documents: new Map(documents.map(({ body: _body, ...info }) => [info.id, info])),
    clauses: documents.flatMap((document) => {
      const shipped = variants.get(document.id);
      const clauses = chunkDocument(document);
      if (!shipped) return clauses;
      return attachVariants(clauses, [...shipped].flatMap(([clauseKey, { hash, questions }]) => questions.map((question) => ({ clauseKey, textHash: hash, question }))));
    }),
  };
}
