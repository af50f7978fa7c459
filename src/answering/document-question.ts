import type { Clause } from '../knowledge/types.ts';
import type { RankedClause } from '../retrieval/hybrid-search.ts';
import { normalizeText, stripWhitespace } from '../retrieval/normalize.ts';
import { toSimplified } from '../retrieval/simplified.ts';

/**
 * A question about a document itself rather than about one of its rules, and the clauses of a
 * document that answer it. One reading serves a first question ("这个奖学金的新规定是哪几个部门发的",
 * "山东这份职业指导意见是哪天发的") and a follow-up to an answer ("谁发的", "哪年的"): who issued it,
 * when it was issued, from when it applies and for how long, and where it applies. No rule of the
 * document holds the answer: its cover 通知 and signature say who issued it and when, the closing
 * article (本办法自…起施行，有效期…) from when it applies.
 */
export type DocumentAsks = 'issuer' | 'addressee' | 'issued' | 'effective' | 'region';

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

/**
 * A question for the source of what was said: which document, who made it, when, where
 * ("这个是哪个文件规定的", "谁发的", "哪年的", "which document says that").
 */
export const asksForSource =
  /(?:哪个|哪份|哪一个|什么|哪部)(?:文件|规定|政策|条款|法规|部门)|出处|依据是?什么|根据是?什么|原文在哪|谁规定的|哪(?:一)?条规定|哪(?:一)?年|(?:哪一?天|几月几[号日])(?:发|出|颁|印发|公布|施行|生效)|(?:什么时候|啥时候|何时)(?:开始)?(?:发|出|颁|印发|施行|实施|实行|定|生效)|(?:谁|哪个(?:部门|单位|机构))(?:发|出|定|制定|颁布|起草|写|搞|弄|整|出台|印发)的?|发文(?:单位|机关|部门|时间|日期)|起草单位|文件(?:全称|名字|名称|叫)|全名|哪个(?:省|地方|地区|城市)的|哪里的(?:文件|规定|政策)|\b(?:which|what) (?:document|rule|regulation|policy|law|province|region|city|year)\b|\bsource\b|\bwho (?:issued|published|wrote|made|drafted)\b|\bwhen was (?:it|this|that)\b|\bwhere (?:is|was|does) (?:it|this|that)\b/iu;

/** "文件里说的…", "这个规定…": a message about the document just cited, or one it points at. */
export const namesTheDocument =
  /(?:文件|规定|规范|标准|政策|意见|办法)(?:里|中|上)|(?:这|这个|这份|该|那个|那份)(?:文件|规定|规范|标准|政策|意见|办法)|\b(?:the|this|that) (?:document|standard|rule|policy)\b/iu;

/** "这份职业指导意见", "那个关于职业指导队伍建设的意见": a document pointed at by words of its title. */
const pointsAtADocument = /(?:这|这个|这份|该|那个|那份)[\p{Script=Han}]{0,16}?(?:文件|规定|规范|标准|意见|办法|通知)/u;

/** What a question for the source asks of it; `document`: only which document it is. */
export function sourceAsked(text: string): DocumentAsks | 'document' {
  if (/哪个(?:省|地方|地区|城市)|哪里的|\b(?:which|what) (?:province|region|city)\b|\bwhere\b/iu.test(text)) return 'region';
  if (/哪(?:一)?年|哪一?天|几月几[号日]|什么时候|啥时候|何时|日期|时间|生效|施行|\bwhen\b|\b(?:what|which) year\b/iu.test(text)) return 'issued';
  if (/谁|部门|单位|机关|机构|起草|\bwho\b/iu.test(text)) return 'issuer';
  return 'document';
}

/**
 * What a question asks about a document it names by its topic ("这个创业贷款的文件是谁出台的"), or
 * null for a question about its rules: who issued it, or from when it applies (and how long).
 *
 * @example documentQuestionOf('这个创业贷款的文件是谁出台的') // 'issuer'
 */
export function documentQuestionOf(question: string): DocumentAsks | null {
  if (!namesADocument.test(question)) return null;
  if (asksWhomItIsFor.test(question)) return 'addressee';
  if (asksWhoIssued.test(question)) return 'issuer';
  if (asksWhenItApplies.test(question)) return 'effective';
  return null;
}

/**
 * What a message asks about a document it points at by words of its title ("山东这份职业指导意见是
 * 哪天发的", "拉萨那个规范是谁起草的"): who issued it, when, or where it applies; null for a message
 * that is no such question. Read on a first question, with the region it names.
 *
 * @example pointedDocumentQuestionOf('山东那个关于职业指导队伍建设的意见是哪天发的') // 'issued'
 */
export function pointedDocumentQuestionOf(message: string): DocumentAsks | null {
  const text = normalizeText(toSimplified(message));
  if (!asksForSource.test(text) || !(namesTheDocument.test(text) || pointsAtADocument.test(text))) return null;
  const asks = sourceAsked(text);
  return asks === 'document' ? null : asks;
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

/** What is read of a document to find its clauses that state a fact about it. */
export interface DocumentFacts {
  id: string;
  issuer: string;
  region: string;
  /** The signed date, YYYY-MM-DD, or null when the text states none. */
  date: string | null;
}

/**
 * The clauses of a document whose own words state what is asked, the best first; empty when no
 * clause states it. Who issued it: its cover 通知 (which names the departments that drew it up),
 * else its signature block, else a clause naming the issuer that says it issued, drafted or
 * interprets it (本标准起草单位, 由教育部负责解释). When it was issued: the clause with the signed date
 * (the signature first), else the one that says from when it applies. From when it applies: the
 * closing article. Where: a clause (not the signature) naming its region. Whom it is sent to: the clause with the line
 * naming them.
 *
 * @example clausesStating('issuer', shandong, clauses)[0].locator // '落款'
 */
export function clausesStating(asks: DocumentAsks, document: DocumentFacts, clauses: readonly Clause[]): Clause[] {
  const own = clauses.filter((clause) => clause.docId === document.id);
  const flat = (clause: Clause): string => stripWhitespace(clause.text);
  const signedFirst = (candidates: Clause[], saying: RegExp): Clause | null =>
    candidates.find((clause) => clause.locator === '落款') ?? candidates.find((clause) => saying.test(flat(clause))) ?? candidates[0] ?? null;
  const one = (clause: Clause | null | undefined): Clause[] => (clause ? [clause] : []);
  switch (asks) {
    case 'issuer': {
      const notice = own.filter((clause) => clause.locator.startsWith('印发通知'));
      if (notice.length > 0) return notice;
      const names = issuerNames(document.issuer);
      const naming = own.filter((clause) => names.some((name) => flat(clause).includes(name)));
      return one(signedFirst(naming, /起草单位|负责解释|印发|发布|制定/u) ?? own.find((clause) => /起草单位|负责解释/u.test(flat(clause))));
    }
    case 'issued': {
      const date = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(document.date ?? '');
      const written = date ? `${date[1]}年${Number(date[2])}月${Number(date[3])}日` : null;
      const dated = written ? own.filter((clause) => flat(clause).includes(written)) : [];
      return one(signedFirst(dated, /施行|印发|发布/u) ?? own.find((clause) => /自.{0,12}(?:施行|生效)/u.test(flat(clause))));
    }
    case 'effective':
      return one(own.find((clause) => appliesFrom.test(flat(clause))));
    case 'addressee':
      return one(own.find((clause) => addresseesIn(clause.text) !== null));
    case 'region': {
      const stem = document.region.replace(/(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市)$/u, '');
      if (stem === '全国' || stem === '') return [];
      return one(own.find((clause) => clause.locator !== '落款' && flat(clause).includes(stem)));
    }
  }
}
