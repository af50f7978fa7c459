import type { Clause, PolicyDocument } from './types.ts';

/** What answers show about a document: everything but its body. */
export type DocumentInfo = Omit<PolicyDocument, 'body'>;

/** One consistent, published state of the knowledge base: its documents and their clauses. */
export interface KnowledgeSnapshot {
  version: number;
  documents: ReadonlyMap<string, DocumentInfo>;
  clauses: readonly Clause[];
}
