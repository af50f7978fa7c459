import { countsIn } from '../answering/scale-rule.ts';

/**
 * The slots of a question a follow-up can replace one at a time — the kind of school, the
 * region, the student's age, year of study and a count ("2000个毕业生") — and the marks that
 * tie a short message to the previous one. A slot is found as the words a student writes; the
 * question keeps them in place so that a follow-up can swap them.
 */

const chineseDigits: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10 };

/** 二 → 2, 十一 → 11, 3 → 3. */
export function numberFrom(text: string): number | null {
  if (/^\d+$/u.test(text)) return Number(text);
  if (text.length === 1) return chineseDigits[text] ?? null;
  const match = /^(十)?([一二三四五六七八九])?$|^([一二三四五六七八九])十([一二三四五六七八九])?$/u.exec(text);
  if (!match) return null;
  if (match[3]) return (chineseDigits[match[3]] ?? 0) * 10 + (match[4] ? (chineseDigits[match[4]] ?? 0) : 0);
  return 10 + (match[2] ? (chineseDigits[match[2]] ?? 0) : 0);
}

/** A kind of school as the documents group them: 中职 (secondary vocational) or 高校 (higher education). */
export type SchoolType = '中职' | '高校';

const schoolWords: ReadonlyArray<{ type: SchoolType; pattern: RegExp }> = [
  {
    type: '中职',
    // in a vocational-education conversation "secondary schools" are the 中职 the documents cover (高中 is "high school")
    pattern: /中等职业学校|中等职业|职业高中|中职(?:学校)?|中专|技校|职高|secondary (?:vocational |technical )?schools?|secondary vocational|vocational (?:high )?schools?|technical schools?/iu,
  },
  { type: '高校', pattern: /高等职业(?:学校|院校)|普通高等学校|高职(?:院校)?|高校|大学|大专|本科|universit(?:y|ies)|(?:higher vocational |vocational )?colleges?|polytechnics?/iu },
];

/** Stages of study the documents do not cover (they cover 中职 and 高校 only). */
const uncoveredWords = /普通高中|高中|初中|小学|研究生|硕士|博士|high school|graduate school|postgraduate/iu;

/** The first kind of school a text names, with the words as written. */
export function schoolIn(text: string): { type: SchoolType; word: string; index: number } | null {
  let found: { type: SchoolType; word: string; index: number } | null = null;
  for (const { type, pattern } of schoolWords) {
    const match = pattern.exec(text);
    if (match && (!found || match.index < found.index)) found = { type, word: match[0], index: match.index };
  }
  return found;
}

/** A stage of study the documents do not cover ("那普通高中呢"), or null. */
export function uncoveredIn(text: string): string | null {
  return uncoveredWords.exec(text)?.[0]?.toLowerCase() ?? null;
}

/** How the documents name a kind of school, so that a swapped question finds their clauses. */
export function schoolAsWritten(type: SchoolType, english: boolean): string {
  if (english) return type === '中职' ? 'secondary vocational school' : 'university';
  return type === '中职' ? '中职学校' : '高校';
}

const provinceNames = [
  '北京', '天津', '上海', '重庆', '河北', '山西', '辽宁', '吉林', '黑龙江', '江苏', '浙江', '安徽', '福建', '江西', '山东', '河南', '湖北', '湖南', '广东',
  '海南', '四川', '贵州', '云南', '陕西', '甘肃', '青海', '台湾', '内蒙古', '广西', '西藏', '宁夏', '新疆', '香港', '澳门',
];
const cityNames = ['广州', '深圳', '杭州', '南京', '苏州', '武汉', '长沙', '成都', '西安', '郑州', '济南', '青岛', '沈阳', '大连', '拉萨', '厦门'];
const englishRegions = ['shandong', 'henan', 'liaoning', 'lhasa', 'tibet', 'guangdong', 'beijing', 'shanghai', 'jiangsu', 'zhejiang', 'sichuan', 'hubei', 'hunan', 'hebei'];
const regionPattern = new RegExp(
  `(?:${[...provinceNames, ...cityNames].join('|')})(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市)?|\\b(?:${englishRegions.join('|')})\\b`,
  'iu',
);

/** The first region (province or city) a text names, as written (山东省, 山东, Shandong). */
export function regionIn(text: string): { word: string; index: number } | null {
  const match = regionPattern.exec(text);
  return match ? { word: match[0], index: match.index } : null;
}

/** A region's name without 省/市/自治区, for matching a document's region (山东省 → 山东). */
export function regionStem(word: string): string {
  return word.toLowerCase().replace(/(?:维吾尔自治区|壮族自治区|回族自治区|自治区|特别行政区|省|市)$/u, '');
}

const englishRegionStems: Record<string, string> = { shandong: '山东', henan: '河南', liaoning: '辽宁', lhasa: '拉萨', tibet: '西藏', guangdong: '广东', beijing: '北京', shanghai: '上海', jiangsu: '江苏', zhejiang: '浙江', sichuan: '四川', hubei: '湖北', hunan: '湖南', hebei: '河北' };

/** The Chinese stem of a region word in either language (Shandong → 山东, 拉萨市 → 拉萨). */
export function regionKey(word: string): string {
  const stem = regionStem(word);
  return englishRegionStems[stem] ?? stem;
}

/** Words for the student's own region that do not say which it is ("我们省", "本市", "our province"). */
const ownRegionWords =
  /我们(?:这个)?省|我们(?:这个)?市|咱们?省|咱们?市|本省|本市|我省|我市|我们当地|我们这边|我们这里|我们那边|我们那里|我们那儿|\b(?:our|my) (?:province|city|region|area)\b|\bwhere i (?:live|study|am)\b/iu;

/** Words for the student's own school ("我们学校", "我校"): where they are, not what they ask about. */
const ownSchoolWords = /(?:我们|咱们|咱|我)(?:的)?(?:学校|学院|院校)|我校|本校|\bour (?:school|college|university)\b/giu;

/** The words a message uses for the student's own region without naming it, or null. */
export function ownRegionIn(text: string): string | null {
  return ownRegionWords.exec(text)?.[0] ?? null;
}

const ageNumber = '[0-9]{1,2}|[一二三四五六七八九十]{1,3}';
/** "15岁", "十五周岁", or "满18" (not 满100元, 满3年, 满两个月). */
const chineseAge = new RegExp(`(${ageNumber})\\s*(?:周岁|岁)|满\\s*(${ageNumber})(?![0-9一二三四五六七八九十百千万年月周天日次个名人门学小分元])`, 'u');
/** "要是我15呢", "我才16": a bare number said of oneself, where nothing else is counted. */
const ownAge = new RegExp(`(?:我|他|她|孩子)(?:才|只有|今年|已经|刚|都|还)?\\s*(${ageNumber})(?=\\s*(?:了|呢|啊|吧|呀|嘛|[,，.。?？!！]|\\s|$))`, 'u');
/** "我已经成年了": of age, 18 (not 未成年). */
const ofAge = /(?<!未)成年(?!人)/u;
const englishAge = /\b(?:i'?m|im|i am|aged?|turned|over)\s+(\d{1,2})\b|\b(\d{1,2})[- ]?(?:years?[- ]olds?|yo)\b/iu;

/** An age the message states ("15岁", "十五周岁", "满18", "我才16", "成年", "I'm 15"), or null. */
export function ageIn(text: string): number | null {
  const chinese = chineseAge.exec(text);
  if (chinese) {
    const value = numberFrom(chinese[1] ?? chinese[2]!);
    return value !== null && value >= 6 && value <= 40 ? value : null;
  }
  const own = ownAge.exec(text);
  if (own) {
    const value = numberFrom(own[1]!);
    if (value !== null && value >= 6 && value <= 40) return value;
  }
  if (ofAge.test(text)) return 18;
  const english = englishAge.exec(text);
  const value = english ? Number(english[1] ?? english[2]) : null;
  return value !== null && value >= 6 && value <= 40 ? value : null;
}

/** Any of the age words above, as written. */
const agePattern = new RegExp([chineseAge.source, ownAge.source, ofAge.source, englishAge.source].join('|'), 'iu');

/** The age words of a text as written ("17岁", "17 year old"), or null. */
export function ageWordsIn(text: string): string | null {
  return agePattern.exec(text)?.[0] ?? null;
}

/** A year of study ("大三", "一年级", "毕业班", "final year"); "大几"/"几年级" is the question for one. */
const gradePattern = /大[一二三四五]|大几|研[一二三]|[一二三四五]年级|几年级|毕业班|毕业年级|\b(?:freshman|sophomore|junior|senior)\b|\b(?:first|second|third|fourth|final) year\b/iu;

export function gradeIn(text: string): string | null {
  return gradePattern.exec(text)?.[0] ?? null;
}

/**
 * A number of people (or schools) the message states exactly ("2000个毕业生", "毕业生1600人", "2000
 * graduates"), in the documents' words ("2000名毕业生"), or null.
 */
export function countIn(text: string): string | null {
  const count = countsIn(text).at(-1);
  if (!count) return null;
  if (count.noun === null) return `${count.value}人`;
  return `${count.value}${count.noun === '学校' ? '所' : '名'}${count.noun}`;
}

/** The words of the last exact count a text states, as written ("毕业生才800人"), or null. */
export function countWordsIn(text: string): string | null {
  return countsIn(text).at(-1)?.words ?? null;
}

/** A turn that says it changes the subject ("对了换个问题", "btw", "另外问下"). */
export const changesSubject = /对了|换个(?:问题|话题)|另外问|顺便问|再问个别的|\bbtw\b|\bby the way\b|\banother question\b|\bunrelated\b/iu;

/**
 * The question a message asks without the words that only say it changes the subject: "对了 换个问题
 * 中职毕业是什么学历" is searched as "中职毕业是什么学历" (the announcement's 问题 is no topic).
 */
export function withoutSubjectChange(text: string): string {
  const asked = text
    .replace(new RegExp(changesSubject.source, 'giu'), ' ')
    .replace(/^[\s,，。.!！、:：]+/u, '')
    .trim();
  return asked === '' ? text : asked;
}

/** Words that open a message continuing the previous one ("那…", "那么", "and …", "what about …"). */
export const opensContinuation = /^(?:那么|那如果|那|然后|还有|再问一下|如果是|换成|and\b|so\b|then\b|also\b|what about\b|how about\b|ok\b|okay\b)/iu;

/** A supposition that changes a detail of the previous question ("如果我15岁呢", "what if …"). */
export const supposes = /如果|假如|要是|万一|假设|\bwhat if\b|\bif\b|\bsuppose\b/iu;

/** Words that point back at the previous question or answer ("这个", "他们", "也", "it", "those"). */
export const pointsBack =
  /这个|这些|这条|这项|这份|这规定|这规范|这标准|这文件|那个|那些|那边|它|他们|她们|他|其|该|上述|刚才|刚刚|同样|一样|类似|也|还|具体|别的|其他|其它|文件里|规定里|去那|那里|\b(?:it|its|this|that|they|them|those|these|ones?|same)\b/iu;

/**
 * Words that ask, relate or fill in rather than name a topic: question words, particles,
 * pronouns and the aspects any topic has (条件, 要求, 多久). What remains when they and the slots
 * are taken out is what the message itself is about.
 */
const askingWords = [
  /多长时间|多少|多久|多大|几[个名门家次所位人项成天年月号台]?|什么时候|何时|哪年|哪一年|哪些|哪几|哪个|哪里|哪儿|哪|谁|什么|啥|怎么办|怎么样|怎么|怎样|如何|咋办|咋|能不能|可不可以|可以|能否|是否|是不是|要不要|需不需要|需要|有没有|会不会|必须|应该|允许|行不行|行吗|能|会|可|吗|呢|吧|啊|呀|嘛|哦|啦|么|了|的|得|地|着/gu,
  /的话|换成|换到|改成|如果是|这边|那边|我们|我|你们|你|咱们|大家|自己|要|想|还|也|都|就|再|又|又|给|让|被|把|对|跟|和|与|在|去|来|到|从|上|下|一下|一个|个|些|点|有|是|没|不|说|问|请问|麻烦|对了|同样|一样|类似|具体|别的|其他|其它|这个|这些|这|那个|那些|那么|那|它|他们|她们|他|其|该|刚才|文件|规定|规范|标准|政策|里面|里|方面|一般|平时|到底|呃|嗯|哈|吗|已经/gu,
  /满足|符合|才行|才能|就行|条件|要求|流程|程序|手续|步骤|材料|时间|期限|费用|内容|范围|对象|资格|方式|办法|细则|依据|情况|问题|事情|事|申请|办理|推进|开始|结束|以后|之后|之前|然后|接下来|完/gu,
  // where and when the student studies, not what they ask about ("我明年去河南读大专")
  /明年|今年|去年|下学期|这学期|下半年|马上|准备|打算|将来|读|念/gu,
];
const englishFiller =
  /\b(?:what|which|who|whom|when|where|why|how|many|much|long|is|are|was|were|be|do|does|did|can|could|may|might|must|should|would|will|shall|have|has|had|need|needs|any|some|the|a|an|of|to|for|in|on|at|by|with|about|and|or|so|then|also|ok|okay|if|there|it|its|this|that|they|them|those|these|one|ones|same|i|im|me|my|we|our|you|your|he|she|his|her|their|get|got|too|else|other|more|rule|rules|document|requirement|requirements|apply|applying|process|steps?|schools?)\b/giu;

const locators = /第\s*[一二两三四五六七八九十百\d]+\s*(?:条|点|项|款|章|节|部分|个)|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d+(?:\.\d+)+(?:\s*(?:条|款|节))?|(?:^|\s)[一二三四五六七八九十]{1,3}、/gu;

/** What a message is about in its own words: what remains without slots, question words, pronouns and particles. */
export function ownWordsOf(text: string): string {
  // clause numbers and locators (第二点, 第十五条, 8.5, （三）, 三、) are never what a message is about
  let rest = text.toLowerCase().replace(locators, ' ').replace(ownRegionWords, ' ');
  for (const found of [schoolIn(rest)?.word, regionIn(rest)?.word, ageWordsIn(rest), gradeIn(rest)]) if (found) rest = rest.replace(found, ' ');
  // "那大学呢 我明年去河南读大专": every kind of school named, not only the first
  for (let school = schoolIn(rest); school; school = schoolIn(rest)) rest = rest.replace(school.word, ' ');
  const count = /(\d{2,}|[一二三四五六七八九十两][一二三四五六七八九十两百千万]+)\s*(?:来|多)?\s*(?:个|名|位)?\s*(?:毕业生|学生|人|老师|教师|员工)|\b\d{2,}\s+(?:graduates?|students?|people|staff|teachers?)\b/iu;
  for (const { words } of countsIn(rest)) rest = rest.replace(words, ' ');
  rest = rest.replace(count, ' ').replace(uncoveredWords, ' ').replace(ownSchoolWords, ' ');
  rest = rest.replace(changesSubject, ' ').replace(supposes, ' ');
  for (const words of askingWords) rest = rest.replace(words, ' ');
  rest = rest.replace(englishFiller, ' ');
  return rest.replace(/[^\p{Script=Han}a-z0-9]+/gu, ' ').replace(/\s+/gu, ' ').trim();
}

/** A pronoun standing for the previous question's subject ("那他要去…", "they"): the message cannot stand alone. */
export const standsForSubject = /(?<!其)他|她|它|\b(?:he|she|it|they|them|their|its)\b/iu;

/** Whether a message asks its own question (a question word, 吗, or a question mark). */
export function asksAQuestion(text: string): boolean {
  // an A-not-A question asks too: 收不收, 给不给, 扣没扣
  if (/(\p{Script=Han})[不没]\1/u.test(text)) return true;
  return /[几谁吗么啥哪]|什么|怎样|怎么|如何|咋|能否|是否|是不是|可以|能不能|要不要|有没有|会不会|行不行|对不对|多少|多久|[没不][?？]?$|[?？]|\b(?:how|what|when|where|who|why|which|can|may|must|should|is|are|do|does)\b/iu.test(text);
}
