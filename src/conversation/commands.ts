import { normalizeText } from '../retrieval/normalize.ts';

/** A command a student can type (or press) in any channel. */
export type Command = 'help' | 'restart' | 'show-plan' | 'delete-data' | 'start-planning';

const commands: [Command, RegExp][] = [
  ['help', /^(?:\/?help|\/?start|帮助|菜单|menu|[?？]|你能做什么|你会什么|能做什么|怎么用|功能|你好|您好|hi|hello)[!！。.]?$/iu],
  ['restart', /^(?:重新开始|重来|从头开始|restart|reset|\/restart)$/iu],
  ['show-plan', /^(?:我的规划|我的计划|我的职业规划|查看规划|看看我的规划|我的档案|my plan|\/plan)$/iu],
  ['delete-data', /^(?:删除我的数据|删除数据|删掉我的数据|删除我的信息|清除我的数据|delete my data|\/delete)$/iu],
  [
    'start-planning',
    /^(?:我想|我要|帮我|想|开始|来)?(?:做|做个|做一下|开始)?(?:职业规划|生涯规划|职业生涯规划|规划)(?:吧|一下)?$|^(?:career plan(?:ning)?|plan my career|\/career)$/iu,
  ],
];

/** The command a message is, if it is one; questions that merely mention 职业规划 are not. */
export function commandOf(message: string): Command | null {
  const text = normalizeText(message).replace(/\s+/gu, '');
  for (const [command, pattern] of commands) if (pattern.test(text) || pattern.test(normalizeText(message))) return command;
  return null;
}

/** Questions about choosing a direction, where the bot offers the career dialogue. */
export function wantsDirection(message: string): boolean {
  return /不知道(?:以后|将来|毕业后|毕业以后)?(?:要)?(?:做什么|干什么|学什么|找什么工作|怎么选)|迷茫|选(?:什么|哪个)(?:专业|方向|工作|行业)|适合(?:做|干|学)什么|找不到方向|(?:职业|发展)方向|升学还是(?:就业|工作)|(?:就业|工作)还是升学|\bwhat (?:job|career) (?:suits|fits)\b/iu.test(
    normalizeText(message),
  );
}

/** A reply of 1–5 (also ５, 五, "5分"), for ratings. */
export function ratingOf(message: string): number | null {
  const text = normalizeText(message).replace(/\s+/gu, '');
  const match = /^([1-5一二三四五])(?:分|星)?$/u.exec(text);
  if (!match) return null;
  return '一二三四五'.includes(match[1]!) ? '一二三四五'.indexOf(match[1]!) + 1 : Number(match[1]);
}
