/** Whether a policy document binds anyone yet. */
export type DocumentStatus = 'in-force' | 'draft';

/** Where a stored version of a document is in its life: draft → published → superseded | withdrawn. */
export type VersionState = 'draft' | 'published' | 'superseded' | 'withdrawn';

/** Which version of a document a clause comes from, for citations and caveats. */
export interface VersionInfo {
  /** 1, 2, …: one per upload that changed the document. */
  number: number;
  state: VersionState;
  /** ISO date the version applies from (null: from its publication). */
  effectiveFrom: string | null;
  /** ISO date it stops applying, if any. */
  expiresOn: string | null;
  /** ISO date it was published (null for a draft). */
  publishedOn: string | null;
  /** For a superseded version: the version now in force. */
  supersededBy?: { number: number; effectiveFrom: string | null; publishedOn: string | null };
}

/**
 * A policy document of the knowledge base, as read from `knowledge/documents/*.md`.
 * `date` is `null` when the text itself does not state it; `dateNote` then says what is known
 * (e.g. "约2008年，文中未注明") so that users are never shown a guessed date as fact.
 */
export interface PolicyDocument {
  id: string;
  title: string;
  issuer: string;
  /** `全国` for national documents, else the province/city it binds, e.g. `山东省`, `拉萨市`. */
  region: string;
  date: string | null;
  dateNote: string | null;
  status: DocumentStatus;
  /** Who the document is about, e.g. `中等职业学校`, `普通高等学校毕业生`. */
  audience: string;
  /** The front matter's `type`, when given: `校内答复` marks the school's own answers (cited with who answered, caveated as not a policy document). */
  type?: string;
  /** The Markdown body, without front matter. */
  body: string;
  /** Set on documents read from the versioned store (`KnowledgeBase.snapshot()`). */
  versionInfo?: VersionInfo;
}

/**
 * One citable unit of a document: a 第X条, a numbered item, a 5.1-style clause or an appendix row.
 * Long clauses are split on sentence ends into parts that share the locator.
 */
export interface Clause {
  /** Stable id: `${docId}#${ordinal}`. */
  id: string;
  docId: string;
  /** What a person writes when citing: `第十五条`, `三、（二）`, `二、11.`, `8.5`, `附录A 表A.1 职业测评室`. */
  locator: string;
  /** Headings above the clause, outermost first, e.g. ['第四章 师资队伍']. */
  headingPath: string[];
  /** The clause text exactly as in the document (noise removed, wording kept). */
  text: string;
  /**
   * Words around the clause that help find it but are not part of it: heading titles and, for
   * later parts of a split clause, the clause's opening sentence.
   */
  context: string;
  /** Position in the document, 0-based, for ordering and neighbours. */
  ordinal: number;
  /** 1-based part number when a long clause was split, else 1; `parts` is the total. */
  part: number;
  parts: number;
  /**
   * Student-style questions the clause answers (关联问题), stored with its document version and
   * indexed with it; every part of a split clause carries its whole clause's questions.
   */
  variants?: string[];
}
