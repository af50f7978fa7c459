import { canonicalNumber, chineseNumeralChars, chineseNumeralValue, englishNumberValue, englishNumberWord } from './numerals.ts';

/**
 * What an answer sentence asserts that a clause must also say: a number (dates, ages, counts,
 * 第十五条), a percentage, a ratio or fraction, a document title in 《》, or a named body
 * (教育部, 山东省人力资源和社会保障厅, 辽宁工匠联盟).
 */
export interface Claim {
  kind: 'number' | 'percent' | 'ratio' | 'title' | 'body';
  /** What is compared: a canonical number, `a:b`, `b/a` for fractions, or folded text. */
  key: string;
  /** The words as the sentence has them (for the complaint to the model and for the eval); a body's name from its region or its last characters. */
  raw: string;
  /** For named bodies: the region the name starts with (辽宁, 山东), which the clause must name too. */
  region?: string;
}

/** What a set of clauses can support: the numbers, percentages and ratios in them, and their folded text. */
export interface Support {
  numbers: ReadonlySet<string>;
  percents: ReadonlySet<string>;
  ratios: ReadonlySet<string>;
  folded: string;
}

/**
 * One form for the ways a text can be typed: NFKC (full-width → half-width, ：→ :, ％ → %),
 * lower case, no white space, no thousands separators.
 *
 * @example foldText('１：５００， 5 个工作日') // '1:500,5个工作日'
 */
export function foldText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\s+/gu, '')
    .replace(/(?<=\d),(?=\d{3}(?!\d))/gu, '');
}

const cn = `[${chineseNumeralChars}]+`;
const arabic = String.raw`\d+(?:\.\d+)?`;

/** Counters and units after a Chinese numeral that make it a stated quantity (五个工作日, 十六周岁). */
const quantityUnits =
  '个工作日|工作日|个月|个学期|个学年|学期|学年|周岁|岁|年|月|日|天|周|小时|学时|课时|学分|分钟|个|名|人|次|条|项|种|类|所|家|位|门|元|块|倍|级|批|期|届|节|章|款|篇|页|张|份|本|册|台|间|轮|场|层|方面|环节|阶段|部分';
/** With 一 the counter must be a measure of time, age or money: 一个方面, 一次性, 一名 are too loose to check. */
const unitsForOne = /^(?:个工作日|工作日|个月|个学期|个学年|学期|学年|周岁|岁|年|月|日|天|周|小时|学时|课时|学分|分钟|元|倍)/u;
const ordinalUnits = '条|章|款|项|节|批|届|次|期|年|名|位|部分|阶段|轮|学期|学年|个';

const regions = [
  '内蒙古', '黑龙江', '乌鲁木齐', '呼和浩特', '石家庄', '哈尔滨',
  '北京', '天津', '上海', '重庆', '河北', '山西', '辽宁', '吉林', '江苏', '浙江', '安徽', '福建', '江西', '山东', '河南',
  '湖北', '湖南', '广东', '海南', '四川', '贵州', '云南', '陕西', '甘肃', '青海', '台湾', '广西', '西藏', '宁夏', '新疆',
  '香港', '澳门', '拉萨', '沈阳', '大连', '济南', '青岛', '郑州', '南京', '苏州', '杭州', '宁波', '广州', '深圳', '成都',
  '武汉', '西安', '长沙', '合肥', '福州', '厦门', '南昌', '太原', '长春', '昆明', '贵阳', '南宁', '海口', '兰州', '西宁', '银川',
];
const regionPattern = new RegExp(regions.join('|'), 'gu');

/** Government body endings, each with what may not follow (部门, 部署, 局面) or precede it (全部, 格局, 餐厅). */
const governmentSuffixes: { suffix: string; notAfter: RegExp; notBefore: RegExp }[] = [
  { suffix: '委员会', notAfter: /(?!)/u, notBefore: /(?!)/u },
  { suffix: '部', notAfter: /^[门分署队长位属件落委]/u, notBefore: /[全内外局干西东南北中头底顶腹胸背面细俱乐本分各支总大小后前上下半此该其每]$/u },
  { suffix: '厅', notAfter: /^[长]/u, notBefore: /[餐客大展舞门歌前]$/u },
  { suffix: '局', notAfter: /^[面势限长部]/u, notBefore: /[布格大结全开当僵残出入政时变骗赌饭棋终定]$/u },
];
/** Endings of institutions, named only when a region leads the name (辽宁工匠联盟, 江苏开放大学). */
const institutionSuffixes = ['研究院', '基金会', '学校', '学院', '大学', '中心', '协会', '联盟'];
const genericCores = new Set(['有关', '相关', '主管', '职能', '行政', '业务', '上级', '各级']);
/** Names that stand alone. */
const standaloneBodies = ['国务院', '共青团中央', '全国总工会', '中共中央'];
/** Characters that end a name when reading leftwards from its ending (由省教育厅 → 省教育厅). */
const nameStops = new Set([...'的在与及或等对向由为是去到从把被让给请您你我他她它们该此这那每各也都就还并且但按据']);

/**
 * The claims in one sentence of an answer that a cited clause has to back. Citation markers
 * must be removed first. Loose words are left alone: 一些, 进一步, 第一, and 一 with a counter
 * that is not a measure (一名, 一次) do not count; 二〇一八年, 五个工作日, 百分之一, 1：500 do.
 *
 * @example extractClaims('服务机构应在五个工作日内告知投诉人').map((claim) => claim.key) // ['5']
 */
export function extractClaims(sentence: string): Claim[] {
  const claims: Claim[] = [];
  let text = foldText(sentence);
  /** Records what `make` finds and blanks it out, so that later patterns do not count it twice. */
  const take = (pattern: RegExp, make: (groups: string[], offset: number, whole: string) => Claim | null): void => {
    text = text.replace(pattern, (...args: unknown[]) => {
      const whole = args.at(-1) as string;
      const offset = args.at(-2) as number;
      const groups = args.slice(0, -2).map((group) => (typeof group === 'string' ? group : '')) as string[];
      const claim = make(groups, offset, whole);
      if (claim) claims.push(claim);
      return claim ? ' ' : groups[0]!;
    });
  };
  const value = (raw: string): number | null => (/^\d/u.test(raw) ? Number(raw) : chineseNumeralValue(raw));

  // Titles first, so that numbers inside a title (《…2018…》) are part of it, not claims of their own.
  for (const match of text.matchAll(/《([^《》]{2,})》/gu)) claims.push({ kind: 'title', key: match[1]!, raw: match[0] });
  text = text.replace(/《[^《》]{2,}》/gu, ' ');
  claims.push(...namedBodies(text));

  // 第2点 / point 2 points into the clause just cited; it is a reference, not a claim.
  text = text.replace(new RegExp(`第(?:\\d+|${cn})点|point\\d+`, 'gu'), ' ');
  take(new RegExp(`(${arabic})%|(${arabic})percent|百分之(${cn})`, 'gu'), (m) => {
    const amount = value(m[1] || m[2] || m[3] || '');
    return amount === null ? null : { kind: 'percent', key: canonicalNumber(amount), raw: m[0]! };
  });
  take(new RegExp(`(\\d+|${cn})分之(\\d+|${cn})`, 'gu'), (m) => {
    const [whole, part] = [value(m[1]!), value(m[2]!)];
    return whole === null || part === null ? null : { kind: 'ratio', key: `${canonicalNumber(part)}/${canonicalNumber(whole)}`, raw: m[0]! };
  });
  take(new RegExp(`(${arabic})(?::|比)(${arabic})|(${cn})比(${cn})`, 'gu'), (m) => {
    const [left, right] = [value(m[1] || m[3] || ''), value(m[2] || m[4] || '')];
    return left === null || right === null ? null : { kind: 'ratio', key: `${canonicalNumber(left)}:${canonicalNumber(right)}`, raw: m[0]! };
  });
  take(new RegExp(`第(\\d+|${cn})(?=${ordinalUnits})`, 'gu'), (m) => {
    const ordinal = value(m[1]!);
    return ordinal === null ? null : { kind: 'number', key: canonicalNumber(ordinal), raw: m[0]! };
  });
  take(/(\d+(?:\.\d+)?)([万亿])?/gu, (m) => {
    const scale = m[2] === '万' ? 1e4 : m[2] === '亿' ? 1e8 : 1;
    return { kind: 'number', key: canonicalNumber(Number(m[1]) * scale), raw: m[0]! };
  });
  take(new RegExp(`(${cn})(?=${quantityUnits})`, 'gu'), (m, offset, whole) => {
    const raw = m[1]!;
    if (raw === '一' && !unitsForOne.test(whole.slice(offset + raw.length))) return null;
    const amount = chineseNumeralValue(raw);
    return amount === null ? null : { kind: 'number', key: canonicalNumber(amount), raw };
  });
  // English number words need the spaces folding removes.
  for (const match of sentence.normalize('NFKC').matchAll(englishNumberWord)) {
    const amount = englishNumberValue(match[1]!);
    if (amount !== null) claims.push({ kind: 'number', key: canonicalNumber(amount), raw: match[0] });
  }
  return claims;
}

/** Government bodies (教育部, 省教育厅), institutions led by a region, and names that stand alone. */
function namedBodies(text: string): Claim[] {
  const claims: Claim[] = [];
  const chars = [...text];
  let floor = 0; // a name does not reach back over the previous one (保障厅和省教育厅)
  const nameBefore = (end: number): string => {
    let start = end;
    while (start > floor && end - start < 14 && /\p{Script=Han}/u.test(chars[start - 1]!) && !nameStops.has(chars[start - 1]!)) start -= 1;
    return chars.slice(start, end).join('');
  };
  const regionIn = (name: string): string | undefined => [...name.matchAll(regionPattern)].at(-1)?.[0];
  for (let index = 0; index < chars.length; index += 1) {
    const rest = chars.slice(index).join('');
    const government = governmentSuffixes.find(({ suffix }) => rest.startsWith(suffix));
    const institution = government ? undefined : institutionSuffixes.find((suffix) => rest.startsWith(suffix));
    const suffix = government?.suffix ?? institution;
    if (!suffix) continue;
    const before = nameBefore(index);
    const after = rest.slice(suffix.length);
    index += [...suffix].length - 1;
    floor = index + 1;
    if ([...before].length < 2) continue;
    const core = [...before].slice(-2).join('');
    if (genericCores.has(core)) continue;
    if (government && (government.notAfter.test(after) || government.notBefore.test(before))) continue;
    const region = regionIn(before);
    if (institution && !region) continue;
    // As the complaint quotes it: from the region on (山东省人力资源和社会保障厅), else the ending (财政部).
    const raw = region ? `${before.slice(before.lastIndexOf(region))}${suffix}` : `${core}${suffix}`;
    claims.push({ kind: 'body', key: `${core}${suffix}`, raw, ...(region ? { region } : {}) });
  }
  for (const name of standaloneBodies) if (text.includes(name)) claims.push({ kind: 'body', key: name, raw: name });
  return claims;
}

/**
 * What the given texts (a clause and its document's title, locator, issuer, region and date) can
 * back: every number in them, Arabic or Chinese, with percentages, ratios and fractions.
 *
 * @example supportOf(['应在 5 个工作日内']).numbers.has('5') // true
 */
export function supportOf(texts: readonly string[]): Support {
  const folded = texts.map(foldText).join('\n');
  const numbers = new Set<string>();
  const percents = new Set<string>();
  const ratios = new Set<string>();
  const add = (set: Set<string>, amount: number | null): void => {
    if (amount !== null && Number.isFinite(amount)) set.add(canonicalNumber(amount));
  };
  const value = (raw: string): number | null => (/^\d/u.test(raw) ? Number(raw) : chineseNumeralValue(raw));
  for (const match of folded.matchAll(/(\d+(?:\.\d+)?)([万亿])?/gu)) {
    add(numbers, Number(match[1]));
    if (match[2]) add(numbers, Number(match[1]) * (match[2] === '万' ? 1e4 : 1e8));
  }
  for (const match of folded.matchAll(new RegExp(cn, 'gu'))) {
    const run = match[0].replace(/^点|点$/gu, '');
    const whole = chineseNumeralValue(run);
    add(numbers, whole);
    // 一二三 (a list, not a number): each digit is there to be cited.
    if (whole === null) for (const char of run) add(numbers, chineseNumeralValue(char));
  }
  for (const match of folded.matchAll(new RegExp(`(${arabic})%|百分之(${cn})`, 'gu'))) add(percents, value(match[1] ?? match[2]!));
  for (const match of folded.matchAll(new RegExp(`(\\d+|${cn})分之(\\d+|${cn})`, 'gu'))) {
    const [whole, part] = [value(match[1]!), value(match[2]!)];
    if (whole !== null && part !== null) ratios.add(`${canonicalNumber(part)}/${canonicalNumber(whole)}`);
  }
  for (const match of folded.matchAll(new RegExp(`(${arabic}|${cn})(?::|比)(${arabic}|${cn})`, 'gu'))) {
    const [left, right] = [value(match[1]!), value(match[2]!)];
    if (left !== null && right !== null) ratios.add(`${canonicalNumber(left)}:${canonicalNumber(right)}`);
  }
  return { numbers, percents, ratios, folded };
}

/** Whether a clause's support backs a claim. A ratio is backed by the same ratio, or by both its numbers. */
export function supports(support: Support, claim: Claim): boolean {
  switch (claim.kind) {
    case 'number':
      return support.numbers.has(claim.key);
    case 'percent':
      return support.percents.has(claim.key);
    case 'ratio': {
      if (support.ratios.has(claim.key)) return true;
      const parts = claim.key.split(/[:/]/u);
      return parts.every((part) => support.numbers.has(part));
    }
    case 'title':
      return support.folded.includes(claim.key);
    case 'body':
      return support.folded.includes(claim.key) && (claim.region === undefined || support.folded.includes(claim.region));
  }
}
