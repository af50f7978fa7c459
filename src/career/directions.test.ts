import { describe, expect, it } from 'vitest';
import { say } from './career-texts.ts';
import { directionReasons, matchDirections, mayBeSuggested, scoreFamily, type MatchProfile } from './directions.ts';
import { occupations } from './occupations.ts';

const profile = (overrides: Partial<MatchProfile> = {}): MatchProfile => ({
  school: '中职',
  major: '幼儿保育',
  location: '河南郑州',
  interests: null,
  constraints: [],
  priority: '稳定',
  ...overrides,
});

const family = (id: string) => occupations().families.find((candidate) => candidate.id === id)!;
const ids = (code: string, overrides: Partial<MatchProfile> = {}): string[] =>
  matchDirections([...code] as never, profile(overrides)).map((match) => match.family.id);

describe('matching directions to a student', () => {
  it('weights the code letters 3/2/1, a secondary type by half, and adds the pair bonus', () => {
    // smart-manufacturing is R (also I, C) and listed under the RI pair: 3 + 2×0.5 + 1×0.5 + 1.5.
    const match = scoreFamily(family('smart-manufacturing'), ['R', 'I', 'C'], profile({ major: '护理', priority: '收入' }));
    expect(match.interestScore).toBe(6);
    expect(match.score).toBe(6);
    // the pair does not care about the order of the first two letters
    expect(scoreFamily(family('smart-manufacturing'), ['I', 'R', 'C'], profile({ major: '护理', priority: '收入' })).interestScore).toBe(
      3 * 0.5 + 2 + 1 * 0.5 + 1.5,
    );
  });

  it('multiplies the interest score by 1.5 when 兴趣 matters most', () => {
    const match = scoreFamily(family('smart-manufacturing'), ['R', 'I', 'C'], profile({ major: '护理', priority: '兴趣' }));
    expect(match.interestScore).toBe(9);
  });

  it('adds 3 for the major, 1 for an interest and 1 for each constraint or priority a trait meets', () => {
    const match = scoreFamily(
      family('automotive'),
      ['S', 'A', 'E'],
      profile({ major: '汽车运用与维修', interests: '修车、打篮球', constraints: ['想尽快工作', '离家近'], priority: '离家近' }),
    );
    expect(match).toMatchObject({ interestScore: 0, majorMatch: true, interestMatches: ['修车'] });
    expect(match.traitBonuses.map((bonus) => bonus.reason)).toEqual(['quick', 'local', 'priority']);
    expect(match.score).toBe(3 + 1 + 3);
  });

  it('suggests only directions of the major’s field, whatever the code, when the student’s words point nowhere else', () => {
    const automotiveField = ['automotive', 'smart-manufacturing', 'electrical', 'transport'];
    for (const code of ['SAE', 'ICS', 'RIC']) {
      for (const id of ids(code, { major: '汽车运用与维修' })) expect(automotiveField).toContain(id);
    }
    // 修电脑 is one keyword, and it is about computers: neither cars nor wiring
    const computing = ids('RIC', { school: '高职', major: '计算机应用技术', interests: '帮同学修电脑、打游戏' });
    expect(computing).not.toContain('automotive');
    expect(computing).not.toContain('electrical');
    expect(computing[0]).toBe('software');
  });

  it('adds a direction outside the major only on two keywords or more of the student’s own, and says why', () => {
    const one = profile({ school: '本科', major: '机械工程', interests: '修车' });
    expect(ids('RIC', one)).not.toContain('automotive');
    expect(mayBeSuggested(scoreFamily(family('automotive'), ['R', 'I', 'C'], one))).toBe(false);
    const two = profile({ school: '本科', major: '机械工程', interests: '喜欢汽车，自己改装过电动车', priority: '兴趣' });
    const automotive = scoreFamily(family('automotive'), ['R', 'I', 'C'], two);
    expect(automotive).toMatchObject({ majorMatch: false, field: null, interestMatches: ['汽车', '车', '改装'] });
    expect(mayBeSuggested(automotive)).toBe(true);
    expect(ids('RIC', two)).toContain('automotive');
    expect(directionReasons(automotive, ['R', 'I', 'C'], two)).toContain(say('reasons', 'outside_major', { major: '机械工程', interest: '汽车、车、改装' }));
  });

  it('puts the 对口 family in as a fourth direction when the student’s interests filled the first three', () => {
    const student = profile({ major: '汽车运用与维修', interests: '唱歌、跳舞、表演，照顾老人、帮助别人，带小孩', priority: '兴趣' });
    const matches = matchDirections(['S', 'A', 'E'], student);
    expect(matches.map((match) => match.family.id)).toEqual(['performing-culture', 'early-childhood', 'community-service', 'transport']);
    expect(matches.slice(0, 3).some((match) => match.majorMatch)).toBe(false);
    expect(matches[3]!.field?.id).toBe('automotive');
    const reasons = directionReasons(matches[3]!, ['S', 'A', 'E'], student);
    expect(reasons).toBe(
      say('reasons', 'code_secondary', { code: 'SAE', letters: 'S' }) +
        say('reasons', 'separator') +
        say('reasons', 'major_field', { major: '汽车运用与维修', field: '汽车类' }) +
        say('reasons', 'end'),
    );
    expect(directionReasons(matches[0]!, ['S', 'A', 'E'], student)).toContain(say('reasons', 'outside_major', { major: '汽车运用与维修', interest: '唱歌、跳舞、表演' }));
  });

  it('matches on the code alone, and says so, when the major is in no known field', () => {
    const student = profile({ major: '无关专业' });
    const matches = matchDirections(['R', 'I', 'C'], student);
    expect(matches.every((match) => match.majorUnknown && !match.majorMatch)).toBe(true);
    expect(directionReasons(matches[0]!, ['R', 'I', 'C'], student)).toContain(say('reasons', 'major_unknown', { major: '无关专业' }));
  });

  it('adds no fourth direction when a 对口 family is already among the three', () => {
    const matches = matchDirections(['S', 'A', 'E'], profile({ major: '学前教育' }));
    expect(matches).toHaveLength(3);
    expect(matches[0]!.family.id).toBe('early-childhood');
    expect(matches[0]!.majorMatch).toBe(true);
  });

  it('offers only families open to the student’s school', () => {
    expect(ids('ICE', { school: '中职', major: '大数据技术' })).not.toContain('data-analysis');
    expect(ids('ICE', { school: '高职', major: '大数据技术' })).toContain('data-analysis');
    for (const school of ['中职', '高职', '本科'] as const) {
      for (const code of ['RIC', 'ISA', 'SEC', 'AES']) {
        for (const id of ids(code, { school })) expect(family(id).schools).toContain(school);
      }
    }
  });

  it('takes at most two directions of one primary type among the first three', () => {
    for (const code of ['RIC', 'RCE', 'SEA', 'CEI']) {
      const types = matchDirections([...code] as never, profile({ major: '无关专业' }))
        .slice(0, 3)
        .map((match) => match.family.type);
      for (const type of new Set(types)) expect(types.filter((other) => other === type).length).toBeLessThanOrEqual(2);
    }
    // electronics (I, also R; income) 2×1 + 3×0.5 + pair 1.5 + 收入 1 = 6 passes automotive (R, also I) 3 + 1 + 1.5 = 5.5
    expect(ids('RIC', { major: '无关专业', priority: '收入' })).toEqual(['smart-manufacturing', 'electronics', 'automotive']);
  });

  it('keeps file order between equal scores', () => {
    // R families without pair, major, interest or trait bonuses: construction and electrical both score 3 + 0.5 (C).
    const matches = matchDirections(['R', 'S', 'C'], profile({ major: '无关专业', priority: '收入' }));
    const scores = matches.map((match) => match.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const all = occupations().families.map((candidate) => candidate.id);
    for (let index = 1; index < matches.length; index += 1) {
      if (matches[index]!.score === matches[index - 1]!.score) {
        expect(all.indexOf(matches[index]!.family.id)).toBeGreaterThan(all.indexOf(matches[index - 1]!.family.id));
      }
    }
  });

  it('explains a direction with the code, major, interests, constraints and priority', () => {
    const student = profile({ major: '数控技术应用', interests: '修车、打篮球', constraints: ['想尽快工作', '家庭经济压力', '离家近'], priority: '离家近', location: '辽宁沈阳' });
    const [first] = matchDirections(['R', 'I', 'C'], student);
    expect(first!.family.id).toBe('smart-manufacturing');
    const reasons = directionReasons(first!, ['R', 'I', 'C'], student);
    expect(reasons.startsWith(say('reasons', 'code_primary', { code: 'RIC', letter: 'R', name: '实用型' }))).toBe(true);
    expect(reasons).toContain(say('reasons', 'major_field', { major: '数控技术应用', field: '装备制造类' }));
    expect(reasons).toContain(say('reasons', 'quick'));
    expect(reasons).toContain(say('reasons', 'pressure'));
    expect(reasons.endsWith(say('reasons', 'end'))).toBe(true);
    const automotive = scoreFamily(family('automotive'), ['R', 'I', 'C'], student);
    const automotiveReasons = directionReasons(automotive, ['R', 'I', 'C'], student);
    expect(automotiveReasons).toContain(say('reasons', 'outside_major', { major: '数控技术应用', interest: '修车' }));
    expect(automotiveReasons).toContain(say('reasons', 'local', { location: '辽宁沈阳' }));
    // 离家近 as a constraint and as the priority is said once
    expect(automotiveReasons).not.toContain(say('reasons', 'priority_离家近'));
  });

  it('says the 兴趣 priority where the family is of the first letter', () => {
    const student = profile({ major: '无关专业', priority: '兴趣' });
    const [first, , third] = matchDirections(['R', 'I', 'C'], student);
    expect(directionReasons(first!, ['R', 'I', 'C'], student)).toContain(say('reasons', 'priority_兴趣'));
    expect(third!.family.type).not.toBe('R');
    expect(directionReasons(third!, ['R', 'I', 'C'], student)).not.toContain(say('reasons', 'priority_兴趣'));
  });
});
