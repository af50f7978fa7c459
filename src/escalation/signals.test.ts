import { describe, expect, it } from 'vitest';
import { saysAnswerWrong, saysDifficultGroup } from './signals.ts';

describe('escalation signals', () => {
  it('hears a student saying they belong to a group that needs employment help', () => {
    for (const message of ['我家是低保户', '我是就业困难群体', '我是建档立卡贫困户的学生', '我有残疾', '我们家是零就业家庭', '我家里经济困难']) {
      expect(saysDifficultGroup(message), message).toBe(true);
    }
  });

  it('does not flag questions about those groups', () => {
    for (const message of ['就业困难群体有哪些帮扶？', '低保家庭的学生有什么政策', '残疾毕业生怎么就业', '实习押金合法吗']) {
      expect(saysDifficultGroup(message), message).toBe(false);
    }
  });

  it('hears "that answer was wrong" but not a question that contains 不对', () => {
    for (const message of ['不对', '你说的不对！', '答非所问', '没用', "That's wrong"]) expect(saysAnswerWrong(message), message).toBe(true);
    for (const message of ['实习单位不对我负责怎么办', '不对劲的实习单位能投诉吗']) expect(saysAnswerWrong(message), message).toBe(false);
  });
});
