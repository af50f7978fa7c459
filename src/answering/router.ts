import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { knowledgeDir } from '../paths.ts';
import { hasWordCharacters, normalizeText } from '../retrieval/normalize.ts';

type EscalationReason = 'crisis' | 'person' | 'complaint';

/** Phrase matchers an administrator keeps in `knowledge/lexicon/escalation-phrases.tsv`. */
export type EscalationPhrases = Record<EscalationReason, ((text: string) => boolean)[]>;

/**
 * Reads the escalation phrase table: `crisis|person|complaint<TAB>phrase`, a phrase matching as a
 * substring of the normalised message, or `/regex/` as a case-insensitive regular expression.
 */
export function loadEscalationPhrases(file = path.join(knowledgeDir, 'lexicon', 'escalation-phrases.tsv')): EscalationPhrases {
  const phrases: EscalationPhrases = { crisis: [], person: [], complaint: [] };
  if (!existsSync(file)) return phrases;
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/u)) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [reason, phrase] = line.split('\t').map((field) => field.trim());
    if (!phrase || !(reason === 'crisis' || reason === 'person' || reason === 'complaint')) continue;
    if (phrase.length > 2 && phrase.startsWith('/') && phrase.endsWith('/')) {
      const pattern = new RegExp(phrase.slice(1, -1), 'iu');
      phrases[reason].push((text) => pattern.test(text));
    } else {
      const needle = normalizeText(phrase);
      phrases[reason].push((text) => text.includes(needle));
    }
  }
  return phrases;
}

let defaultPhrases: EscalationPhrases | undefined;

/** Longest message the bot reads as one question (Telegram's own message limit). */
export const maxMessageLength = 4096;

/** Why a message cannot be answered as a policy question, decided before retrieval. */
export type Route =
  | { kind: 'invalid'; reason: 'empty' | 'too-long' | 'no-words' }
  | { kind: 'escalate'; reason: 'crisis' | 'person' | 'complaint' }
  | { kind: 'abstain'; reason: 'injection' | 'out-of-scope' }
  | { kind: 'policy' };

/** Self-harm, suicide and hopelessness. Checked first, on the whole message, whatever its length. */
const crisisPatterns: RegExp[] = [
  /不想活|活不下去|活着(?:真|好|也|还)?没(?:有)?(?:意思|意义|希望)|活够了|想死|去死|寻死|自杀|轻生|自残|自尽|割腕|跳楼|跳河|上吊|烧炭|吃安眠药|安眠药/u,
  /结束(?:自己的)?(?:生命|这一切|一切)|了结(?:自己|生命)|离开这个世界|伤害自己|撑不下去了?|不如死|死了算了|消失算了|没有活下去/u,
  /(?:是|就是)(?:个|一个)?(?:累赘|负担|废物)|没人在乎我|绝望|崩溃了|彻底没希望/u,
  /\b(?:kill(?:ing)? myself|suicid(?:e|al)|end (?:my|it) (?:life|all)|want(?:ed)? to die|hurt(?:ing)? myself|self[- ]harm|no reason to live|don'?t want to (?:live|be alive))\b/u,
];

/** Asking for a human. */
const personPatterns: RegExp[] = [
  /转人工|人工(?:客服|服务|老师|咨询)?$|^人工(?!智能)|找(?:个)?(?:真人|人工)|找个人(?:聊|说|问|帮)|找人(?:聊聊|聊天|说说|谈谈|帮帮我)|真人|(?:找|联系|见|约|问问)(?:一下)?(?:老师|辅导员|班主任|就业指导老师|职业指导老师|咨询师)|(?:跟|和|与|让)(?:真人|人工)?(?:老师|辅导员|班主任|咨询师)(?:聊|谈|说|沟通|打电话|联系)|(?:老师|辅导员)(?:能|可以)?(?:跟|和)我(?:聊|谈|说)|有没有(?:真)?人(?:能|可以)?(?:帮|回|在)/u,
  /\b(?:human|real person|a person|live agent|someone real|talk to (?:a |my |the )?(?:teacher|counselor|counsellor|advisor|adviser|person|someone|staff)|speak (?:to|with) (?:a |my |the )?(?:teacher|counselor|counsellor|advisor|adviser|person|someone|staff))\b/u,
];

/** Complaints: wanting to complain or report, not asking how complaints work. */
const complaintPatterns: RegExp[] = [
  /(?:我|我们)(?:要|想|想要|得|必须|准备|打算)(?:去|向\S{0,8})?(?:投诉|举报|告(?:你们|学校|他们|单位)|维权)|(?<!怎么|如何|怎样|哪里|去哪|在哪|向谁|找谁)投诉(?:你们|学校|老师|单位|公司|企业|辅导员|这个)|举报(?:学校|单位|公司|老师|你们)|(?:太|真|很)(?:差劲|垃圾|坑人|黑心|过分)|什么破(?:学校|单位|机器人|系统)/u,
  /\b(?:i|we) (?:want|would like|need|am going|wanna) to (?:file a |make a |lodge a )?(?:complain|complaint|report)|(?:file|make|lodge) a complaint\b/u,
];

/** Attempts to change the rules or extract the instructions. */
const injectionPatterns: RegExp[] = [
  /(?:忽略|无视|忘记|忘掉|不要管|别管|跳过|绕过|覆盖)(?:掉)?(?:你)?(?:之前|上面|以上|前面|先前|所有|全部|原来|原先|你的|系统)?(?:的|所有的)?(?:所有)?(?:指令|指示|规则|设定|提示|要求|限制|约束|命令|prompt)/u,
  /(?:系统|初始|原始|隐藏)?(?:提示词|系统提示|系统设定|system ?prompt)|(?:输出|打印|显示|告诉我|泄露|复述|重复)(?:一下)?(?:你的)?(?:系统)?(?:设定|指令|规则|配置|提示)/u,
  /假装(?:你|自己)是|扮演|角色扮演|你不再是|(?:你现在是|从现在(?:开始|起)你(?:是|就是)|进入)(?:一个|一名)?\S{0,12}(?:模式|角色|ai|人工智能|助手|dan|老师|黑客|没有限制)/iu,
  /(?:不用|不要|不必|别)(?:再)?(?:引用|注明|给出?)(?:文件|出处|来源|依据)|(?:随便|瞎)编|编(?:一条|一个|一些)(?:政策|规定|条款)/u,
  /开发者模式|越狱|无限制模式|\bdan\b|jailbreak/iu,
  /你的(?:规则|设定|提示|指令|人设|底层|配置)|(?:列出|说出|展示)(?:你的)?(?:全部|所有)?(?:规则|设定|指令)|规则第[一二三四五六七八九十\d]+条/u,
  /\b(?:ignore|disregard|forget|override|bypass)\b.{0,30}\b(?:instructions?|rules?|prompts?|guidelines|system)\b|\bsystem prompt\b|\b(?:you are now|pretend (?:to be|you are)|act as|roleplay as|developer mode)\b/iu,
];

/** Topics the policy corpus does not cover, so that a near word match is not taken for an answer. */
const outOfScopePatterns: RegExp[] = [
  /高考|分数线|录取分|志愿填报|考研|研究生考试|考公|公务员考试|事业编考试|教资|教师资格证考试|专升本考试|四六级|雅思|托福|成绩查询/u,
  /落户|户口(?:\S{0,6})落|户籍迁|积分入户|租房|房租|买房|医保报销|社保缴费基数|个税|公积金提取|签证|留学申请|驾照|驾考|科目[一二三四]/u,
  /天气|股票|基金|彩票|游戏|手游|网游|电影|电视剧|追星|明星|外卖|菜谱|减肥|星座|算命|旅游攻略/u,
  /排名|排行|哪所(?:学校|大学|中职|高职)?(?:最)?好|(?:学校|专业)(?:哪个|哪家)(?:最)?好|工资\S{0,6}多少|月薪|年薪|薪资水平|待遇怎么样/u,
  /写(?:一段|个|段)?(?:代码|程序|作文|小说|诗)|python|java(?:script)?|c\+\+|编程题|代码报错|数学题|解方程|翻译一下/iu,
  /期末成绩|成绩什么时候|考试成绩|补考|专升本(?:英语|数学|语文|考试|考什么|题型|分数|报名)|国考|省考|考编|户口迁|迁户口|学分绩点|四级|六级|奖学金评|宿舍分配|食堂|校园卡|选课/u,
  /\b(?:weather|stock|lottery|movie|recipe|write (?:me )?(?:a |some )?(?:code|poem|essay|story)|python|javascript|homework|gaokao|visa|rent)\b/iu,
];

const anyMatch = (patterns: RegExp[], text: string): boolean => patterns.some((pattern) => pattern.test(text));

/**
 * Decides, from the message alone, whether it is a policy question or something else.
 * Crisis is checked before anything else and on the full text, so that a long or odd message
 * that mentions self-harm still reaches a person.
 *
 * @example routeMessage('我不想活了') // { kind: 'escalate', reason: 'crisis' }
 */
export function routeMessage(message: string, phrases: EscalationPhrases = (defaultPhrases ??= loadEscalationPhrases())): Route {
  // 转 人 工: spaces between Chinese characters are how people emphasise, not word breaks.
  const text = normalizeText(message).replace(/(?<=\p{Script=Han})\s+(?=\p{Script=Han})/gu, '');
  const said = (reason: EscalationReason): boolean => phrases[reason].some((matches) => matches(text));
  if (text === '') return { kind: 'invalid', reason: 'empty' };
  if (anyMatch(crisisPatterns, text) || said('crisis')) return { kind: 'escalate', reason: 'crisis' };
  if ([...message].length > maxMessageLength) return { kind: 'invalid', reason: 'too-long' };
  if (!hasWordCharacters(text)) return { kind: 'invalid', reason: 'no-words' };
  if (anyMatch(injectionPatterns, text)) return { kind: 'abstain', reason: 'injection' };
  if (anyMatch(personPatterns, text) || said('person')) return { kind: 'escalate', reason: 'person' };
  if (anyMatch(complaintPatterns, text) || said('complaint')) return { kind: 'escalate', reason: 'complaint' };
  if (anyMatch(outOfScopePatterns, text)) return { kind: 'abstain', reason: 'out-of-scope' };
  return { kind: 'policy' };
}
