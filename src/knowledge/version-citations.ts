import { chinaDay } from '../china-time.ts';
import type { Language, Replies } from '../prompts.ts';
import type { DocumentInfo } from './snapshot.ts';

/** The version fields a citation carries beside the contract's `doc, title, locator, text`. */
export interface CitationVersion {
  /** The document version the clause comes from. */
  version: number;
  /** ISO date the version applies from (its effective date, else its publication date). */
  version_date: string | null;
  /** `published`, or `superseded` for a rule a newer version replaced. */
  version_state: 'published' | 'superseded' | 'draft' | 'withdrawn';
}

/**
 * The version fields of a citation of a clause of `document` (empty for a document without
 * version info). Extra fields keep the `citations[].{doc,title,locator,text}` contract intact.
 *
 * @example { doc, title, locator, text, ...citationVersion(document) }
 */
export function citationVersion(document: DocumentInfo): Partial<CitationVersion> {
  const info = document.versionInfo;
  if (!info) return {};
  return { version: info.number, version_date: info.effectiveFrom ?? info.publishedOn, version_state: info.state };
}

/**
 * What a student must be told about the version a clause comes from: that a newer version
 * replaced it (`caveat_superseded`), or that its validity ended (`caveat_expired`). Empty when
 * neither applies.
 *
 * @example caveats.push(...versionCaveats(document, 'zh', replies));
 */
export function versionCaveats(document: DocumentInfo, language: Language, replies: Replies, now = new Date()): string[] {
  const info = document.versionInfo;
  if (!info) return [];
  const caveats: string[] = [];
  if (info.state === 'superseded' && info.supersededBy) {
    const when = info.supersededBy.effectiveFrom ?? info.supersededBy.publishedOn ?? (language === 'zh' ? '发布之日' : 'publication');
    caveats.push(replies.render(language, 'caveat_superseded', { title: document.title, old: info.number, current: info.supersededBy.number, when }));
  }
  const today = chinaDay(now);
  if (info.expiresOn && info.expiresOn < today) caveats.push(replies.render(language, 'caveat_expired', { date: info.expiresOn }));
  if (info.state !== 'superseded' && info.effectiveFrom && info.effectiveFrom > today) {
    caveats.push(replies.render(language, 'caveat_not_yet_effective', { date: info.effectiveFrom }));
  }
  return caveats;
}

/** "第2版，2024-03-01起施行": the version as a source line can show it (null without version info). */
export function versionLabel(document: DocumentInfo, language: Language, replies: Replies): string | null {
  const info = document.versionInfo;
  if (!info) return null;
  const when = info.effectiveFrom ?? info.publishedOn;
  return when ? replies.render(language, 'citation_version', { number: info.number, when }) : null;
}
