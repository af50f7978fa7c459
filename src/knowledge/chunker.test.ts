import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { knowledgeDir } from '../paths.ts';
import { chunkDocument } from './chunker.ts';
import { readDocumentDirectory, type LoadedDocument } from './corpus.ts';
import type { Clause } from './types.ts';

const chunk = (body: string, maxChars?: number): Clause[] =>
  chunkDocument({ id: 'doc', body }, maxChars === undefined ? {} : { maxChars });

const locators = (clauses: Clause[]): string[] => clauses.map((clause) => clause.locator);

const length = (text: string): number => [...text].length;

/** Sentences as a reader sees them: ending at 。！？； (closing quotes and brackets kept). */
const sentencesOf = (text: string): string[] =>
  text.split('\n').flatMap((line) => line.match(/[^。！？；!?]+[。！？；!?]*[”’」）)]*/gu) ?? [line]);

describe('chunkDocument on small documents', () => {
  it('cites the text of a cover notice under ## 印发通知 as 印发通知, not as a 序言 or a 落款', () => {
    const clauses = chunk(
      [
        '# 浙江省职业学校学生实习管理办法',
        '',
        '第一条 为规范实习，制定本办法。',
        '',
        '第二条 本办法自2024年5月1日起施行。',
        '',
        '## 印发通知',
        '',
        '关于印发《浙江省职业学校学生实习管理办法》的通知',
        '',
        '各市教育局：',
        '',
        '现将《浙江省职业学校学生实习管理办法》印发给你们，请认真贯彻执行。',
        '',
        '浙江省教育厅',
        '',
        '2024年3月15日',
      ].join('\n'),
    );
    expect(locators(clauses)).toEqual(['第一条', '第二条', '印发通知']);
    expect(clauses[2]).toMatchObject({ headingPath: ['印发通知'], parts: 1 });
    expect(clauses[2]!.text).toContain('现将《浙江省职业学校学生实习管理办法》印发给你们');
    expect(clauses[2]!.text.split('\n').at(-1)).toBe('2024年3月15日');
  });


  it('makes each 第X条 its own clause, located by the article and not the chapter', () => {
    const clauses = chunk(
      [
        '# 中等职业学校职业指导工作规定',
        '',
        '## 第一章 总则',
        '',
        '第一条 为规范职业指导工作，制订本规定。',
        '',
        '第二条 职业指导是职业教育的重要内容。',
        '',
        '## 第四章 师资队伍',
        '',
        '第十五条 中等职业学校应至少配备1名专兼职教师从事职业指导。',
      ].join('\n'),
    );
    expect(locators(clauses)).toEqual(['第一条', '第二条', '第十五条']);
    expect(clauses[2]).toMatchObject({
      id: 'doc#2',
      docId: 'doc',
      ordinal: 2,
      headingPath: ['第四章 师资队伍'],
      text: '第十五条 中等职业学校应至少配备1名专兼职教师从事职业指导。',
      context: '第四章 师资队伍',
      part: 1,
      parts: 1,
    });
  });

  it('prefixes numbered items and （一） paragraphs with the Chinese headings above them', () => {
    const clauses = chunk(
      [
        '# 意见',
        '',
        '为规范管理，特制定本意见。',
        '',
        '## 二、规范办学行为',
        '',
        '11. 严格规范实习管理。不得扣押学生的居民身份证。',
        '',
        '## 三、完善工作内容',
        '',
        '### （一）职业发展教育',
        '',
        '1.就业指导课程建设。要加强就业指导课程建设。',
        '',
        '## 四、强化保障',
        '',
        '（一）加强领导。各高校要加强领导。',
        '',
        '（二）建立机构。各高校要成立专门机构。',
      ].join('\n'),
    );
    expect(locators(clauses)).toEqual(['序言', '二、11.', '三、（一）1.', '四、（一）', '四、（二）']);
    expect(clauses[0]!.headingPath).toEqual([]);
    expect(clauses[2]!.headingPath).toEqual(['三、完善工作内容', '（一）职业发展教育']);
  });

  it('locates standard-style clauses by their dotted number, or by the heading they sit under', () => {
    const clauses = chunk(
      [
        '# 规范',
        '',
        '## 6 服务要求',
        '',
        '### 6.1 就业创业政策咨询',
        '',
        '（1）开展政策咨询时，应指定熟悉政策的人员；',
        '（2）应通过印制政策解读手册提供服务。',
        '',
        '## 8 服务监督、评价与改进',
        '',
        '8.4 服务机构应明确专门部门负责处理投诉。',
        '',
        '8.5 服务机构应在 5 个工作日内把投诉处理情况告知投诉人。',
      ].join('\n'),
    );
    expect(locators(clauses)).toEqual(['6.1', '8.4', '8.5']);
    expect(clauses[0]!.text).toBe('（1）开展政策咨询时，应指定熟悉政策的人员；\n（2）应通过印制政策解读手册提供服务。');
    expect(clauses[2]!.headingPath).toEqual(['8 服务监督、评价与改进']);
  });

  it('keeps the unnumbered paragraphs under one heading together as one clause', () => {
    const clauses = chunk(['## 一、总体要求', '', '坚持以德为先。', '', '坚持需求导向。', '', '## 二、重点任务', '', '坚持合作共赢。'].join('\n'));
    expect(clauses.map(({ locator, text }) => [locator, text])).toEqual([
      ['一、', '坚持以德为先。\n坚持需求导向。'],
      ['二、', '坚持合作共赢。'],
    ]);
  });

  it('makes each appendix-table row a clause named after the table and its first cell', () => {
    const clauses = chunk(
      [
        '## 附录A 资源配置',
        '',
        '资源配置参见表A.1。',
        '',
        '### 表A.1 资源配置表',
        '',
        '| 服务窗口区域 | 设施设备配置 |',
        '|---|---|',
        '| 职业测评室 | 配备测评设备。 |',
        '| 线上（远程）职业指导室 | 配备远程设备。 |',
      ].join('\n'),
    );
    expect(clauses.map(({ locator, text }) => [locator, text])).toEqual(
      expect.arrayContaining([
        ['附录A', '资源配置参见表A.1。'],
        ['附录A 表A.1 职业测评室', '职业测评室 配备测评设备。'],
        ['附录A 表A.1 线上（远程）职业指导室', '线上（远程）职业指导室 配备远程设备。'],
      ]),
    );
  });

  it('names a closing block of short unpunctuated lines 落款, but not a closing sentence', () => {
    const withSignature = chunk(
      ['## 三、保障措施', '', '（一）加强组织领导。各级部门要加强领导。', '', '山东省人力资源和社会保障厅', '', '山东省教育厅', '', '2023年11月23日'].join('\n'),
    );
    expect(withSignature.at(-1)).toMatchObject({ locator: '落款', text: '山东省人力资源和社会保障厅\n山东省教育厅\n2023年11月23日' });

    const withClosingSentence = chunk(['## 三、保障措施', '', '（一）加强组织领导。各级部门要加强领导。', '', '各地要认真落实。'].join('\n'));
    expect(withClosingSentence.at(-1)!.locator).toBe('三、');
  });

  describe('a clause longer than maxChars', () => {
    const item =
      '11. 严格规范实习管理。依法依规组织学生实习。必须为实习学生投保实习责任保险。不得安排学生到营业性娱乐场所实习。不得向学生收取实习押金。不得扣押学生的居民身份证。';
    const clauses = chunk(['## 二、规范办学行为', '', item].join('\n'), 40);

    it('is split into parts that share its locator and count themselves', () => {
      expect(clauses.length).toBeGreaterThan(1);
      expect(new Set(locators(clauses))).toEqual(new Set(['二、11.']));
      expect(clauses.map((clause) => [clause.part, clause.parts])).toEqual(clauses.map((_, index) => [index + 1, clauses.length]));
      expect(clauses.map((clause) => clause.id)).toEqual(clauses.map((_, index) => `doc#${index}`));
    });

    it('is cut at sentence ends, the parts together giving back the whole item', () => {
      expect(clauses.map((clause) => clause.text).join('')).toBe(item);
      for (const clause of clauses) {
        expect(clause.text).toMatch(/。$/u);
        expect(length(clause.text)).toBeLessThanOrEqual(40);
      }
    });

    it('carries the opening sentence as context for the later parts, so they are still found', () => {
      expect(clauses[0]!.context).toBe('二、规范办学行为');
      for (const later of clauses.slice(1)) expect(later.context).toBe('二、规范办学行为 11. 严格规范实习管理。');
    });
  });

  it('keeps a single sentence longer than maxChars whole', () => {
    const sentence = `第一条 ${'中等职业学校应当建立职业指导工作体系并持续改进'.repeat(4)}。`;
    const clauses = chunk(sentence, 30);
    expect(clauses).toHaveLength(1);
    expect(clauses[0]).toMatchObject({ text: sentence, part: 1, parts: 1, locator: '第一条' });
  });
});

describe('chunkDocument on the real policy documents', () => {
  let documents: LoadedDocument[];
  const clausesOf = (id: string): Clause[] => chunkDocument(documents.find((document) => document.id === id)!);

  beforeAll(async () => {
    documents = await readDocumentDirectory(path.join(knowledgeDir, 'documents'));
  });

  it('makes every 第X条 of the MoE regulation its own clause, in order', () => {
    const moe = documents.find((document) => document.id === 'moe-2018-zhongzhi-guidance')!;
    const articles = moe.body.match(/^第[一二三四五六七八九十]+条/gmu)!;
    expect(articles).toHaveLength(30);
    const clauses = chunkDocument(moe);
    const firstParts = clauses.filter((clause) => clause.part === 1);
    expect(locators(firstParts)).toEqual(articles);
    for (const clause of firstParts) expect(clause.text.startsWith(`${clause.locator} `)).toBe(true);
    expect(clauses.find((clause) => clause.locator === '第十五条')!.text).toContain('至少配备1名');
  });

  it('names later parts of a split article after the sub-item they start with', () => {
    const fourth = clausesOf('moe-2018-zhongzhi-guidance').filter((clause) => clause.locator.startsWith('第四条'));
    expect(locators(fourth)).toEqual(['第四条', '第四条（三）', '第四条（四）']);
    expect(fourth[1]!.text).toMatch(/^（三）教育与服务相结合原则。/u);
    expect(fourth[2]!.text).toMatch(/^（四）协同推进原则。/u);
  });

  it('splits Liaoning item 11 into parts under 二、11. that together give back the whole item', () => {
    const liaoning = documents.find((document) => document.id === 'liaoning-zhongzhi-quality')!;
    const item = liaoning.body.split('\n').find((line) => line.startsWith('11. 严格规范实习管理'))!;
    const parts = clausesOf('liaoning-zhongzhi-quality').filter((clause) => clause.locator === '二、11.');
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((part) => part.parts === parts.length)).toBe(true);
    expect(parts.map((part) => part.text).join('')).toBe(item);
    expect(parts.filter((part) => part.text.includes('不得扣押学生的学生证、居民身份证'))).toHaveLength(1);
  });

  it('cites the Lhasa standard’s complaint deadline as 8.5', () => {
    const clause = clausesOf('lasa-draft-graduate-guidance-standard').find((candidate) => candidate.locator === '8.5');
    expect(clause).toMatchObject({
      text: '8.5 服务机构应在 5 个工作日内把投诉处理情况告知投诉人。',
      headingPath: ['8 服务监督、评价与改进'],
    });
  });

  it('names each appendix row 附录A 表A.1 and its service area', () => {
    const rows = clausesOf('lasa-draft-graduate-guidance-standard').filter((clause) => clause.locator.startsWith('附录A 表A.1 '));
    expect(locators(rows)).toEqual([
      '附录A 表A.1 前台指导窗口',
      '附录A 表A.1 职业指导角',
      '附录A 表A.1 个人职业指导室',
      '附录A 表A.1 职业测评室',
      '附录A 表A.1 用人单位职业指导室',
      '附录A 表A.1 线上（远程）职业指导室',
    ]);
    expect(rows[3]!.text).toBe('职业测评室 配备满足困难人群职业测评的设施设备。');
  });

  it('names the Shandong signature block 落款, and nothing else in the corpus', () => {
    const shandong = clausesOf('shandong-2023-guidance-workforce');
    expect(shandong.at(-1)).toMatchObject({
      locator: '落款',
      text: '山东省人力资源和社会保障厅\n山东省教育厅\n2023年11月23日\n（此件主动公开）',
    });
    const signatures = documents.flatMap((document) => chunkDocument(document)).filter((clause) => clause.locator === '落款');
    expect(signatures).toHaveLength(1);
  });

  it('numbers clauses by position, with ids made of the document id and the position', () => {
    for (const document of documents) {
      const clauses = chunkDocument(document);
      expect(clauses.map((clause) => clause.id)).toEqual(clauses.map((_, index) => `${document.id}#${index}`));
      expect(clauses.map((clause) => clause.ordinal)).toEqual(clauses.map((_, index) => index));
    }
  });

  it('keeps every part within 260 characters of text unless it is one longer sentence', () => {
    for (const document of documents) {
      for (const clause of chunkDocument(document)) {
        const wording = clause.text.replace(/\n/gu, '');
        if (length(wording) > 260) expect(sentencesOf(clause.text), `${document.id} ${clause.locator}`).toHaveLength(1);
      }
    }
  });

  it('loses no text: all clause texts together are the body without headings, table syntax or white space', () => {
    // A table's header row (`| 服务窗口区域 | 设施设备配置 |`) only names its columns; it is left out here.
    const withoutTableHeaders = (body: string): string => body.replace(/^\|.*\|\n(?=\|[\s:|-]+\|$)/gmu, '');
    const wording = (body: string): string =>
      withoutTableHeaders(body)
        .replace(/^#{1,6}\s.*$/gmu, '')
        .replace(/^\|[\s:|-]+\|$/gmu, '')
        .replace(/\|/gu, '')
        .replace(/\s+/gu, '');
    expect(documents).toHaveLength(5);
    for (const document of documents) {
      const clauses = chunkDocument(document).map((clause) => clause.text).join('').replace(/\s+/gu, '');
      expect(clauses, document.id).toBe(wording(document.body));
    }
  });
});
