import type { DocumentInfo } from '../knowledge/snapshot.ts';
import { schoolAnswerType } from '../knowledge/school-qa.ts';
import { versionCaveats } from '../knowledge/version-citations.ts';
import type { Clause } from '../knowledge/types.ts';
import type { Language, Replies } from '../prompts.ts';

/** Documents older than this many years get a "may be out of date" caveat. */
const oldAfterYears = 10;

/** The year a document was issued, from its date or an approximate year in its date note. */
export function issuedYear(document: Pick<DocumentInfo, 'date' | 'dateNote'>): number | null {
  const text = document.date ?? document.dateNote ?? '';
  const year = /(?:19|20)\d{2}/u.exec(text);
  return year ? Number(year[0]) : null;
}

/** How an answer shows a document's date: the date, or what the text leaves unknown. */
export function dateText(document: Pick<DocumentInfo, 'date' | 'dateNote'>, language: Language, replies: Replies): string {
  if (document.date) return replies.render(language, 'date_known', { date: document.date });
  return replies.render(language, 'date_unknown', {
    note: document.dateNote ?? (language === 'zh' ? '文中未注明' : 'not stated in the document'),
  });
}

const higherEducation = /大学|本科|高职|大专|高校|研究生|college|university/iu;
const secondaryVocational = /中职|中专|职高|中等职业|技校|vocational school|secondary/iu;

/**
 * The caveats a student should read before relying on a clause: it binds one region only, it is
 * a draft, it is old, it is about another kind of school, or it depends on the student's age; a
 * school's own answer (`type: 校内答复`) is said to be the school's answer, not a policy document.
 */
export function caveatsFor(
  question: string,
  cited: ReadonlyArray<{ clause: Clause; document: DocumentInfo }>,
  language: Language,
  replies: Replies,
  now = new Date(),
): string[] {
  const caveats: string[] = [];
  const add = (name: string, values: Record<string, string> = {}): void => {
    const text = replies.render(language, name, values);
    if (!caveats.includes(text)) caveats.push(text);
  };
  for (const { clause, document } of cited) {
    if (document.type === schoolAnswerType) {
      // the school's own answer: not a regional policy, not a draft — say what it is instead
      add('caveat_school_answer', { school: document.issuer });
      for (const caveat of versionCaveats(document, language, replies, now)) if (!caveats.includes(caveat)) caveats.push(caveat);
      continue;
    }
    const isServiceStandard = /服务机构/u.test(document.audience);
    if (document.region !== '全国') {
      if (isServiceStandard) add('caveat_regional_service', { region: document.region });
      else add('caveat_regional', { region: document.region, audience: document.audience });
    }
    if (document.status === 'draft') add('caveat_draft');
    const year = issuedYear(document);
    if (year !== null && now.getFullYear() - year >= oldAfterYears) {
      add('caveat_old', { when: document.date ?? document.dateNote ?? String(year) });
    }
    const aboutSecondary = /中等职业学校/u.test(document.audience);
    const aboutHigher = /高等学校|高校/u.test(document.audience) && !/中职/u.test(document.audience);
    if ((aboutSecondary && higherEducation.test(question)) || (aboutHigher && secondaryVocational.test(question))) {
      add('caveat_audience', { audience: document.audience });
    }
    if (/周岁/u.test(clause.text)) add('caveat_age');
    for (const caveat of versionCaveats(document, language, replies, now)) if (!caveats.includes(caveat)) caveats.push(caveat);
  }
  return caveats;
}
