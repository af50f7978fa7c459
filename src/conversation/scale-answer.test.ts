import { describe, expect, it } from 'vitest';
import type { Citation } from '../answering/types.ts';
import { Replies } from '../prompts.ts';
import { scaleLine, withFirstLine } from './scale-answer.ts';

const replies = new Replies();
const clause = (locator: string, text: string): Citation => ({ doc: 'henan-gaoxiao-employment-services', title: '关于进一步做好普通高等学校毕业生就业指导与服务工作的意见', locator, text });
const rooms = clause(
  '四、（六）',
  '信息查询室为在校学生查询就业信息场所。用于学生查询就业信息的电脑按毕业生规模配备，1000人以下的不少于10台，1000人以上每增加200人增加1台。\n招聘会议厅为用人单位与在校学生进行供需见面、双向选择活动的场所。其使用面积按毕业生规模计算，1000名以下的要达到200平方米，每增加500名毕业生增加50平方米。',
);
const staff = clause('四、（七）', '学校就业指导与服务职能部门要按照专职人员与应届毕业生的比例不低于1：500和“专业化、职业化、专家化”的标准，配备就业指导专职人员。');
const answerQuoting = (sentence: string): string => `根据《…》四、（六）：${sentence}\n\n【原文】\n四、（六）：「${rooms.text}」`;

describe('scaleLine', () => {
  it('quotes the rule, shows the computation and says the amount, rounding a minimum up', () => {
    expect(scaleLine(['我们学校1600个应届毕业生要配几个专职的'], '', [staff], 'zh', replies)).toBe(
      '按「专职人员与应届毕业生的比例不低于1：500」算：你们1600名应届毕业生，1600 ÷ 500 = 3.2，标准是下限，向上取整为 4，至少要4名专职人员。',
    );
  });

  it('takes the count from the conversation’s frame when the message states none', () => {
    const line = scaleLine(['那查就业信息的电脑要配几台', '河南 高校 毕业生2000人 那查就业信息的电脑要配几台'], answerQuoting('用于学生查询就业信息的电脑按毕业生规模配备…'), [rooms], 'zh', replies);
    expect(line).toContain('2000 − 1000 = 1000，1000 ÷ 200 = 5，10 + 5 × 1 = 15，至少要15台');
  });

  it('of a clause’s several rules, computes the one the answer’s lead quotes', () => {
    const lead = answerQuoting('其使用面积按毕业生规模计算，1000名以下的要达到200平方米，每增加500名毕业生增加50平方米。');
    expect(scaleLine(['那2000人呢'], lead, [rooms], 'zh', replies)).toContain('至少要300平方米');
  });

  it('answers in English with the same steps', () => {
    expect(scaleLine(['what if we have 1800 graduates?'], '', [rooms], 'en', replies)).toBe(
      'By the rule 「1000人以下的不少于10台，1000人以上每增加200人增加1台」, for 1800名毕业生: 1800 − 1000 = 800, 800 ÷ 200 = 4, 10 + 4 × 1 = 14, so at least 14台.',
    );
  });

  it('says nothing without an exact count, or when the cited clause has no rule for it', () => {
    expect(scaleLine(['我们毕业生不到一千 要配几台电脑'], '', [rooms], 'zh', replies)).toBeNull();
    expect(scaleLine(['我们学校1500个毕业生 要交押金吗'], '', [clause('二、11.', '不得向学生收取实习押金。')], 'zh', replies)).toBeNull();
  });
});

describe('withFirstLine', () => {
  it('puts the line before the lead, above the quoted clauses', () => {
    expect(withFirstLine('根据…：…\n\n【原文】…', '按「…」算：…')).toBe('按「…」算：…\n根据…：…\n\n【原文】…');
  });
});
