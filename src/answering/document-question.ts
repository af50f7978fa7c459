import type { Clause } from '../knowledge/types.ts';
import type { RankedClause } from '../retrieval/hybrid-search.ts';
import { stripWhitespace } from '../retrieval/normalize.ts';

/**
 * A question about a document itself rather than about one of its rules: who issued it
 * ("这个奖学金的新规定是哪几个部门发的") or from when it applies and for how long ("这政策啥时候开始
 * 生效的？能管几年"). Asked on its own — not as a follow-up to an answer — it names the document by
 * its topic, so retrieval finds the document, but no rule of it holds the answer: the cover 通知
 * and the signature block say who issued it, the closing article (本办法自…起施行，有效期…) when.
 */
export type DocumentAsks = 'issuer' | 'addressee' | 'effective';

/** Words that name a document, a rule or a policy ("这个文件", "新规定", "这政策", "the policy"). */
const namesADocument = /文件|规定|新规|政策|办法|细则|条例|通知|方案|标准|规范|意见|\b(?:document|policy|regulation|rules?)\b/iu;

/** Who issued it: 哪(几)个部门(一起)发的, 谁出台的, 发文单位 — not who is responsible for a task (哪个部门负责审核). */
const asksWhoIssued =
  /(?:哪(?:几|一)?个|哪些|什么)(?:部门|单位|机关|机构|厅|局)(?:一起|联合|共同)?(?:发|出|印发|发布|颁布|制定|出台|下发)(?:的|了)?|谁(?:发|出|印发|发布|颁布|制定|出台|下发)的|发文(?:单位|机关|部门)|\bwho (?:issued|published|made|released)\b/iu;

/** Whom it was sent to (its 主送机关): 发给谁的, 是下发给哪些单位的 — not who sent it. */
const asksWhomItIsFor = /发给(?:谁|哪)|给谁发|下发给|主送|\b(?:sent|addressed) to\b/iu;

/** From when it applies, or for how long: 啥时候开始生效, 从哪天起施行, 有效期, 管几年 — not when a subsidy is paid. */
const asksWhenItApplies =
  /(?:啥时候|什么时候|何时|哪天|哪一天|几号|哪年)(?:开始|起)?(?:生效|施行|实施|实行|执行|算数|算|起效|有效)|(?:从|自)(?:啥时候|什么时候|哪天|几号)(?:开始|起)|有效期|管几年|管多久|有效(?:多久|几年)|\b(?:take effect|effective|come into force|valid for)\b/iu;

/** What a standalone question asks about the document it names, or null for a question about its rules. */
export function documentQuestionOf(question: string): DocumentAsks | null {
  if (!namesADocument.test(question)) return null;
  if (asksWhomItIsFor.test(question)) return 'addressee';
  if (asksWhoIssued.test(question)) return 'issuer';
  if (asksWhenItApplies.test(question)) return 'effective';
  return null;
}

/**
 * The document a question about a document is asking about: the only one published, or the one
 * the best three clauses found all come from. Null when the question could be about several.
 */
export function documentAskedAbout(results: readonly RankedClause[], documentCount: number): string | null {
  const best = results.slice(0, 3);
  if (best.length === 0) return null;
  if (documentCount === 1) return best[0]!.document.id;
  return best.every((ranked) => ranked.document.id === best[0]!.document.id) ? best[0]!.document.id : null;
}

/** The bodies an issuer line names, without notes in brackets: "山东省人力资源和社会保障厅、山东省教育厅" → both. */
export function issuerNames(issuer: string): string[] {
  return issuer
    .replace(/（[^）]*）|\([^)]*\)/gu, '')
    .split(/[、，,;；\s]+/u)
    .filter((name) => [...name].length >= 2);
}

/**
 * The line of a notice that names whom it is sent to, above its text: "各市人力资源社会保障局，各普通高等学校："
 * (bodies, no sentence, ending in a colon).
 */
const addresseeLine = /^[ \t　]*(各[^。；\n]{1,80}?|[^。；\n]{2,80}?(?:厅|局|委|委员会|学校|高校|院校|单位|部门|机构))[：:][ \t　]*$/mu;

/** The bodies a document is sent to, as its text names them above the body ("各普通高等学校"), or null. */
export function addresseesIn(text: string): string | null {
  return addresseeLine.exec(text)?.[1]?.trim() ?? null;
}

/** The closing article that says from when the document applies (本办法自2025年9月1日起施行，有效期5年). */
const appliesFrom = /本(?:办法|规定|细则|条例|通知|方案|标准|规范|意见)[^。；]{0,12}自[^。；]{0,24}(?:起|之日起)[^。；]{0,4}(?:施行|实施|执行|生效|试行)/u;

/**
 * The clauses of document `docId` whose words say what is asked: for the issuer, its cover
 * 通知 (which names the departments that drew it up) or else its signature block; for whom it is
 * sent to, the clause with the line naming them; for when it applies, the article that says so.
 * Empty when the document states none of it.
 */
export function clausesStating(asks: DocumentAsks, docId: string, issuer: string, clauses: readonly Clause[]): Clause[] {
  const own = clauses.filter((clause) => clause.docId === docId);
  if (asks === 'effective') {
    const stating = own.find((clause) => appliesFrom.test(stripWhitespace(clause.text)));
    return stating ? [stating] : [];
  }
  if (asks === 'addressee') {
    const stating = own.find((clause) => addresseesIn(clause.text) !== null);
    return stating ? [stating] : [];
  }
  const notice = own.filter((clause) => clause.locator.startsWith('印发通知'));
  if (notice.length > 0) return notice;
  const names = issuerNames(issuer);
  const signed = own.find((clause) => (clause.locator === '落款' || clause.locator === '序言') && names.some((name) => clause.text.includes(name)));
  return signed ? [signed] : [];
}
