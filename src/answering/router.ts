import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { knowledgeDir } from '../paths.ts';
import { hasWordCharacters, normalizeText } from '../retrieval/normalize.ts';
import { toSimplified } from '../retrieval/simplified.ts';
import { loadMessageClassifier, type Classification, type MessageClassifier, type MessageLabel } from './message-classifier.ts';

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

/** What the message classifier made of a message: each label's probability. */
export type RouteScores = Record<MessageLabel, number>;

/** Why a message cannot be answered as a policy question, decided before retrieval. */
export type Route =
  | { kind: 'invalid'; reason: 'empty' | 'too-long' | 'no-words' }
  | { kind: 'escalate'; reason: 'crisis' | 'person' | 'complaint'; scores?: RouteScores }
  | { kind: 'abstain'; reason: 'injection' | 'out-of-scope' | 'chit-chat'; care?: boolean; scores?: RouteScores }
  /** `care`: the crisis score was raised but the message reads as a policy question — answer it, with the hotlines. */
  | { kind: 'policy'; care?: boolean; scores?: RouteScores };

/** A crisis probability at least this high escalates whatever else the message asks. */
const sureCrisis = 0.5;
/** Below `sureCrisis`, crisis as the top label escalates when it is this many times the next label. */
const clearLead = 2;
/** The top label's probability needed for the classifier alone to ask for a person or a complaint. */
const sureLabel = 0.5;
/** A sentence at least this sure of crisis escalates on its own, whatever the rest of its message says … */
const sureCrisisSentence = 0.9;
/** … when it is this many characters long, enough to carry its own evidence. */
const sentenceEvidenceLength = 8;

/**
 * Whether one sentence of a message makes the whole message a crisis. Each sentence is a further
 * chance of a false alarm, and a short fragment ("我现在在家", "我已经交了") says little, so its
 * score is mostly the model's prior: a sentence that reads as a crisis (crisis its top label, at
 * least `sureCrisis`) escalates when the message as a whole also raised the crisis score (at
 * least the model's cross-validated `crisisThreshold`, its 99 %-recall point), or, diluted in a
 * long message that did not, when it is long enough to carry evidence and near certain.
 */
function readsAsCrisisAlone(classifier: MessageClassifier, sentence: string, whole: Classification): boolean {
  const part = classifier.classify(sentence);
  if (part.label !== 'crisis' || part.probabilities.crisis < sureCrisis) return false;
  if (whole.crisis) return true;
  return part.probabilities.crisis >= sureCrisisSentence && [...sentence].length >= sentenceEvidenceLength;
}

/**
 * Self-harm, suicide and hopelessness. Checked first, on the whole message, whatever its length.
 * 崩溃 counts when a person is what breaks (我快崩溃了, 整个人都崩溃了, 心态崩溃); a system or a web
 * page that crashed (报名系统崩溃了) is left to the classifier.
 */
const crisisPatterns: RegExp[] = [
  /不想活|活不下去|活着(?:真|好|也|还)?没(?:有)?(?:意思|意义|希望)|活够了|想死|去死|寻死|自杀|轻生|自残|自尽|割腕|跳楼|跳河|上吊|烧炭|吃安眠药|安眠药/u,
  /结束(?:自己的)?(?:生命|这一切|一切)|了结(?:自己|生命)|离开这个世界|伤害自己|撑不下去了?|不如死|死了算了|消失算了|没有活下去/u,
  /(?:是|就是)(?:个|一个)?(?:累赘|负担|废物)|没人在乎我|绝望|(?:我|人|心态|心理|精神|情绪)(?:都|也|真的|真|快|快要|要|已经|彻底|整个|完全)*崩溃|彻底没希望/u,
  /\b(?:kill(?:ing)? myself|suicid(?:e|al)|end (?:my|it) (?:life|all)|want(?:ed)? to die|hurt(?:ing)? myself|self[- ]harm|no reason to live|don'?t want to (?:live|be alive))\b/u,
];

/** Asking for a human. */
const personPatterns: RegExp[] = [
  /转人工|(?<![靠用是])人工(?:客服|服务|老师|咨询)?$|^人工(?!智能)|找(?:个)?(?:真人|人工)|找个人(?:聊|说|问|帮)|找人(?:聊聊|聊天|说说|谈谈|帮帮我)|真人|(?:找|联系|见|约|问问)(?:一下)?(?:老师|辅导员|班主任|就业指导老师|职业指导老师|咨询师)|(?:跟|和|与|让)(?:真人|人工)?(?:老师|辅导员|班主任|咨询师)(?:聊|谈|说|沟通|打电话|联系)|(?:老师|辅导员)(?:能|可以)?(?:跟|和)我(?:聊|谈|说)|有没有(?:真)?人(?:能|可以)?(?:帮|回|在)/u,
  /\b(?:human|real person|a person|live agent|someone real|talk to (?:a |my |the )?(?:teacher|counselor|counsellor|advisor|adviser|person|someone|staff)|speak (?:to|with) (?:a |my |the )?(?:teacher|counselor|counsellor|advisor|adviser|person|someone|staff))\b/u,
];

/** Complaints: wanting to complain or report, not asking how complaints work. */
const complaintPatterns: RegExp[] = [
  /(?:我|我们)(?:要|想|想要|得|必须|准备|打算)(?:去|向\S{0,8})?(?:投诉|举报|告(?:你们|学校|他们|单位)|维权)|(?<!怎么|如何|怎样|哪里|去哪|在哪|向谁|找谁)投诉(?:你们|学校|老师|单位|公司|企业|辅导员|这个)|举报(?:学校|单位|公司|老师|你们)|(?:太|真|很)(?:差劲|垃圾|坑人|黑心|过分)|什么破(?:学校|单位|机器人|系统)/u,
  /\b(?:i|we) (?:want|would like|need|am going|wanna) to (?:file a |make a |lodge a )?(?:complain|complaint|report)|(?<!\bhow (?:do|can|should|would|to) (?:i |we |you |one )?)(?:file|make|lodge) a complaint\b/u,
];

/** Attempts to change the rules or extract the instructions. */
const injectionPatterns: RegExp[] = [
  /(?:忽略|无视|忘记|忘掉|不要管|别管|跳过|绕过|覆盖)(?:掉)?(?:你)?(?:之前|上面|以上|前面|先前|所有|全部|原来|原先|你的|系统)?(?:的|所有的)?(?:所有)?(?:指令|指示|规则|设定|提示|要求|限制|约束|命令|prompt)/u,
  /(?:系统|初始|原始|隐藏)?(?:提示词|系统提示|系统设定|system ?prompt)|(?:输出|打印|显示|告诉我|泄露|复述|重复)(?:一下)?(?:你的)?(?:系统)?(?:设定|指令|规则|配置|提示)/u,
  /假装(?:你|自己)是|(?:你|请你|来|现在)(?:来)?扮演|玩角色扮演|角色扮演游戏|你不再是|(?:你现在是|从现在(?:开始|起)你(?:是|就是)|进入)(?:一个|一名)?\S{0,12}(?:模式|角色|ai|人工智能|助手|dan|老师|黑客|没有限制)/iu,
  /(?:不用|不要|不必|别)(?:再)?(?:引用|注明|给出?)(?:文件|出处|来源|依据)|(?:随便|瞎)编|编(?:一条|一个|一些)(?:政策|规定|条款)/u,
  /开发者模式|越狱|无限制模式|\bdan\b|jailbreak/iu,
  /你的(?:规则|设定|提示|指令|人设|底层|配置)|(?:列出|说出|展示)(?:你的)?(?:全部|所有)?(?:规则|设定|指令)|规则第[一二三四五六七八九十\d]+条/u,
  /\b(?:ignore|disregard|forget|override|bypass)\b.{0,30}\b(?:instructions?|rules?|prompts?|guidelines|system)\b|\bsystem prompt\b|\b(?:you are now|pretend (?:to be|you are)|act as|roleplay as|developer mode)\b/iu,
];

const anyMatch = (patterns: RegExp[], text: string): boolean => patterns.some((pattern) => pattern.test(text));

/**
 * Decides, from the message alone, whether it is a policy question or something else. The main
 * signal is the trained message classifier (knowledge/router/model.json); the patterns here and
 * the phrase table an administrator keeps (escalation-phrases.tsv) are overrides on top of it.
 * Safety first: a crisis is checked before anything else and on the full text, whatever its
 * length. A crisis score over the classifier's threshold escalates as a crisis when the message
 * is a crisis or asks for a person or complains; otherwise the message is answered as usual with
 * the hotlines and the way to a teacher beside it (`care`).
 *
 * @example routeMessage('我不想活了') // { kind: 'escalate', reason: 'crisis', … }
 */
export function routeMessage(
  message: string,
  phrases: EscalationPhrases = (defaultPhrases ??= loadEscalationPhrases()),
  classifier: MessageClassifier | null = loadMessageClassifier(),
): Route {
  // 转 人 工: spaces between Chinese characters are how people emphasise, not word breaks.
  const spaced = toSimplified(normalizeText(message));
  const text = spaced.replace(/(?<=\p{Script=Han})\s+(?=\p{Script=Han})/gu, '');
  const said = (reason: EscalationReason): boolean => phrases[reason].some((matches) => matches(text));
  if (text === '') return { kind: 'invalid', reason: 'empty' };
  if (anyMatch(crisisPatterns, text) || said('crisis')) return { kind: 'escalate', reason: 'crisis' };
  const classified = classifier && hasWordCharacters(text) ? classifier.classify(text) : null;
  const scores = classified?.probabilities;
  const withScores = scores ? { scores } : {};
  // an attempt to change the rules is refused before the classifier reads it as anything else
  if (hasWordCharacters(text) && anyMatch(injectionPatterns, text)) return { kind: 'abstain', reason: 'injection', ...withScores };
  if (classified && classified.label === 'crisis' && classified.probabilities.crisis >= sureCrisis) {
    return { kind: 'escalate', reason: 'crisis', ...withScores };
  }
  // distress said in one sentence of a longer message ("…能不能不上了 反正我也撑不到毕业")
  if (classifier && classified && messageSentences(message).some((sentence) => readsAsCrisisAlone(classifier, sentence, classified))) {
    return { kind: 'escalate', reason: 'crisis', ...withScores };
  }
  if ([...message].length > maxMessageLength) return { kind: 'invalid', reason: 'too-long' };
  if (!hasWordCharacters(text)) return { kind: 'invalid', reason: 'no-words' };
  if (anyMatch(personPatterns, text) || said('person')) return { kind: 'escalate', reason: 'person', ...withScores };
  if (anyMatch(complaintPatterns, text) || said('complaint')) return { kind: 'escalate', reason: 'complaint', ...withScores };
  if (!classified) return { kind: 'policy' };
  const p = classified.probabilities;
  // crisis as the most likely label escalates, unless it is a near tie on a short, vague message
  // ("我的规划", "你说的不对"): then it gets the care note below instead
  const runnerUp = Math.max(...Object.entries(p).filter(([label]) => label !== 'crisis').map(([, value]) => value));
  if (classified.label === 'crisis' && p.crisis >= clearLead * runnerUp) return { kind: 'escalate', reason: 'crisis', ...withScores };
  // someone asking for a person or complaining while the crisis score is raised gets the crisis
  // priority — when crisis is the next reading of the message, not a trace under other readings
  // ("实习单位让我们周末也去上班": complaint 0.80, policy 0.10, crisis 0.07 is a complaint)
  const secondReading = Object.entries(p).sort(([, x], [, y]) => y - x)[1]?.[0];
  const crisisBehind = classified.crisis && secondReading === 'crisis';
  if (classified.label === 'person' && p.person >= sureLabel) return { kind: 'escalate', reason: crisisBehind ? 'crisis' : 'person', ...withScores };
  if (classified.label === 'complaint' && p.complaint >= sureLabel) return { kind: 'escalate', reason: crisisBehind ? 'crisis' : 'complaint', ...withScores };
  // a raised but uncertain crisis score: answer as usual, with the hotlines and a way to a teacher
  const care = classified.crisis ? { care: true } : {};
  // out of scope and chit-chat are priors, decided against the knowledge base by the answerer
  if (classified.label === 'out_of_scope') return { kind: 'abstain', reason: 'out-of-scope', ...care, ...withScores };
  if (classified.label === 'chitchat') return { kind: 'abstain', reason: 'chit-chat', ...care, ...withScores };
  return { kind: 'policy', ...care, ...withScores };
}

/**
 * The sentences and clauses of a message that has several (none for a single one), each read by
 * the classifier on its own. Training adds the sentences of ordinary messages as examples
 * (`eval/train-router.ts`), so the split here and there must be the same.
 *
 * @example messageSentences('我已经交了 还要交什么') // ['我已经交了', '还要交什么']
 */
export function messageSentences(message: string): string[] {
  const parts = toSimplified(normalizeText(message))
    .split(/[，,。.!！?？；;\n]+|(?<=\p{Script=Han})\s+|\s+(?=\p{Script=Han})/u)
    .map((part) => part.trim())
    .filter((part) => [...part].length >= 4);
  return parts.length >= 2 ? parts : [];
}
