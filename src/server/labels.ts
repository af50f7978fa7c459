/**
 * The words a teacher reads for names the code uses: channels and eval datasets. One place, so
 * the dashboard, the admin pages (and the command line, if it wants) say the same thing.
 */

/** Channel ids (`InboundMessage.channel`, `tickets.channel`) as a school calls them. */
export const channelLabels: Readonly<Record<string, string>> = {
  'wechat-oa': '微信公众号',
  wechat: '个人微信',
  telegram: 'Telegram',
  web: '网页',
  console: '命令行',
  cli: '命令行',
};

/**
 * A channel's name for teachers; an unknown id is shown as it is.
 *
 * @example channelLabel('wechat-oa') // '微信公众号'
 */
export function channelLabel(channel: string): string {
  return channelLabels[channel] ?? channel;
}

/** The eval datasets (`eval/datasets/<name>.jsonl`) in words: what each one checks. */
export const datasetLabels: Readonly<Record<string, string>> = {
  policy: '政策问答',
  holdout: '留出题',
  'holdout-b': '留出题（第二组）',
  'dev-fresh': '新问法（调优用）',
  'blind-2': '盲测题（第二组）',
  routing: '分流',
  'routing-redteam': '分流对抗题（危机、转人工、诱导）',
  'multi-turn': '多轮追问',
  'new-document': '新文件检查',
  school: '校内评测题（本校学生的真实问题）',
};

/**
 * A dataset's name for teachers; an unknown one (a school's own file) is shown by its file name.
 *
 * @example datasetLabel('routing-redteam') // '分流对抗题（危机、转人工、诱导）'
 */
export function datasetLabel(name: string): string {
  return datasetLabels[name] ?? name;
}
