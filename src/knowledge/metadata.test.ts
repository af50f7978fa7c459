/**
 * What a policy text says about itself: a cover notice (关于印发《……》的通知) parted from the
 * document it issues, issuers read from a heading, a title or a signature block, and the date a
 * document applies from (自……起施行).
 */
import { describe, expect, it } from 'vitest';
import { effectiveDateIn, expiryIn, extractMetadata, splitCoverNotice } from './metadata.ts';

const text = (...lines: string[]): string => lines.join('\n');

describe('a cover notice and the document it issues', () => {
  it('parts a notice broken over two lines (as in a PDF) from a 细则 that follows without a title line', () => {
    const source = text(
      '山东省教育厅文件',
      '鲁教职字〔2024〕7号',
      '山东省教育厅关于印发《山东省中等职业学校学生资助管理',
      '实施细则》的通知',
      '各市教育局：',
      '现将《山东省中等职业学校学生资助管理实施细则》印发给你们，请认真贯彻执行。',
      '山东省教育厅',
      '2024年2月1日',
      '（此件主动公开）',
      '附件',
      '第一章 总则',
      '第一条 为规范资助管理，制定本细则。',
      '第二条 本细则自2024年3月1日起施行。',
    );
    const split = splitCoverNotice(source)!;
    expect(split.notice).toEqual({
      title: '山东省教育厅关于印发《山东省中等职业学校学生资助管理实施细则》的通知',
      documentTitle: '山东省中等职业学校学生资助管理实施细则',
      number: '鲁教职字〔2024〕7号',
      date: '2024-02-01',
      signature: ['山东省教育厅'],
    });
    expect(split.documentText).toBe(text('第一章 总则', '第一条 为规范资助管理，制定本细则。', '第二条 本细则自2024年3月1日起施行。'));
    expect(split.noticeText.split('\n').at(-1)).toBe('（此件主动公开）');
    expect(split.noticeText).not.toMatch(/附件|第一条/u);
    const metadata = extractMetadata(source);
    expect(metadata).toMatchObject({ title: '山东省中等职业学校学生资助管理实施细则', issuer: '山东省教育厅', date: '2024-02-01', effective: '2024-03-01', region: '山东省' });
  });

  it('cites the document by its own title line when it adds a note the notice left out (（试行）)', () => {
    const source = text(
      '关于印发《江西省职业院校学生顶岗实习管理办法》的通知',
      '各设区市教育局：',
      '现将《江西省职业院校学生顶岗实习管理办法》印发给你们，请遵照执行。',
      '江西省教育厅',
      '2023年6月2日',
      '江西省职业院校学生顶岗实习管理办法（试行）',
      '第一条 为规范顶岗实习，制定本办法。',
      '第二条 本办法自2023年9月1日起试行。',
    );
    expect(extractMetadata(source)).toMatchObject({ title: '江西省职业院校学生顶岗实习管理办法（试行）', issuer: '江西省教育厅', date: '2023-06-02' });
    expect(splitCoverNotice(source)!.documentText).toBe(text('第一条 为规范顶岗实习，制定本办法。', '第二条 本办法自2023年9月1日起试行。'));
  });

  it('starts the document at its own title, not at the same title in the notice’s list of attachments', () => {
    const source = text(
      '关于印发《河北省职业院校学生实习管理办法》的通知',
      '各市教育局：',
      '现将《河北省职业院校学生实习管理办法》印发给你们，请认真贯彻执行。',
      '附件',
      '河北省职业院校学生实习管理办法',
      '河北省教育厅',
      '2024年4月8日',
      '河北省职业院校学生实习管理办法',
      '第一章 总则',
      '第一条 为规范实习，制定本办法。',
    );
    const split = splitCoverNotice(source)!;
    expect(split.notice).toMatchObject({ date: '2024-04-08', signature: ['河北省教育厅'] });
    expect(split.documentText).toBe(text('第一章 总则', '第一条 为规范实习，制定本办法。'));
  });

  it('reads a notice asking for comments on a draft as that draft', () => {
    const metadata = extractMetadata(
      text(
        '关于公开征求《福建省职业学校学生实习管理办法（征求意见稿）》意见的通知',
        '为广泛听取社会各界意见，现将《福建省职业学校学生实习管理办法（征求意见稿）》向社会公开征求意见。',
        '福建省教育厅',
        '2024年1月10日',
        '福建省职业学校学生实习管理办法（征求意见稿）',
        '第一条 为规范实习，制定本办法。',
        '第二条 本办法适用于全省职业学校。',
      ),
    );
    expect(metadata).toMatchObject({ title: '福建省职业学校学生实习管理办法（征求意见稿）', issuer: '福建省教育厅', status: 'draft', date: '2024-01-10' });
    expect(metadata.notice?.title).toBe('关于公开征求《福建省职业学校学生实习管理办法（征求意见稿）》意见的通知');
  });

  it('takes the issuers named at the start of the notice’s title', () => {
    const metadata = extractMetadata(
      text(
        '浙江省教育厅 浙江省人力资源和社会保障厅关于印发《浙江省职业学校学生实习管理办法》的通知',
        '各市教育局：',
        '现将《浙江省职业学校学生实习管理办法》印发给你们，请认真贯彻执行。',
        '2024年3月15日',
        '浙江省职业学校学生实习管理办法',
        '第一章 总则',
        '第一条 为规范实习，制定本办法。',
      ),
    );
    expect(metadata).toMatchObject({ title: '浙江省职业学校学生实习管理办法', issuer: '浙江省教育厅、浙江省人力资源和社会保障厅', date: '2024-03-15' });
    expect(metadata.notice?.title).toBe('浙江省教育厅 浙江省人力资源和社会保障厅关于印发《浙江省职业学校学生实习管理办法》的通知');
  });

  it('is no cover notice when the notice issues several documents, or comes without the document', () => {
    const several = text('关于印发《甲省职业学校实习管理办法》和《甲省职业学校学籍管理办法》的通知', '各市教育局：', '现将两个办法印发给你们。', '甲省教育厅', '2024年1月1日', '甲省职业学校实习管理办法', '第一条 甲。');
    expect(splitCoverNotice(several)).toBeNull();
    const alone = text('关于印发《浙江省职业学校学生实习管理办法》的通知', '各市教育局：', '现将《浙江省职业学校学生实习管理办法》印发给你们。', '附件：浙江省职业学校学生实习管理办法', '浙江省教育厅', '2024年3月15日');
    expect(splitCoverNotice(alone)).toBeNull();
    expect(extractMetadata(alone)).toMatchObject({ title: '关于印发《浙江省职业学校学生实习管理办法》的通知', notice: null, issuer: '浙江省教育厅' });
  });
});

describe('where the title came from, as the admin reads it', () => {
  it('names a plain title line by the kind it ends in, and a 关于…… line as such', () => {
    expect(extractMetadata(text('河北省职业院校学生奖学金评审管理办法', '第一条 为规范奖学金评审，制定本办法。')).notes).toContain('标题：文首以“办法”结尾的行');
    expect(extractMetadata(text('关于做好职业学校学生资助工作的通知', '各市教育局：', '一、各校要按时发放国家助学金。')).notes).toContain('标题：文首“关于……”行');
  });
});

describe('issuers when the heading names none', () => {
  it('reads them from the title’s opening: 江苏省教育厅关于……的通知', () => {
    expect(extractMetadata(text('江苏省教育厅关于做好职业学校学生资助工作的通知', '各市教育局：', '一、各校要按时发放国家助学金。')).issuer).toBe('江苏省教育厅');
  });

  it('reads them from the signature above the date, even when attachments, 抄送 and 印发 lines follow it', () => {
    const metadata = extractMetadata(
      text(
        '关于做好2024届中等职业学校毕业生就业工作的通知',
        '各地级以上市教育局，各中等职业学校：',
        '一、加强就业指导。各校要配备专职就业指导教师。',
        '二、拓宽就业渠道。各校要组织校园招聘活动。',
        '广东省教育厅办公室',
        '广东省人力资源和社会保障厅办公室',
        '二〇二四年三月二十日',
        '附件：1.2024届毕业生就业情况统计表',
        '2.2024届毕业生就业工作联系人名单',
        '3.校园招聘活动安排表',
        '4.就业困难毕业生帮扶台账',
        '5.就业指导课程开设情况表',
        '6.用人单位名录',
        '7.毕业生就业质量年度报告提纲',
        '8.就业创业政策汇编',
        '9.职业生涯规划大赛通知',
        '（联系人：张老师，电话：020-12345678）',
        '公开方式：主动公开',
        '抄送：省人民政府办公厅。',
        '广东省教育厅办公室 2024年3月21日印发',
      ),
    );
    expect(metadata).toMatchObject({ issuer: '广东省教育厅办公室、广东省人力资源和社会保障厅办公室', date: '2024-03-20', region: '广东省' });
    expect(metadata.notes).toEqual(expect.arrayContaining(['发文机关：落款', '日期：落款日期']));
  });

  it('parts issuers a PDF ran together on one signature line', () => {
    const metadata = extractMetadata(text('关于加强职业指导工作的通知', '各市教育局：', '各校要加强职业指导工作。', '山东省教育厅山东省人力资源和社会保障厅', '2023年5月12日'));
    expect(metadata.issuer).toBe('山东省教育厅、山东省人力资源和社会保障厅');
  });
});

  it('reads a bank branch among the signers (中国人民银行……分行), not an empty signature', () => {
    const metadata = extractMetadata(
      text('关于做好创业担保贷款工作的通知', '各市财政局：', '各地要做好创业担保贷款贴息工作。', '广西壮族自治区财政厅', '广西壮族自治区教育厅', '中国人民银行广西壮族自治区分行', '2025年7月28日'),
    );
    expect(metadata.issuer).toBe('广西壮族自治区财政厅、广西壮族自治区教育厅、中国人民银行广西壮族自治区分行');
  });

describe('the date a document applies from', () => {
  it('reads 自……起施行 of the document itself, not of a law it cites', () => {
    const source = text('第一条 根据《中华人民共和国职业教育法》（自2022年5月1日起施行），制定本办法。', '第十条 本办法由省教育厅负责解释，自2024年9月1日起施行。', '第十一条 《某某规定》自本办法施行之日起废止。');
    expect(effectiveDateIn(source, null)).toEqual({ date: '2024-09-01', phrase: '自2024年9月1日起施行' });
  });

  it('reads 自印发之日起施行 as the signature date, and nothing when that is unknown', () => {
    expect(effectiveDateIn('第九条 本办法自印发之日起施行。', '2023-09-08')?.date).toBe('2023-09-08');
    expect(effectiveDateIn('第三十条 本规定由教育部负责解释，自发布之日起施行。', null)).toBeNull();
  });

  it.each([
    ['本办法自2024年9月1日起实行。', null, '2024-09-01'],
    ['本办法自发布之日起试行。', '2023-05-06', '2023-05-06'],
    ['本规定自二〇〇八年一月一日起施行。', null, '2008-01-01'],
    ['本意见自2024年9月起施行。', null, '2024-09-01'],
    ['本细则从2024年9月1日开始施行。', null, '2024-09-01'],
    ['本办法于2024年9月1日起正式施行。', null, '2024-09-01'],
    ['本通知自2024年9月1日施行。', null, '2024-09-01'],
    ['本办法自颁布之日起实行。', '2023-05-06', '2023-05-06'],
    ['本办法自印发之日起三十日后施行。', '2023-05-06', '2023-06-05'],
    ['本办法自印发之日起60日后施行。', '2024-01-15', '2024-03-15'],
  ])('reads “%s”', (sentence, signed, expected) => {
    expect(effectiveDateIn(sentence, signed)?.date).toBe(expected);
  });

  it('does not read a date with neither 自/从/于 nor 起 as the start (…施行的《条例》)', () => {
    expect(effectiveDateIn('根据《职业教育法》（2022年5月1日施行）制定。', null)).toBeNull();
  });

  it('asks for the date when the text applies from its issuing day but states no date', () => {
    const metadata = extractMetadata(text('某某学校学生实习管理规定', '第一条 为规范实习，制定本规定。', '第二条 本规定自发布之日起施行。'));
    expect(metadata.effective).toBeNull();
    expect(metadata.notes.join('\n')).toContain('自发布（印发）之日起施行，但文中没有发布日期');
  });

  it('does not take a 施行 date a PDF broke onto a line of its own for the signature date', () => {
    const metadata = extractMetadata(
      text('湖南省职业学校学生实习管理规定', '第一条 为规范实习，制定本规定。', '第二条 学生每日实习时间不超过8小时。', '第三条 本规定由省教育厅负责解释，自', '2024年5月1日起施行。'),
    );
    expect(metadata.date).toBeNull();
    expect(metadata.effective).toBe('2024-05-01');
  });
});

describe('the date a document stops applying', () => {
  it.each([
    ['本办法自2025年4月1日起施行，有效期5年。', '2025-04-01', '2030-03-31'],
    ['本细则自2024年3月1日起施行，有效期为五年。', '2024-03-01', '2029-02-28'],
    ['本意见自印发之日起施行，有效期限3年。', '2023-01-10', '2026-01-09'],
    ['本办法自2024年9月1日起施行，有效期至2027年8月31日。', '2024-09-01', '2027-08-31'],
  ])('reads “%s”', (sentence, from, expected) => {
    expect(expiryIn(sentence, from)?.date).toBe(expected);
  });

  it("does not take a certificate's or a subsidy's 有效期 in an article for the document's", () => {
    expect(expiryIn('第十二条 职业技能等级证书自颁发之日起生效，有效期3年。', '2025-04-01')).toBeNull();
    expect(expiryIn('第八条 认定结果有效期为2年，期满重新认定。', '2025-04-01')).toBeNull();
  });

  it('gives no date for years with no day to count from', () => {
    expect(expiryIn('本办法自印发之日起施行，有效期5年。', null)).toBeNull();
  });

  it('an upload says when it stops applying, and the admin sees where that came from', () => {
    const metadata = extractMetadata(
      text('某省高校毕业生就业见习管理办法', '第一条 为规范就业见习，制定本办法。', '第二条 见习期限为3至12个月。', '第三条 本办法自2025年4月1日起施行，有效期5年。', '某省人力资源和社会保障厅', '2025年2月18日'),
    );
    expect(metadata).toMatchObject({ effective: '2025-04-01', expires: '2030-03-31' });
    expect(metadata.notes.join('\n')).toContain('失效日期：正文“有效期5年”');
  });
});
