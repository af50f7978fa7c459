import { pinyin } from 'pinyin-pro';
import { cleanLines } from './text-to-markdown.ts';
import type { DocumentStatus } from './types.ts';

/** What the text itself says about a document; `null` where it says nothing. The admin confirms or edits it. */
export interface ExtractedMetadata {
  title: string | null;
  issuer: string | null;
  /** ISO date (YYYY-MM-DD) of the document, from a 2023年5月12日 line (the signature date preferred). */
  date: string | null;
  region: string | null;
  status: DocumentStatus;
  audience: string | null;
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
const organisation = /(?:人民政府|政府办公厅|办公厅|办公室|委员会|教育厅|教育局|厅|部|局|委|中心|学校|学院|大学|总工会|团委|联合会)$/u;
const docType = /(?:通知|意见|规定|办法|规范|标准|方案|决定|细则|条例|指南|纲要|公告|通告|规划|制度|要求|计划|批复|函)(?:[（(][^）)]*[）)])?$/u;
const draftMarker = /征求意见稿|草案|送审稿|讨论稿|（草稿）|\(草稿\)/u;
const numeral: Record<string, number> = { '〇': 0, '零': 0, '○': 0, 'Ｏ': 0, O: 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9 };

/** 二〇二三 → 2023; 十一 → 11; 二十三 → 23; digits stay digits. */
function chineseNumber(text: string, positional: boolean): number | null {
  if (/^\d+$/u.test(text)) return Number(text);
  if (positional) {
    const digits = [...text].map((ch) => numeral[ch]);
    return digits.every((d) => d !== undefined) ? Number(digits.join('')) : null;
  }
  const match = /^([一二三]?)(十?)([一二三四五六七八九]?)$/u.exec(text);
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

/** Organisations named on one line: "山东省人力资源和社会保障厅 山东省教育厅" → both. */
function organisationsOn(line: string): string[] | null {
  const parts = line.split(/[\s、，,]+/u).filter(Boolean);
  if (parts.length === 0 || parts.some((part) => [...part].length < 2 || [...part].length > 30 || !organisation.test(part) || /[。：；]/u.test(part))) return null;
  return parts;
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

  let title: string | null = headingTitle?.trim() || null;
  let titleIndex = title ? head.findIndex((line) => line.replace(/^#+\s*/u, '') === title) : -1;
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
    if (title) notes.push('标题：文首“关于……/……通知”行');
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

  const issuers: string[] = [];
  const addIssuers = (found: string[]): void => {
    for (const name of found) if (!issuers.includes(name)) issuers.push(name);
  };
  for (const line of head.slice(0, titleIndex >= 0 ? titleIndex : 3)) {
    const found = organisationsOn(line.replace(/文件$/u, ''));
    if (found) addIssuers(found);
  }
  const tail = lines.slice(-8);
  const dateLine = tail.findLastIndex((line) => datesIn(line).length > 0 && [...line].length <= 20);
  if (dateLine > 0) {
    const signature: string[] = [];
    for (let i = dateLine - 1; i >= Math.max(0, dateLine - 4); i -= 1) {
      const found = organisationsOn(tail[i]!);
      if (!found) break;
      signature.unshift(...found);
    }
    if (issuers.length === 0) addIssuers(signature);
  }
  if (issuers.length > 0) notes.push(`发文机关：${dateLine > 0 && head.every((line) => !organisationsOn(line)) ? '文末落款' : '文首'}`);
  const issuer = issuers.length > 0 ? issuers.join('、') : null;

  let date: string | null = null;
  if (dateLine >= 0) {
    date = datesIn(tail[dateLine]!)[0] ?? null;
    notes.push('日期：文末落款日期');
  } else {
    const first = head.flatMap((line) => datesIn(line))[0];
    if (first) {
      date = first;
      notes.push('日期：文首日期');
    }
  }

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
  const audience = audienceOf(title ?? '') ?? audienceOf(lines.slice(0, 20).join('\n'));
  return { title, issuer, date, region, status, audience, notes };
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
    parts.push(pinyin(short, { toneType: 'none', type: 'array' }).join(''));
  }
  if (date) parts.push(date.slice(0, 4));
  const initials = pinyin((title ?? stem).replace(/[^\u4e00-\u9fa5]/gu, ''), { pattern: 'first', toneType: 'none', type: 'array' }).join('').slice(0, 10);
  if (initials) parts.push(initials);
  const id = parts.join('-').toLowerCase().replace(/[^a-z0-9-]+/gu, '');
  return id.length >= 3 ? id : `doc-${Date.now().toString(36)}`;
}
