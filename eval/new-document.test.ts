import { beforeAll, describe, expect, it } from 'vitest';
import { loadThresholds, floorFailures } from './thresholds.ts';
import { newDocumentBlind2Dir, newDocumentBlind3Dir, newDocumentBlind4Dir, newDocumentBlind5Dir, newDocumentBlindDir, newDocumentDev2Dir, newDocumentDev3Dir, newDocumentDevDir, newDocumentDir, newDocumentFiles, runNewDocumentCheck, type NewDocumentCheck } from './new-document.ts';
import type { EvalReport } from './runner.ts';

/** The added document's questions hold to the floors in its folder's floors.json. */
async function expectFloorsHeld(check: NewDocumentCheck, dir: string): Promise<void> {
  const floors = (await loadThresholds(newDocumentFiles(dir).floors))['new-document'] ?? {};
  const report = check.report['questions'] as EvalReport;
  expect(report.items.length).toBe(40);
  expect(floorFailures(report.overall, floors)).toEqual([]);
}

describe('a document an administrator adds, answered without tuning (eval/new-document)', () => {
  let check: NewDocumentCheck;
  beforeAll(async () => {
    check = await runNewDocumentCheck();
  }, 600_000);

  it('is read like a person would: cited by the 办法 its 通知 wraps, with the issuers from the signature', () => {
    const added = check.listed.find((document) => document.title.includes('实施办法'));
    expect(added).toBeDefined();
    expect(added!.title).not.toMatch(/^.*通知$/u);
    expect(added!.issuer).toContain('江西省教育厅');
    expect(added!.region).toContain('江西');
  });

  it('stays at or above its floors', async () => {
    await expectFloorsHeld(check, newDocumentDir);
  });
});

/** What the listing must say of an added document: read from its 通知 and signature block, not the cover. */
interface ListedAs {
  title: string;
  issuers: string[];
  region?: string;
  date: string;
}

/** The check of an added-document folder: cited by the 办法 its 通知 wraps, and held to its floors. */
function describeAddedDocument(name: string, dir: string, expected: ListedAs): void {
  describe(name, () => {
    let check: NewDocumentCheck;
    beforeAll(async () => {
      check = await runNewDocumentCheck(dir);
    }, 600_000);

    it('is cited by the 办法 its 通知 wraps, with the issuers and date of the signature block', () => {
      const added = check.listed.find((document) => document.id === 'document'); // uploaded as document.txt
      expect(added?.title).toBe(expected.title);
      for (const issuer of expected.issuers) expect(added!.issuer).toContain(issuer);
      if (expected.region) expect(added!.region).toContain(expected.region);
      expect(added!.date).toBe(expected.date);
    });

    it('stays at or above its floors', async () => {
      await expectFloorsHeld(check, dir);
    });
  });
}

describeAddedDocument('the development twin (eval/new-document-dev): another added document, open to tuning', newDocumentDevDir, {
  title: '四川省职业院校毕业生求职创业补贴发放管理办法',
  issuers: ['四川省人力资源和社会保障厅', '四川省财政厅'],
  date: '2025-06-18',
});

describeAddedDocument('the blind added document (eval/new-document-blind): scored once, never tuned on', newDocumentBlindDir, {
  title: '湖南省高校毕业生等青年就业见习管理办法',
  issuers: ['湖南省人力资源和社会保障厅'],
  region: '湖南',
  date: '2025-07-28',
});

describeAddedDocument('the second blind added document (eval/new-document-blind-2): scored once, development material since', newDocumentBlind2Dir, {
  title: '福建省职业院校学生技能竞赛奖励办法',
  issuers: ['福建省教育厅', '福建省财政厅', '福建省人力资源和社会保障厅'],
  region: '福建',
  date: '2026-03-20',
});

describeAddedDocument('the third blind added document (eval/new-document-blind-3): scored once, never tuned on', newDocumentBlind3Dir, {
  title: '湖北省高校毕业生就业见习管理办法',
  issuers: ['湖北省人力资源和社会保障厅', '湖北省财政厅', '湖北省教育厅'],
  region: '湖北',
  date: '2025-02-18',
});

describeAddedDocument('a development document (eval/new-document-dev-2): 广西, signed by three departments and a bank branch', newDocumentDev2Dir, {
  title: '广西壮族自治区高校毕业生及在校大学生创业担保贷款及贴息管理办法',
  issuers: ['广西壮族自治区财政厅', '广西壮族自治区教育厅', '中国人民银行广西壮族自治区分行'],
  region: '广西',
  date: '2025-07-28',
});

describeAddedDocument('a development document (eval/new-document-dev-3): 河北, 职业院校学生奖学金评审', newDocumentDev3Dir, {
  title: '河北省职业院校学生奖学金评审管理办法',
  issuers: ['河北省教育厅', '河北省财政厅', '河北省人力资源和社会保障厅'],
  region: '河北',
  date: '2025-07-18',
});

describeAddedDocument('a development document (eval/new-document-blind-4): 安徽, scored blind once, read since', newDocumentBlind4Dir, {
  title: '安徽省高等学校学生应征入伍优待办法',
  issuers: ['安徽省退役军人事务厅', '安徽省教育厅', '安徽省征兵办公室'],
  region: '安徽',
  date: '2025-06-20',
});

describeAddedDocument('the fifth blind added document (eval/new-document-blind-5): scored once, never tuned on', newDocumentBlind5Dir, {
  title: '贵州省中等职业学校国家助学金管理办法',
  issuers: ['贵州省财政厅', '贵州省教育厅', '贵州省人力资源和社会保障厅'],
  region: '贵州',
  date: '2025-07-18',
});
