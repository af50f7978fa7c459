import { describe, expect, it } from 'vitest';
import { extractClaims, foldText, supportOf, supports } from './claims.ts';
import { chineseNumeralValue } from './numerals.ts';
import {
  checkGrounding,
  markersIn,
  normalizeMarkers,
  renumberMarkers,
  sentenceFaithfulness,
  splitSentences,
  type GroundingSource,
} from './grounding-guard.ts';

const keys = (sentence: string): string[] => extractClaims(sentence).map((claim) => `${claim.kind}:${claim.key}${claim.region ? `@${claim.region}` : ''}`);

const lhasa85: GroundingSource = {
  text: '8.5 服务机构应在 5 个工作日内把投诉处理情况告知投诉人。',
  title: '高校毕业（含中职生）职业指导服务规范',
  locator: '8.5',
  issuer: '江苏开放大学（起草单位）',
  region: '拉萨市',
  date: '日期：标准草案，文中未注明日期',
};
const moe: GroundingSource = {
  text: '第十五条 中等职业学校应按照不低于1:500的师生比配备专职职业指导教师，未满16周岁的学生不得参加顶岗实习。',
  title: '中等职业学校职业指导工作规定',
  locator: '第十五条',
  issuer: '教育部',
  region: '全国',
  date: '日期：文中未注明发布日期（约2018年）',
};
const shandong: GroundingSource = {
  text: '各市人力资源社会保障局要会同教育部门，用3年左右时间评选30门职业指导金课，占比达到百分之一。',
  title: '关于加强职业指导队伍建设的指导意见',
  locator: '二、（二）5.',
  issuer: '山东省人力资源和社会保障厅、山东省教育厅',
  region: '山东省',
  date: '2023-11-23',
};

describe('Chinese numerals', () => {
  it.each([
    ['五', 5],
    ['十五', 15],
    ['二十', 20],
    ['一百零五', 105],
    ['三万二千', 32000],
    ['二〇一八', 2018],
    ['零点五', 0.5],
    ['两百', 200],
  ])('%s is %d', (text, value) => expect(chineseNumeralValue(text)).toBe(value));

  it('is null for what is not a numeral', () => {
    expect(chineseNumeralValue('十七大')).toBeNull();
    expect(chineseNumeralValue('')).toBeNull();
  });
});

describe('claims in a sentence', () => {
  it('finds Arabic and Chinese numbers with their units, dates and ordinals', () => {
    expect(keys('服务机构应在五个工作日内告知投诉人')).toEqual(['number:5']);
    expect(keys('新生入学 20 个工作日内')).toEqual(['number:20']);
    expect(keys('未满16周岁不得实习，2018年发布')).toEqual(['number:16', 'number:2018']);
    expect(keys('依据第十五条')).toEqual(['number:15']);
    expect(keys('二〇二三年十一月二十三日印发')).toEqual(['number:2023', 'number:11', 'number:23']);
    expect(keys('十六周岁')).toEqual(['number:16']);
  });

  it('finds percentages, ratios and fractions in every spelling', () => {
    expect(keys('师生比1：500')).toEqual(['ratio:1:500']);
    expect(keys('师生比 1:500')).toEqual(['ratio:1:500']);
    expect(keys('师生比一比五百')).toEqual(['ratio:1:500']);
    expect(keys('占１％')).toEqual(['percent:1']);
    expect(keys('占百分之一')).toEqual(['percent:1']);
    expect(keys('三分之一的学生')).toEqual(['ratio:1/3']);
    expect(keys('at least 20% of them, within five working days')).toEqual(['percent:20', 'number:5']);
  });

  it('leaves words that merely contain numeral characters alone', () => {
    expect(keys('要进一步加强，统一管理，三全育人，五育并举，第一，一名老师，每学期一次，一些学校')).toEqual([]);
  });

  it('finds titles in 《》 and named bodies, with the region they name', () => {
    expect(keys('根据《中等职业学校职业指导工作规定》，由教育部负责')).toEqual(['title:中等职业学校职业指导工作规定', 'body:教育部']);
    expect(keys('山东省人力资源和社会保障厅和省教育厅联合印发')).toEqual(['body:保障厅@山东', 'body:教育厅']);
    expect(keys('充分发挥辽宁工匠联盟作用')).toEqual(['body:工匠联盟@辽宁']);
    expect(keys('国务院印发')).toEqual(['body:国务院']);
  });

  it('does not take common words for bodies: 部门, 全部, 干部, 格局, 部署, a school without a name', () => {
    expect(keys('有关部门和全部干部要落实决策部署，形成新格局，学校就业指导中心负责')).toEqual([]);
    expect(keys('各级人力资源社会保障部门')).toEqual([]);
  });

  it('folds full-width characters, spaces and thousands separators', () => {
    expect(foldText('１：５００， 5 个工作日，1,000 元')).toBe('1:500,5个工作日,1000元');
  });
});

describe('support of a clause', () => {
  const support = supportOf([moe.text, moe.title!, moe.locator!, moe.issuer!, moe.region!, moe.date!]);
  const backed = (sentence: string): boolean[] => extractClaims(sentence).map((claim) => supports(support, claim));

  it('backs a number written the other way (Chinese ↔ Arabic), a ratio by its numbers, and the date note', () => {
    expect(backed('未满十六周岁的学生不得顶岗实习')).toEqual([true]);
    expect(backed('师生比一比五百')).toEqual([true]);
    expect(backed('每500名学生至少1名专职教师')).toEqual([true, true]);
    expect(backed('第15条，约2018年由教育部发布')).toEqual([true, true, true]);
  });

  it('does not back what the clause does not say', () => {
    expect(backed('师生比1:300')).toEqual([false]);
    expect(backed('未满18周岁')).toEqual([false]);
    expect(backed('由人力资源社会保障部负责')).toEqual([false]);
    expect(backed('占百分之五')).toEqual([false]);
  });
});

describe('markers', () => {
  it('reads [n], lists and ranges, in any bracket models use', () => {
    expect(markersIn('甲[1]，乙[2,3]，丙[4-5]')).toEqual([1, 2, 3, 4, 5]);
    expect(normalizeMarkers('见［１］与【2】，[1，3]')).toBe('见[1]与[2]，[1,3]');
  });

  it('renumbers markers in citing order', () => {
    expect(renumberMarkers('甲[3]，乙[1]，丙[3,1]。', [3, 1])).toBe('甲[1]，乙[2]，丙[1,2]。');
  });

  it('keeps a marker written after the full stop with its sentence', () => {
    expect(splitSentences('不可以。[1]押金也不行[2]。\n- 第二行；第三句')).toEqual(['不可以。[1]', '押金也不行[2]。', '第二行；', '第三句']);
    expect(splitSentences('Within 8.5 days. Another one [1].')).toEqual(['Within 8.5 days.', 'Another one [1].']);
  });
});

describe('checkGrounding', () => {
  const sources = [lhasa85, moe, shandong];

  it('passes an answer whose every claim is in the clause its sentence cites', () => {
    const result = checkGrounding('服务机构应在五个工作日内告知你处理结果[1]。这份规范是拉萨市的征求意见稿[1]。中职学校师生比不低于1：500[2]。', sources);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.cited).toEqual([1, 2]);
  });

  it('passes Chinese numerals against Arabic ones and the other way round', () => {
    expect(checkGrounding('各市用三年左右评选三十门金课，占比百分之一[3]。', sources).ok).toBe(true);
    expect(checkGrounding('未满16周岁不能顶岗实习，这是第15条的规定[2]。', sources).ok).toBe(true);
  });

  it('rejects an answer without any marker', () => {
    expect(checkGrounding('可以收取押金。', sources).problems).toEqual([{ kind: 'no-marker' }]);
  });

  it('rejects a marker that points at no given clause', () => {
    const result = checkGrounding('服务机构应在5个工作日内告知[4]。', sources);
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual({ kind: 'unknown-marker', marker: 4 });
  });

  it('rejects a number, a percentage, a ratio or a body the cited clause does not have', () => {
    expect(checkGrounding('服务机构应在7个工作日内告知[1]。', sources).problems).toEqual([
      { kind: 'unsupported-claim', sentence: 1, claims: ['7'], markers: [1] },
    ]);
    expect(checkGrounding('占比百分之二[3]。', sources).ok).toBe(false);
    expect(checkGrounding('师生比1:500[1]。', sources).problems).toEqual([{ kind: 'unsupported-claim', sentence: 1, claims: ['1:500'], markers: [1] }]);
    expect(checkGrounding('由人力资源社会保障部负责[2]。', sources).ok).toBe(false);
    expect(checkGrounding('由辽宁省教育厅负责[3]。', sources).ok).toBe(false);
    expect(checkGrounding('见《职业教育法》[2]。', sources).ok).toBe(false);
  });

  it('checks each sentence against its own markers, not the whole answer', () => {
    // 1:500 is in clause 2, but this sentence cites clause 1.
    const result = checkGrounding('服务机构应在5个工作日内告知[1]。师生比1:500[1]。', sources);
    expect(result.problems).toEqual([{ kind: 'unsupported-claim', sentence: 2, claims: ['1:500'], markers: [1] }]);
  });

  it('rejects a sentence with a claim but no marker, even when another sentence cites', () => {
    const result = checkGrounding('不可以[2]。最多收3000元。', sources);
    expect(result.problems).toEqual([{ kind: 'uncited-claim', sentence: 2, claims: ['3000'] }]);
  });

  it('lets sentences without claims go uncited', () => {
    expect(checkGrounding('别担心，我帮你查了。服务机构应在5个工作日内告知[1]。如有疑问可以转人工。', sources).ok).toBe(true);
  });
});

describe('sentenceFaithfulness', () => {
  it('counts the sentences with claims and those the cited clauses back', () => {
    expect(sentenceFaithfulness('应在五个工作日内告知[1]。师生比1:300[2]。你好。', [lhasa85, moe])).toEqual({
      claimSentences: 2,
      faithfulSentences: 1,
      unsupported: ['1:300'],
    });
  });

  it('reads an unmarked sentence against every source (extractive answers)', () => {
    expect(sentenceFaithfulness('根据《中等职业学校职业指导工作规定》第十五条：未满16周岁的学生不得参加顶岗实习。', [lhasa85, moe])).toMatchObject({
      claimSentences: 1,
      faithfulSentences: 1,
    });
  });
});
