import { beforeAll, describe, expect, it } from 'vitest';
import { loadThresholds, floorFailures } from './thresholds.ts';
import { newDocumentFloors, runNewDocumentCheck, type NewDocumentCheck } from './new-document.ts';
import type { EvalReport } from './runner.ts';

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
    const floors = (await loadThresholds(newDocumentFloors))['new-document'] ?? {};
    const report = check.report['questions'] as EvalReport;
    expect(report.items.length).toBe(40);
    expect(floorFailures(report.overall, floors)).toEqual([]);
  });
});
