import { loadOnFirstUse } from '../load-on-first-use.ts';
import { cleanLines } from './text-to-markdown.ts';
import type { DocumentStatus } from './types.ts';

const pinyinPro = loadOnFirstUse<typeof import('pinyin-pro')>('pinyin-pro');

/** What the text itself says about a document; `null` where it says nothing. The admin confirms or edits it. */
export interface ExtractedMetadata {
  title: string | null;
  issuer: string | null;
  /** ISO date (YYYY-MM-DD) of the document, from a 2023年5月12日 line (the signature date preferred). */
  date: string | null;
  region: string | null;
  status: DocumentStatus;
  audience: string | null;
  /**
   * ISO date the document applies from, when the text says so: 自2024年5月1日起施行, or
   * 自印发之日起施行 (the signature date).
   */
  effective: string | null;
  /**
   * ISO date the document stops applying (its last day), when the text says so: 有效期5年 from the
   * `effective` date (else the signature date), or 有效期至2030年3月31日.
   */
  expires: string | null;
  /** The cover 通知 that issues the document, when the upload is one (关于印发《……办法》的通知 + the 办法). */
  notice: CoverNotice | null;
  /** How each field was found, for the admin's review (e.g. `title: 文首标题行`). */
  notes: string[];
}

const provinces = [
  '北京市', '天津市', '上海市', '重庆市', '河北省', '山西省', '辽宁省', '吉林省', '黑龙江省', '江苏省', '浙江省', '安徽省',
  '福建省', '江西省', '山东省', '河南省', '湖北省', '湖南省', '广东省', '海南省', '四川省', '贵州省', '云南省', '陕西省',
  '甘肃省', '青海省', '台湾省', '内蒙古自治区', '广西壮族自治区', '西藏自治区', '宁夏回族自治区', '新疆维吾尔自治区',
  '香港特别行政区', '澳门特别行政区',
];
/** Province names as texts shorten them (山东 for 山东省, 广西 for 广西壮族自治区). */
const provinceShort = new Map(provinces.map((name) => [name.replace(/(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$/u, ''), name]));
const nationalIssuers = /^(?:国务院|中共中央|教育部|人力资源(?:和)?社会保障部|人力资源和社会保障部|国家发展和改革委员会|国家发展改革委|财政部|共青团中央|全国总工会|国家市场监督管理总局|国家标准化管理委员会)/u;
const organisation = /(?:人民政府|政府办公厅|政府|办公厅|办公室|委员会|教育厅|教育局|厅|部|局|委|中心|学校|学院|大学|总工会|团委|联合会|妇联|残联|科协|分行|银行)$/u;
/** Names a second issuer starts with when a text runs two together (山东省教育厅山东省人力资源和社会保障厅). */
const issuerStart = new RegExp(
  `(?=${[...provinces, '教育部', '人力资源社会保障部', '人力资源和社会保障部', '财政部', '国家发展改革委', '国家发展和改革委员会', '共青团中央', '全国总工会'].join('|')})`,
  'u',
);
const docType = /(通知|意见|规定|办法|规范|标准|方案|决定|细则|条例|指南|纲要|公告|通告|规划|制度|要求|计划|批复|函)(?:[（(][^）)]*[）)])?$/u;
const draftMarker = /征求意见稿|草案|送审稿|讨论稿|（草稿）|\(草稿\)/u;
const numeral: Record<string, number> = { '〇': 0, '零': 0, '○': 0, 'Ｏ': 0, O: 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9 };

/** 二〇二三 → 2023; 十一 → 11; 二十三 → 23; digits stay digits. */
function chineseNumber(text: string, positional: boolean): number | null {
  if (/^\d+$/u.test(text)) return Number(text);
  if (positional) {
    const digits = [...text].map((ch) => numeral[ch]);
    return digits.every((d) => d !== undefined) ? Number(digits.join('')) : null;
  }
  const match = /^([一二三四五六七八九]?)(十?)([一二三四五六七八九]?)$/u.exec(text);
  if (!match || text === '') return null;
  const tens = match[2] ? (match[1] ? numeral[match[1]]! : 1) : 0;
  const ones = match[3] ? numeral[match[3]]! : match[2] ? 0 : match[1] ? numeral[match[1]]! : 0;
  return tens * 10 + ones;
}

const datePattern = /(\d{4}|[〇零○一二三四五六七八九ＯO]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*月\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日/gu;

/** Every date the text states, as ISO strings, in order of appearance. */
export function datesIn(text: string): string[] {
  const dates: string[] = [];
  for (const match of text.matchAll(datePattern)) {
    const year = chineseNumber(match[1]!, true);
    const month = chineseNumber(match[2]!, false);
    const day = chineseNumber(match[3]!, false);
    if (year === null || month === null || day === null || year < 1949 || year > 2100 || month < 1 || month > 12 || day < 1 || day > 31) continue;
    dates.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
  }
  return dates;
}

const isOrganisation = (part: string): boolean => [...part].length >= 2 && [...part].length <= 30 && organisation.test(part) && !/[。：；]/u.test(part);

/**
 * Organisations named on one line: "山东省人力资源和社会保障厅 山东省教育厅" → both; names run
 * together ("山东省教育厅山东省人力资源和社会保障厅") are parted where a province or ministry starts.
 */
function organisationsOn(line: string): string[] | null {
  const parts = line.split(/[\s、，,]+/u).filter(Boolean);
  if (parts.length === 0 || !parts.every(isOrganisation)) return null;
  return parts.flatMap((part) => {
    // a province's branch of a national body (中国人民银行广西壮族自治区分行) is one name, not two
    const pieces = part.split(issuerStart).filter(Boolean).reduce<string[]>((merged, piece) => {
      if (merged.length > 0 && /(?:分行|支行|分局|分会)$/u.test(piece)) merged[merged.length - 1] += piece;
      else merged.push(piece);
      return merged;
    }, []);
    return pieces.length > 1 && pieces.every(isOrganisation) ? pieces : [part];
  });
}

/** A line that is only a date (a signature date): 2024年3月15日, 二〇二四年三月十五日, （2024年3月15日）. */
function isDateOnly(line: string): boolean {
  return datesIn(line).length === 1 && line.replace(datePattern, '').replace(/[\s（）()]|印发|签发/gu, '') === '';
}

/** The bodies named on the (at most four) lines just above a signature date line. */
function signatureAbove(lines: readonly string[], dateIndex: number): string[] {
  const found: string[] = [];
  for (let i = dateIndex - 1; i >= Math.max(0, dateIndex - 4); i -= 1) {
    const names = organisationsOn(lines[i]!.replace(/[（(](?:盖章|印章|章)[）)]$/u, ''));
    if (!names) break;
    found.unshift(...names);
  }
  return found;
}

/** The issuers a title line starts with: "山东省教育厅 山东省人力资源和社会保障厅关于…" → both. */
function issuersOfTitle(title: string): string[] | null {
  const prefix = /^(.+?)\s*关于/u.exec(title.replace(/^#+\s*/u, ''))?.[1];
  return prefix ? organisationsOn(prefix.trim()) : null;
}

/** A 通知 that issues another document (关于印发《……办法》的通知 followed by the 办法 itself). */
export interface CoverNotice {
  /** The notice's own title, e.g. `浙江省教育厅关于印发《浙江省职业学校学生实习管理办法》的通知`. */
  title: string;
  /** The title of the document it issues: what the clauses are cited by. */
  documentTitle: string;
  /** Its document number (文号), e.g. `浙教职成〔2024〕12号`. */
  number: string | null;
  /** Its signature date (ISO). */
  date: string | null;
  /** Bodies named in its signature block, above that date. */
  signature: string[];
}

/** Where a cover notice and the document it issues are, in the non-empty lines of a text. */
interface NoticeLayout {
  notice: CoverNotice;
  /** First line of the notice (its title), or 0 when only the file's heading named it. */
  from: number;
  /** Lines of the notice's title (1, or 2 when a line break cut it). */
  titleSpan: number;
  /** First line of the issued document: its title line when it has one, else its first chapter or article. */
  documentFrom: number;
  /** Lines of the issued document's title at `documentFrom` (0 when it has no title line). */
  documentTitleSpan: number;
}

const issueVerb = '(?:公开)?(?:印发|发布|公布|颁布|下发|重新印发|修订印发|印发修订后的|征求)';
const quotedNotice = new RegExp(`^(.*?)关于${issueVerb}[^《》]{0,12}?《([^《》]{4,80})》(?:[（(][^）)]*[）)])?(?:修改)?(?:意见)?的通知`, 'u');
const documentKind = '(?:办法|规定|细则|规范|标准|方案|规程|条例|指南|意见|制度|准则|守则|纲要|计划|规划|目录|清单)';
const bareNotice = new RegExp(`^(.*?)关于(?:印发|发布|公布|颁布)([\\u4e00-\\u9fa5\\d（）()“”]{4,80}?${documentKind}(?:[（(][^）)]*[）)])?)的通知`, 'u');
/** Where the issued document's own text starts when it has no title line. */
const documentStart = /^(?:#+\s*)?(?:第[一二三四五六七八九十百零〇]+[章节条]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|前言$|总则$)/u;
const bareText = (line: string): string => line.replace(/^#+\s*/u, '').replace(/[\s《》]/gu, '');

/**
 * Reads a line (or a file's heading) as the title of a notice that issues one document:
 * `[issuers]关于印发《X》的通知`, `关于发布X办法的通知`, `关于公开征求《X（征求意见稿）》意见的通知`.
 * A notice of two documents (《A》和《B》, 等3个文件) is none.
 */
function noticeTitle(text: string, heading = false): { title: string; documentTitle: string } | null {
  const line = text.replace(/^#+\s*/u, '').trim();
  if ((line.match(/《/gu) ?? []).length > 1) return null;
  const match = quotedNotice.exec(line) ?? bareNotice.exec(line);
  if (!match) return null;
  const rest = line.slice(match[0].length);
  if (heading ? !/^(?:\s*[-_|｜—–].*)?$/u.test(rest) : rest !== '') return null;
  const prefix = match[1]!.trim();
  if (prefix !== '' && !organisationsOn(prefix)) return null;
  const documentTitle = match[2]!.trim();
  if (/(?:办法|规定|细则|方案|意见|标准)(?:和|及|与|、)/u.test(documentTitle) && !/《/u.test(line)) return null;
  return { title: match[0].replace(/\s+/gu, ' ').trim(), documentTitle };
}

/**
 * Finds a cover notice — a 通知 issuing one document, with that document's full text after it —
 * in the non-empty lines of a text. Null when the text is no such notice, or when the notice
 * comes without the document it issues (it is then the document itself).
 */
function coverNoticeIn(lines: readonly string[], headingTitle?: string | null): NoticeLayout | null {
  const searched = Math.min(lines.length, 12);
  let found: { title: string; documentTitle: string } | null = null;
  let from = -1;
  let titleSpan = 1;
  for (let i = 0; i < searched && !found; i += 1) {
    found = noticeTitle(lines[i]!);
    if (found) from = i;
  }
  for (let i = 0; i + 1 < searched && !found; i += 1) {
    if (!/关于/u.test(lines[i]!) || /的通知$/u.test(lines[i]!)) continue;
    found = noticeTitle(`${lines[i]!.replace(/^#+\s*/u, '')}${lines[i + 1]!.replace(/^#+\s*/u, '')}`);
    if (found) {
      from = i;
      titleSpan = 2;
    }
  }
  if (!found && headingTitle) {
    found = noticeTitle(headingTitle, true);
    if (found) {
      const at = lines.slice(0, searched).findIndex((line) => bareText(line) === bareText(found!.title));
      from = Math.max(0, at);
      titleSpan = at >= 0 ? 1 : 0;
    }
  }
  if (!found) return null;

  // The issued document: a line (or two) that is its title, followed by its chapters or articles.
  // (It may add a note the notice left out: 《X办法》 → X办法（试行）.)
  const wanted = bareText(found.documentTitle);
  const isTitle = (text: string): boolean => {
    const bare = bareText(text);
    return bare === wanted || (bare.startsWith(wanted) && /^[（(][^（）()]{1,12}[）)]$/u.test(bare.slice(wanted.length)));
  };
  const titled: { at: number; span: number }[] = [];
  for (let i = from + titleSpan; i < lines.length; i += 1) {
    if (isTitle(lines[i]!)) titled.push({ at: i, span: 1 });
    else if (i + 1 < lines.length && !/[。；：]$/u.test(lines[i]!) && isTitle(`${lines[i]!}${lines[i + 1]!}`)) titled.push({ at: i, span: 2 });
  }
  // (A title line in the notice's list of attachments is followed by the notice's signature first.)
  const structured = titled.find(({ at, span }) => {
    const next = lines.slice(at + span, at + span + 5);
    const opens = next.findIndex((line) => documentStart.test(line));
    return opens >= 0 && !next.slice(0, opens).some(isDateOnly);
  });
  let start = structured ?? titled.at(-1) ?? null;
  let dateAt = -1;
  if (start) dateAt = lines.slice(0, start.at).findLastIndex((line, index) => index >= from + titleSpan && isDateOnly(line));
  else {
    // No title line: the document starts at a chapter or article just after the notice's date.
    for (let i = from + titleSpan; i < lines.length && !start; i += 1) {
      if (!isDateOnly(lines[i]!)) continue;
      const first = lines.findIndex((line, index) => index > i && index <= i + 4 && documentStart.test(line));
      if (first >= 0) {
        start = { at: first, span: 0 };
        dateAt = i;
      }
    }
  }
  if (!start) return null;
  const noticeLines = lines.slice(0, start.at);
  const numberLine = noticeLines.map((line) => /[\u4e00-\u9fa5]{1,15}\s*[〔［\[（(]\s*(?:19|20)\d{2}\s*[〕］\]）)]\s*\d{1,4}\s*号/u.exec(line)).find(Boolean);
  const ownTitle = start.span > 0 ? lines.slice(start.at, start.at + start.span).map((line) => line.replace(/^#+\s*/u, '')).join('').trim() : null;
  return {
    notice: {
      title: found.title,
      documentTitle: ownTitle && bareText(ownTitle) !== wanted ? ownTitle : found.documentTitle,
      number: numberLine ? numberLine[0].replace(/\s+/gu, '') : null,
      date: dateAt >= 0 ? (datesIn(lines[dateAt]!)[0] ?? null) : null,
      signature: dateAt >= 0 ? signatureAbove(lines, dateAt) : [],
    },
    from,
    titleSpan,
    documentFrom: start.at,
    documentTitleSpan: start.span,
  };
}

/** A cover notice and the document it issues, each as its own text. */
export interface CoverNoticeSplit {
  notice: CoverNotice;
  /** The notice from its title to its signature (and notes such as （此件主动公开）), lines as in the source. */
  noticeText: string;
  /** The issued document after its title line, lines as in the source. */
  documentText: string;
}

/**
 * Parts a cover notice (XX厅关于印发《XX办法》的通知, its number, addressees, "现将《……》印发给你们",
 * signature and date) from the document it issues, which follows it in full; null when the text
 * is no such notice. A lone "附件" line between them goes with neither.
 *
 * @example splitCoverNotice('关于印发《某办法》的通知\n现将《某办法》印发给你们。\n某厅\n2024年3月15日\n某办法\n第一条 …')!.notice.documentTitle // '某办法'
 */
export function splitCoverNotice(text: string, headingTitle?: string | null): CoverNoticeSplit | null {
  const all = cleanLines(text);
  const positions = all.flatMap((line, index) => (line === '' ? [] : [index]));
  const layout = coverNoticeIn(positions.map((index) => all[index]!), headingTitle);
  if (!layout) return null;
  const at = (index: number): number => positions[index] ?? all.length;
  const noticeLines = all.slice(at(layout.from), at(layout.documentFrom));
  while (noticeLines.length > 0 && /^(?:附件\s*\d*[：:]?|)$/u.test(noticeLines.at(-1)!)) noticeLines.pop();
  const documentLines = all.slice(layout.documentTitleSpan > 0 ? at(layout.documentFrom + layout.documentTitleSpan - 1) + 1 : at(layout.documentFrom));
  return { notice: layout.notice, noticeText: noticeLines.join('\n'), documentText: documentLines.join('\n') };
}

/** The day a text is issued, as 施行 sentences name it (自印发之日起施行). */
const issuedDay = '(?:印发|发布|公布|颁布|下发|发文|签发|批准)之日';
const monthOnly = /(\d{4}|[〇零○一二三四五六七八九ＯO]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*月/u;
/** The verbs of applying: 施行, 实施, 执行, 生效, 实行, 试行. */
const applyVerb = '(?:施行|实施|执行|生效|实行|试行)';
/**
 * 自2024年5月1日起施行, 从2024年9月1日开始实行, 自2024年9月起施行 (the 1st), 于2024年9月1日正式施行,
 * 自发布之日起试行, 自印发之日起30日后施行: a start (自, 从, 于) or 起 / 开始, a date or the
 * issuing day, an optional delay in days, and a verb of applying.
 */
const effectivePhrase = new RegExp(
  `(自|从|于)?\\s*(${datePattern.source}|${monthOnly.source}|${issuedDay})\\s*(起|开始)?\\s*(?:(\\d{1,3}|[一二三四五六七八九十]{1,3})\\s*[日天]后)?\\s*(?:正式|开始)?\\s*${applyVerb}`,
  'gu',
);
/** A sentence that says the text applies from the day it is issued. */
const fromIssuedDay = new RegExp(`${issuedDay}\\s*(?:起|开始)\\s*(?:(?:\\d{1,3}|[一二三四五六七八九十]{1,3})\\s*[日天]后)?\\s*(?:正式|开始)?\\s*${applyVerb}`, 'u');
/** A sentence about the document itself: 本办法…, 本规定…. */
const ownSentence = /本(?:实施)?(?:办法|规定|细则|意见|通知|方案|标准|规范|条例|决定|制度|准则|指南|规程|规则|文件|守则|措施|计划)/u;

/** Whether the sentence of `flat` (a text without line breaks) running up to `index` is about the document itself. */
function saysOfItself(flat: string, index: number): boolean {
  const sentenceStart = Math.max(flat.lastIndexOf('。', index), flat.lastIndexOf('；', index)) + 1;
  return ownSentence.test(flat.slice(sentenceStart, index));
}

/** An ISO day `days` after another. */
function addDays(iso: string, days: number): string {
  const day = new Date(`${iso}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

/** The day a 施行 phrase's date part names: a full date, the 1st of a month, or `signed` for the issuing day. */
function startDay(part: string, signed: string | null): string | null {
  if (new RegExp(`^${issuedDay}$`, 'u').test(part)) return signed;
  const full = datesIn(part)[0];
  if (full) return full;
  const month = monthOnly.exec(part);
  if (!month) return null;
  const year = chineseNumber(month[1]!, true);
  const number = chineseNumber(month[2]!, false);
  if (year === null || number === null || year < 1949 || year > 2100 || number < 1 || number > 12) return null;
  return `${year}-${String(number).padStart(2, '0')}-01`;
}

/**
 * When a text says it applies from: the date of "自2024年5月1日起施行" (also 实行, 试行, 生效…;
 * "从…开始施行", "于…正式施行"), the 1st for "自2024年9月起施行", or `signed` for
 * "自印发之日起施行" (plus N days for "自印发之日起30日后施行"); null when the date it names is
 * unknown. A sentence about the document itself (本办法……自……起施行) wins over one about another
 * text; of equals, the last.
 */
export function effectiveDateIn(text: string, signed: string | null): { date: string; phrase: string } | null {
  const flat = text.replace(/\s*\n\s*/gu, '');
  let best: { date: string; phrase: string; own: boolean } | null = null;
  for (const match of flat.matchAll(effectivePhrase)) {
    const [phrase, start, part, , , , , , fromWord, delay] = match;
    // a bare "2024年9月1日施行" is too loose (…日施行的《条例》): a start word or 起 / 开始 is needed
    if (!start && !fromWord) continue;
    const from = startDay(part!, signed);
    if (!from) continue;
    const days = delay ? chineseNumber(delay, false) : 0;
    if (days === null) continue;
    const date = days > 0 ? addDays(from, days) : from;
    const own = saysOfItself(flat, match.index);
    if (!best || own || !best.own) best = { date, phrase: phrase.trim(), own };
  }
  return best ? { date: best.date, phrase: best.phrase } : null;
}

/** 有效期5年 / 有效期为五年 / 有效期限3年, or 有效期至2030年3月31日 (截至, 到). */
const validityPhrase = new RegExp(
  `有效期(?:限)?\\s*(?:为|是)?\\s*(?:(?:至|到|截至|截止(?:到|至)?)\\s*(${datePattern.source})|(\\d{1,2}|[一二三四五六七八九十]{1,2})\\s*年)`,
  'gu',
);

/**
 * When a text says it stops applying: the last day of "有效期5年" counted from `from` (the day it
 * applies from), or the date of "有效期至2030年3月31日". Only a sentence about the document itself
 * counts (本办法…施行，有效期5年): a certificate's or a subsidy's 有效期 in an article is not the
 * document's, nor one that only says when something takes effect (证书自颁发之日起生效，有效期3年).
 * Null when the text says nothing, or the years have no day to count from.
 *
 * @example expiryIn('本办法自2025年4月1日起施行，有效期5年。', '2025-04-01') // { date: '2030-03-31', phrase: '有效期5年' }
 */
export function expiryIn(text: string, from: string | null): { date: string; phrase: string } | null {
  const flat = text.replace(/\s*\n\s*/gu, '');
  let found: { date: string; phrase: string } | null = null;
  for (const match of flat.matchAll(validityPhrase)) {
    if (!saysOfItself(flat, match.index)) continue;
    const [phrase, dated] = match;
    const years = match.at(-1);
    if (dated) {
      const date = datesIn(dated)[0];
      if (date) found = { date, phrase: phrase.trim() };
    } else if (years && from) {
      const count = chineseNumber(years, false);
      if (count === null || count < 1 || count > 50) continue;
      const [year, month, day] = from.split('-').map(Number) as [number, number, number];
      // the day before the same date `count` years on (a 29 February start rolls to 1 March first)
      const sameDayLater = new Date(Date.UTC(year + count, month - 1, day)).toISOString().slice(0, 10);
      found = { date: addDays(sameDayLater, -1), phrase: phrase.trim() };
    }
  }
  return found;
}

/** The province or city a text names first (the issuer's, then the title's). */
export function regionOf(...texts: (string | null | undefined)[]): string | null {
  for (const text of texts) {
    if (!text) continue;
    if (nationalIssuers.test(text)) return '全国';
    let best: { index: number; name: string } | null = null;
    for (const name of provinces) {
      const index = text.indexOf(name);
      if (index >= 0 && (!best || index < best.index)) best = { index, name };
    }
    for (const [shortName, name] of provinceShort) {
      const index = text.indexOf(shortName);
      if (index >= 0 && (!best || index < best.index)) best = { index, name };
    }
    const city = /([\u4e00-\u9fa5]{2,4}?市)(?:人民政府|人力资源|教育|委员会|政府|[\u4e00-\u9fa5]*?局)/u.exec(text);
    if (city && (!best || city.index <= best.index)) return city[1]!;
    if (best) return best.name;
  }
  return null;
}

/** Who a document is about, from its title (and opening text). */
export function audienceOf(text: string): string | null {
  const rules: [RegExp, string][] = [
    [/中等职业学校|中职/u, '中等职业学校'],
    [/技工(?:学校|院校)/u, '技工院校'],
    [/(?:高校|普通高等学校|大学)毕业生/u, '普通高等学校毕业生'],
    [/高等职业|高职/u, '高等职业院校'],
    [/普通高等学校|高校|高等学校/u, '普通高等学校'],
    [/职业指导(?:人员|队伍|师)/u, '职业指导人员'],
    [/职业学校|职业院校|职业教育/u, '职业院校'],
  ];
  for (const [pattern, audience] of rules) if (pattern.test(text)) return audience;
  return null;
}

/**
 * Reads what a policy text says about itself: the title (a heading line near the top — 关于…的通知,
 * …规定 — or a 《》 name), the issuing bodies (lines of 厅/局/部… names at the top or above the
 * closing date), the date (the signature date near the end, else the first date), the region
 * (the issuer's province or city; 全国 for ministries), draft status (征求意见稿) and audience.
 *
 * @example extractMetadata('山东省教育厅\n关于加强职业指导的通知\n…\n山东省教育厅\n2023年5月12日').date // '2023-05-12'
 */
export function extractMetadata(text: string, headingTitle?: string | null): ExtractedMetadata {
  const lines = cleanLines(text).filter((line) => line !== '');
  const notes: string[] = [];
  const head = lines.slice(0, 8);
  const layout = coverNoticeIn(lines, headingTitle);
  const notice = layout?.notice ?? null;

  let title: string | null = null;
  let titleIndex = -1;
  if (layout) {
    title = layout.notice.documentTitle;
    titleIndex = layout.from;
    notes.push('标题：印发通知所印发文件的标题（通知标题、文号另记）');
  } else {
    title = headingTitle?.trim() || null;
    titleIndex = title ? head.findIndex((line) => line.replace(/^#+\s*/u, '') === title) : -1;
    if (title) notes.push('标题：文首标题');
    else {
      for (let i = 0; i < head.length; i += 1) {
        const line = head[i]!.replace(/^#+\s*/u, '');
        if ([...line].length > 80 || /[。；]$/u.test(line) || organisationsOn(line) || /〔\d{4}〕|\[\d{4}\]|第\s*\d+\s*号/u.test(line)) continue;
        const next = head[i + 1]?.replace(/^#+\s*/u, '');
        if (docType.test(line) || /^关于/u.test(line)) {
          title = line;
          titleIndex = i;
          if (!docType.test(line) && next && docType.test(next) && [...next].length < 40) title = `${line}${next}`;
          break;
        }
      }
      // the note says what the line was taken for: a 关于…… title, or one ending in its kind (办法, 通知…)
      const kind = title ? docType.exec(title)?.[1] : undefined;
      if (title) notes.push(/^关于/u.test(title) ? '标题：文首“关于……”行' : `标题：文首以“${kind ?? '文种'}”结尾的行`);
      else {
        const quoted = /《([^》]{4,80})》/u.exec(head.join('\n'));
        if (quoted) {
          title = quoted[1]!;
          notes.push('标题：文首《》书名');
        } else if (head[0] && [...head[0]].length <= 60) {
          title = head[0].replace(/^#+\s*/u, '');
          titleIndex = 0;
          notes.push('标题：第一行（请核对）');
        }
      }
    }
  }

  // Issuers: the lines above the title, else the title's own opening (XX厅关于……), else the
  // signature above the closing date — of the cover notice, then of the document.
  const issuers: string[] = [];
  let issuerSource = '';
  const addIssuers = (found: readonly string[], source: string): void => {
    if (found.length > 0 && issuers.length === 0) issuerSource = source;
    for (const name of found) if (!issuers.includes(name)) issuers.push(name);
  };
  const above = layout ? lines.slice(0, layout.from) : head.slice(0, titleIndex >= 0 ? titleIndex : 3);
  for (const line of above) {
    const found = organisationsOn(line.replace(/文件$/u, ''));
    if (found) addIssuers(found, '文首');
  }
  const titleLine = notice?.title ?? (titleIndex >= 0 ? head[titleIndex]!.replace(/^#+\s*/u, '') : title);
  if (issuers.length === 0 && titleLine) addIssuers(issuersOfTitle(titleLine) ?? [], '标题');
  if (issuers.length === 0 && notice) addIssuers(notice.signature, '印发通知落款');
  // The closing date: a line that is only a date among the last lines, else a short line with a
  // date (not a 施行 date) among the last eight.
  const tailFrom = Math.max(layout?.documentFrom ?? 0, lines.length - 12);
  const tail = lines.slice(tailFrom);
  const appliesFrom = /(?:起|开始)\s*(?:正式)?\s*(?:施行|实施|执行|生效|实行|试行)|有效期/u;
  let dateLine = tail.findLastIndex(isDateOnly);
  if (dateLine < 0 || dateLine < tail.length - 8) {
    const window = Math.max(0, tail.length - 8);
    const loose = tail.findLastIndex((line, index) => index >= window && datesIn(line).length > 0 && [...line].length <= 20 && !appliesFrom.test(line));
    if (loose >= 0 || dateLine < 0) dateLine = loose;
  }
  const endSignature = dateLine > 0 ? signatureAbove(lines, tailFrom + dateLine) : [];
  if (issuers.length === 0) addIssuers(endSignature, '文末落款');
  // A signature block further up (a 通知 followed by its attachments): the last date line with
  // bodies named right above it.
  let signed: { date: string | null; issuers: string[] } | null = null;
  if (endSignature.length === 0) {
    const body = layout ? lines.slice(layout.documentFrom) : lines;
    for (let i = body.length - 1; i > 0 && !signed; i -= 1) {
      const found = isDateOnly(body[i]!) ? signatureAbove(body, i) : [];
      if (found.length > 0) signed = { date: datesIn(body[i]!)[0] ?? null, issuers: found };
    }
    if (signed && issuers.length === 0) addIssuers(signed.issuers, '落款');
  }
  if (issuers.length > 0) notes.push(`发文机关：${issuerSource}`);
  const issuer = issuers.length > 0 ? issuers.join('、') : null;

  let date: string | null = null;
  if (notice?.date) {
    date = notice.date;
    notes.push('日期：印发通知落款日期');
  } else if (signed?.date) {
    date = signed.date;
    notes.push('日期：落款日期');
  } else if (dateLine >= 0) {
    date = datesIn(tail[dateLine]!)[0] ?? null;
    notes.push('日期：文末落款日期');
  } else {
    const first = head.flatMap((line) => (appliesFrom.test(line) ? [] : datesIn(line)))[0];
    if (first) {
      date = first;
      notes.push('日期：文首日期');
    }
  }
  const documentLines = layout ? lines.slice(layout.documentFrom) : lines;
  const documentText = documentLines.join('\n');
  const effective = effectiveDateIn(documentText, date) ?? (layout ? effectiveDateIn(lines.slice(layout.from, layout.documentFrom).join('\n'), date) : null);
  if (effective) notes.push(`施行日期：正文“${effective.phrase}”`);
  else if (fromIssuedDay.test(documentLines.join(''))) notes.push('施行日期：正文写明自发布（印发）之日起施行，但文中没有发布日期：请填写施行日期');
  const expiry = expiryIn(documentText, effective?.date ?? date);
  if (expiry) notes.push(`失效日期：正文“${expiry.phrase}”`);

  if (title) title = title.replace(/(?<=[\u4e00-\u9fff）》])\s+(?=[\u4e00-\u9fff（《])/gu, '');
  let region = regionOf(issuer, title);
  if (region) notes.push(`地区：${issuer && regionOf(issuer) === region ? '发文机关' : '标题'}`);
  else {
    const scope = /适用于([\u4e00-\u9fa5]{2,8}?(?:省|市|自治区))/u.exec(lines.slice(0, 30).join('\n'));
    region = scope ? regionOf(scope[1]) ?? scope[1]! : null;
    if (region) notes.push('地区：正文“适用于……”');
  }
  const status: DocumentStatus = draftMarker.test(`${title ?? ''}\n${head.join('\n')}`) ? 'draft' : 'in-force';
  if (status === 'draft') notes.push('状态：征求意见稿/草案 → draft');
  const audience = audienceOf(title ?? '') ?? audienceOf(documentLines.slice(0, 20).join('\n'));
  return { title, issuer, date, region, status, audience, effective: effective?.date ?? null, expires: expiry?.date ?? null, notice, notes };
}

/**
 * A document id from a title or file name: the file's own ASCII name when it has one
 * (`moe-2018.docx` → `moe-2018`), else region pinyin, year and the title's pinyin initials
 * (`shandong-2023-gyjqzyzd`).
 *
 * @example suggestId('关于加强职业指导队伍建设的指导意见', '山东省', '2023-11-23', '通知.pdf')
 */
export function suggestId(title: string | null, region: string | null, date: string | null, fileName: string): string {
  const stem = fileName.replace(/\.[^.]+$/u, '');
  const ascii = stem.toLowerCase().replace(/[^a-z0-9]+/gu, '-').replace(/^-+|-+$/gu, '').slice(0, 48);
  if (/[a-z]/u.test(ascii) && ascii.length >= 3 && !/[^\x00-\x7f]/u.test(stem)) return /^[a-z0-9]/u.test(ascii) ? ascii : `doc-${ascii}`;
  const parts: string[] = [];
  if (region && region !== '全国') {
    const short = region.replace(/(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$/u, '');
    parts.push(pinyinPro().pinyin(short, { toneType: 'none', type: 'array' }).join(''));
  }
  if (date) parts.push(date.slice(0, 4));
  const initials = pinyinPro().pinyin((title ?? stem).replace(/[^\u4e00-\u9fa5]/gu, ''), { pattern: 'first', toneType: 'none', type: 'array' }).join('').slice(0, 10);
  if (initials) parts.push(initials);
  const id = parts.join('-').toLowerCase().replace(/[^a-z0-9-]+/gu, '');
  return id.length >= 3 ? id : `doc-${Date.now().toString(36)}`;
}
