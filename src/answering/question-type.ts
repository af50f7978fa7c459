/**
 * What kind of answer a question wants, read from its question words. The answerer checks that
 * the sentence it leads with holds that kind of answer (a number for 几, a rule for 能不能).
 */
export type QuestionType = 'quantity' | 'time' | 'permission' | 'list' | 'procedure' | 'who' | 'open';

/**
 * A question for the steps of doing something ("具体怎么申请", "流程是什么", "how do I apply") — not
 * "怎么办" (what to do), which a rule answers as well as a procedure.
 */
const stepsQuestion =
  /怎么(?:申请|办理|报名|登记|操作|走流程)|如何(?:申请|办理|报名|登记)|怎样(?:申请|办理|报名)|流程|步骤|手续|\bhow (?:do|can|should) (?:i|we|you) (?:apply|register|sign up)\b|\bprocedure\b|\bsteps\b/iu;

/** Words of a step in a procedure, beyond the 申请/办理 a question for the steps itself says. */
const stepWords = /提交|报送|报名|登记|填写|审核|审批|审查|公示|备案|签订|受理|流程|程序|步骤|材料|手续|窗口|平台|网上|线上|系统/u;

/** Whether a question asks for the steps of doing something (a `procedure` question, "怎么办" aside). */
export function asksForSteps(question: string): boolean {
  return stepsQuestion.test(question);
}

/**
 * Whether sentences state a step of a procedure (提交, 审核, 公示…), not only the 申请 the question
 * says: a rule of who may apply does not tell a student how to.
 *
 * @example statesSteps('学生向学校提交申请表，学校审核后公示。') // true
 */
export function statesSteps(text: string): boolean {
  return stepWords.test(withoutTitles(text));
}

const patterns: ReadonlyArray<{ type: QuestionType; pattern: RegExp }> = [
  { type: 'time', pattern: /多久|多长时间|几天|几个工作日|什么时候|何时|哪年|哪一年|几月|几号|期限|时限|截止|\bhow long\b|\bwhen\b|\bhow soon\b|\bwhat year\b|\bdeadline\b/iu },
  { type: 'quantity', pattern: /几个|几名|几门|几家|几次|几所|几位|几人|几项|几成|多少|比例|比率|百分之|配比|\bhow many\b|\bhow much\b|\bpercentage\b|\bratio\b/iu },
  { type: 'who', pattern: /谁|哪个部门|哪个单位|哪个机构|哪些部门|由哪|找哪|归谁|\bwho\b|\bwhich (?:department|office|body|agency)\b/iu },
  {
    type: 'procedure',
    pattern: new RegExp(`怎么办|怎么(?:弄|做|处理|走)|如何|程序|怎样才能|\\bhow (?:do|can|to|should)\\b|\\bprocess\\b|${stepsQuestion.source}`, 'iu'),
  },
  { type: 'list', pattern: /哪些|哪几|有什么|有啥|都有|包括什么|包含什么|什么内容|\bwhat are\b|\blist\b|\bwhat kinds?\b/iu },
  {
    type: 'permission',
    pattern: /能不能|可不可以|可以吗|能吗|行吗|行不行|是否|允许|让不让|要不要|需不需要|必须吗|会不会|合法吗|合理吗|有没有权|吗[？?]?$|\b(?:can|may|must|is it|are (?:they|we|you)|do (?:i|they|we)|does|should|allowed)\b/iu,
  },
];

/** The kind of answer a question asks for; `open` when its words do not say. */
export function questionTypeOf(question: string): QuestionType {
  return patterns.find(({ pattern }) => pattern.test(question))?.type ?? 'open';
}

/** What a sentence must hold to answer each kind of question. */
const answerShapes: Record<Exclude<QuestionType, 'open'>, RegExp> = {
  quantity: /\d|[一二三四五六七八九十百千两半]+\s*(?:名|个|次|门|家|所|人|位|项|倍|学时|课时|年|天|元|%|成)|比例|不低于|不少于|不超过|不高于|至少|以上|以下|以内/u,
  time: /\d+\s*(?:个)?(?:工作日|日|天|周|月|年|学期|学年|季度|小时)|[一二三四五六七八九十两半]+\s*(?:个)?(?:工作日|日|天|周|月|年|学期|学年|季度|小时)|每(?:学期|学年|年|季度|月|周)|年\d*月|\d{4}年|定期|及时|之前|以前|之后|期间|当年|当天|毕业前|入学/u,
  permission: /不得|严禁|禁止|不准|不能|不允许|不可|不宜|应当|应|须|必须|可以|可|允许|鼓励|支持|有权|要|需|严格|确保|保障/u,
  list: /、|；|\n|和|及|以及|等/u,
  procedure: /申请|提交|审核|审批|办理|报送|报名|登记|填写|公示|备案|签订|联系|提出|受理|确认|流程|程序|步骤|通过|向/u,
  who: /部门|学校|学院|机构|教师|老师|校长|单位|厅|局|部|委员会|政府|中心|企业|负责|承担|牵头|组织/u,
};

/** A quoted title (《标准化工作导则 第1部分》) names a document: its words are not what the sentence says. */
export function withoutTitles(sentence: string): string {
  return sentence.replace(/《[^》]*》/gu, '《》');
}

/** Whether a sentence holds the kind of answer the question type asks for (always true for `open`). */
export function sentenceFits(type: QuestionType, sentence: string): boolean {
  return type === 'open' ? true : answerShapes[type].test(withoutTitles(sentence));
}

/** A rule that settles a yes/no question outright — forbids or allows — rather than a duty (应, 要). */
const verdictWords = /不得|严禁|禁止|不准|不能|不允许|不可|无权|可以|允许|有权|征得|须经/u;

/** A question whether something is allowed ("能不能", "可以…吗", "合法吗"), not whether it is done ("会不会"). */
const leaveQuestion = /能不能|可不可以|可以|能否|能.{0,16}吗|允许|让不让|行不行|合法|违法|\b(?:can|may|allowed|legal)\b/iu;

/** Whether a question asks if something is allowed: a prohibition or a permission answers it best. */
export function asksLeave(question: string): boolean {
  return leaveQuestion.test(question);
}

/**
 * How well a sentence holds the answer a question type asks for, as a weight on its score: 1
 * when it fits, 0.6 when it does not; for a question whether something is allowed (`leave`), a
 * sentence that only states a duty (应…, 要…) without forbidding or allowing anything fits less (0.85).
 *
 * @example answerShapeWeight('permission', '严禁注册“双重学籍”。', true) // 1
 * @example answerShapeWeight('permission', '要及时注册和维护学籍信息。', true) // 0.85
 */
export function answerShapeWeight(type: QuestionType, sentence: string, leave = false): number {
  if (!sentenceFits(type, sentence)) return 0.6;
  if (type === 'permission' && leave && !verdictWords.test(withoutTitles(sentence))) return 0.85;
  return 1;
}

/** The words that ask, in a question's own order of strength; what is left names what is asked about. */
const askingWords =
  /多长时间|多少|多久|多大|几[个名门家次所位人项成天年月号台]|什么时候|何时|哪一年|哪年|哪些|哪几|哪个|什么|啥|怎么办|怎么样|怎么|怎样|如何|咋办|咋|能不能|可不可以|可以吗|能否|是否|是不是|要不要|需不需要|有没有|会不会|行不行|行吗|能吗|吗|呢|吧|啊|呀|嘛|[?？]|\b(?:how (?:many|much|long|soon|do|can|should)|what(?: is| are)?|which|when|who|is there|are there|can|may|must|should|do|does)\b/giu;

/**
 * A question without its question words and particles, for a follow-up that keeps the topic and
 * asks something else about it ("那要多久" after "要建什么档案").
 *
 * @example withoutQuestionWords('辽宁中职学校要给新生建立什么档案？') // '辽宁中职学校要给新生建立 档案'
 */
export function withoutQuestionWords(question: string): string {
  return question.replace(askingWords, ' ').replace(/\s+/gu, ' ').trim();
}
