import { describe, expect, it } from 'vitest';
import { questionInMessage } from './asked-question.ts';

describe('questionInMessage', () => {
  it('takes the question after the words that announce it, with the region and kind of school of the background', () => {
    expect(
      questionInMessage('我在河南一个高职读大三 我们专业下学期要去厂里实习 我妈觉得太早了 室友说随便去两周就能回来 我自己也拿不准 就想问下 按规定到底要在单位实习多久'),
    ).toBe('河南 高职 按规定到底要在单位实习多久');
  });

  it('takes the last clause that asks when nothing announces it, with the one before when it says too little alone', () => {
    expect(questionInMessage('我初三 成绩一般 我妈让我去读中专 说学个好就业的 我自己也挺迷茫的 辽宁那边现在哪些专业缺人 护理算不算')).toBe(
      '中专 辽宁那边现在哪些专业缺人 护理算不算',
    );
  });

  it('keeps the scene a question points back into (他们, 像我这种情况)', () => {
    const question = questionInMessage('上周去拉萨那个人力资源服务机构做了个测评 填了好多个人信息 回来越想越不放心 我就想问下 他们会不会把我的测评结果泄露出去');
    expect(question).toContain('人力资源服务机构');
    expect(question).toContain('他们会不会把我的测评结果泄露出去');
    expect(questionInMessage('我是少数民族 家里条件也不好 在河南读大学 眼看就要毕业了 简历投出去也没啥回音 想问一下 像我这种情况学校会不会多帮帮')).toBe(
      '河南 大学 我是少数民族 家里条件也不好 像我这种情况学校会不会多帮帮',
    );
  });

  it('reads English: the last question, with the age, school and region the student gave', () => {
    expect(
      questionInMessage("I'm 17 and I study at a secondary vocational school in Liaoning. My class teacher is always busy. Next month we go to a factory. Do I need my guardian's consent?"),
    ).toBe("Liaoning secondary vocational school I'm 17 Next month we go to a factory. Do I need my guardian's consent?");
  });

  it('keeps what a short English question points back to, and reads a short English message as it stands', () => {
    expect(
      questionInMessage(
        'I study at a secondary vocational school in Liaoning and my parents are away, my class teacher is busy, and nobody explains anything to us. The factory kept my ID card. Is that allowed?',
      ),
    ).toBe('Liaoning secondary vocational school The factory kept my ID card. Is that allowed?');
    expect(questionInMessage('My internship employer in Liaoning kept my ID card last week. Is that allowed?')).toBeNull();
  });

  it('leaves a short message, one that is all question, or one that asks nothing as it is', () => {
    expect(questionInMessage('中职毕业自己创业的话 教育部门会帮忙协调税务金融吗')).toBeNull();
    expect(questionInMessage('请问中等职业学校在核定的编制内至少要配备几名具有一定专业水准的专兼职职业指导教师呢')).toBeNull();
    expect(questionInMessage('今天去学校办了手续 排了好久的队 中午也没吃饭 下午又去了趟银行 累死了 不过总算办完了')).toBeNull();
  });

  it('does not take an announcement in the background that no question follows ("让我去问下教务处")', () => {
    expect(questionInMessage('班主任让我去问下教务处 教务处又说找辅导员 来回跑了好几趟 我在山东读大学 学校必须设职业生涯咨询工作室吗')).toBe(
      '山东 大学 学校必须设职业生涯咨询工作室吗',
    );
  });
});
