import type { UploadSource } from './ingest.ts';
import type { PolicyDocument, VersionState } from './types.ts';

/** A stored version of a document, with its text. */
export interface DocumentVersion {
  docId: string;
  version: number;
  state: VersionState;
  document: PolicyDocument & { meta: Record<string, unknown> };
  contentHash: string;
  effectiveFrom: string | null;
  expiresOn: string | null;
  source: UploadSource | null;
  createdBy: string | null;
  createdAt: Date;
  publishedAt: Date | null;
  retiredAt: Date | null;
}

/** A version as lists show it: everything but the body. */
export type VersionSummary = Omit<DocumentVersion, 'document'> & { title: string; issuer: string; region: string; date: string | null; status: PolicyDocument['status'] };

/** A new version to store: an upload (or a document given in code) and when it applies. */
export interface VersionInput {
  document: PolicyDocument & { meta?: Record<string, unknown> };
  source?: UploadSource | null;
  effectiveFrom?: string | null;
  expiresOn?: string | null;
}

/** One entry of the knowledge base's history. */
export interface KbChange {
  id: number;
  kbVersion: number;
  action: string;
  docId: string | null;
  version: number | null;
  previousVersion: number | null;
  actor: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
}

/** What a change asks for; `plan` turns it into a candidate set. */
export type KbChangeRequest =
  /** Publish these versions (each replaces its document's published version, which becomes superseded). */
  | { kind: 'publish'; targets: { docId: string; version?: number }[] }
  /** Serve an earlier version again; the current one is withdrawn. Default: the last superseded one. */
  | { kind: 'rollback'; docId: string; version?: number }
  /** Stop serving a document (its published version is withdrawn). */
  | { kind: 'withdraw'; docId: string }
  /** Store these documents as new versions and publish them at once; `exact` withdraws every other document. */
  | { kind: 'set'; inputs: VersionInput[]; exact: boolean }
  /** Withdraw documents by id. */
  | { kind: 'remove'; ids: string[] }
  /** Re-chunk and re-embed the published set. */
  | { kind: 'reindex' };

/** Raised when another change was switched in between planning and committing. */
export class ConcurrentChangeError extends Error {
  constructor(expected: number, found: number) {
    super(`the knowledge base changed while this change was prepared (version ${expected} → ${found}); try again`);
    this.name = 'ConcurrentChangeError';
  }
}

/** Raised for a request that names no such document or version, or a transition that is not allowed. */
export class VersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VersionError';
  }
}
