/**
 * Versions of documents in the store: drafts that serve nothing, publish (the previous version
 * superseded), rollback, withdraw, clause diffs, history; a change planned beside the live set
 * and refused when another came first; superseded rules answerable with their caveat; and
 * questions answered during a publish, each from one version only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant, embeddingModelFor } from '../assistant.ts';
import { PolicyAnswerer } from '../answering/answer-question.ts';
import { loadConfig } from '../config.ts';
import { HybridSearch } from '../retrieval/hybrid-search.ts';
import { createTestDatabase } from '../store/testing.ts';
import { ConcurrentChangeError, VersionError, type KnowledgeBase } from './knowledge-base.ts';
import type { PolicyDocument } from './types.ts';
import { citationVersion, versionCaveats, versionLabel } from './version-citations.ts';

function internship(body: string, overrides: Partial<PolicyDocument> = {}): PolicyDocument & { meta: Record<string, unknown> } {
  return {
    id: 'sd-internship',
    title: '关于规范学生实习管理的通知',
    issuer: '山东省教育厅',
    region: '山东省',
    date: '2023-05-12',
    dateNote: null,
    status: 'in-force',
    audience: '中等职业学校',
    body,
    meta: {},
    ...overrides,
  };
}

const v1Body = '## 第一章 实习管理\n\n第一条 实习单位不得向学生收取实习押金。\n\n第二条 学生每日顶岗实习时间不超过8小时。\n\n第三条 实习单位应当为学生购买实习责任保险。';
const v2Body = '## 第一章 实习管理\n\n第一条 实习单位不得向学生收取实习押金、培训费和其他任何费用。\n\n第三条 实习单位应当为学生购买实习责任保险。\n\n第四条 学校应当每月走访实习单位一次。';

let assistant: Assistant;
let kb: KnowledgeBase;
const config = loadConfig({ LOG_LEVEL: 'silent' });

beforeAll(async () => {
  assistant = await Assistant.open(config, { db: await createTestDatabase() });
  kb = assistant.knowledge;
});
afterAll(async () => assistant?.close());

describe('document versions', () => {
  it('an upload is a draft: stored, listed, not served', async () => {
    const before = await kb.version();
    const { created } = await kb.addDrafts([{ document: internship(v1Body), effectiveFrom: '2023-06-01' }], { actor: 'test' });
    expect(created).toEqual([{ docId: 'sd-internship', version: 1 }]);
    expect(await kb.version()).toBe(before);
    expect((await kb.snapshot()).documents.has('sd-internship')).toBe(false);
    expect((await kb.versionsOf('sd-internship')).map((v) => [v.version, v.state])).toEqual([[1, 'draft']]);
    const again = await kb.addDrafts([{ document: internship(v1Body), effectiveFrom: '2023-06-01' }]);
    expect(again).toEqual({ created: [], unchanged: [{ docId: 'sd-internship', version: 1 }] });
  });

  it('the admin corrects a draft’s metadata; a published version cannot be edited', async () => {
    const edited = await kb.updateDraft('sd-internship', 1, { audience: '中等职业学校学生', expiresOn: '2030-12-31' });
    expect(edited.document.audience).toBe('中等职业学校学生');
    expect(edited.expiresOn).toBe('2030-12-31');
    await expect(kb.updateDraft('sd-internship', 1, { region: '' })).rejects.toThrow(/region/u);
  });

  it('publishing serves the draft; the document carries its version', async () => {
    const report = await kb.publishVersion('sd-internship', 1, { actor: 'test' });
    expect(report.published).toEqual({ 'sd-internship': 1 });
    const snapshot = await kb.snapshot();
    expect(snapshot.documents.get('sd-internship')?.versionInfo).toMatchObject({ number: 1, state: 'published', effectiveFrom: '2023-06-01', expiresOn: '2030-12-31' });
    expect(snapshot.clauses.filter((c) => c.docId === 'sd-internship').map((c) => c.locator)).toEqual(['第一条', '第二条', '第三条']);
    await expect(kb.updateDraft('sd-internship', 1, { audience: 'x' })).rejects.toThrow(VersionError);
    await expect(kb.publishVersion('sd-internship', 1)).rejects.toThrow(/already published/u);
  });

  it('a second upload is v2; the diff names added, removed and changed clauses', async () => {
    await kb.addDrafts([{ document: internship(v2Body), effectiveFrom: '2024-03-01' }]);
    const { from, to, diff } = await kb.diff('sd-internship');
    expect([from, to]).toEqual([1, 2]);
    expect(diff.added.map((c) => c.locator)).toEqual(['第四条']);
    expect(diff.removed.map((c) => c.locator)).toEqual(['第二条']);
    expect(diff.changed.map((c) => c.locator)).toEqual(['第一条']);
    expect(diff.changed[0]!.after).toContain('培训费');
    expect(diff.unchanged).toBe(1);
  });

  it('publishing v2 supersedes v1; rollback serves v1 again and withdraws v2; publish v2 again', async () => {
    await kb.publishVersion('sd-internship');
    expect((await kb.versionsOf('sd-internship')).map((v) => [v.version, v.state])).toEqual([[2, 'published'], [1, 'superseded']]);
    expect((await kb.snapshot()).clauses.find((c) => c.docId === 'sd-internship' && c.locator === '第一条')?.text).toContain('培训费');

    await kb.rollback('sd-internship');
    expect((await kb.versionsOf('sd-internship')).map((v) => [v.version, v.state])).toEqual([[2, 'withdrawn'], [1, 'published']]);
    expect((await kb.snapshot()).clauses.find((c) => c.docId === 'sd-internship' && c.locator === '第一条')?.text).not.toContain('培训费');
    await expect(kb.rollback('sd-internship')).rejects.toThrow(/no earlier published version/u);

    await kb.publishVersion('sd-internship', 2);
    expect((await kb.versionsOf('sd-internship')).map((v) => [v.version, v.state])).toEqual([[2, 'published'], [1, 'superseded']]);
    const history = await kb.history('sd-internship');
    expect(history.map((change) => change.action)).toEqual(['publish', 'rollback', 'publish', 'upload', 'publish', 'upload']);
    expect(history[1]).toMatchObject({ version: 1, previousVersion: 2 });
  });

  it('a superseded rule is found, cited with its version and told to be superseded', async () => {
    const snapshot = await kb.snapshot({ includeSuperseded: true });
    const old = snapshot.documents.get('sd-internship@v1');
    expect(old?.versionInfo).toMatchObject({ number: 1, state: 'superseded', supersededBy: { number: 2, effectiveFrom: '2024-03-01' } });
    expect(old?.id).toBe('sd-internship');
    const oldClauses = snapshot.clauses.filter((c) => c.docId === 'sd-internship@v1');
    expect(oldClauses.map((c) => c.locator)).toEqual(['第一条', '第二条']);

    const answerer = new PolicyAnswerer(new HybridSearch(snapshot, assistant.lexicon, assistant.tokenizer, null), assistant.replies);
    const answer = await answerer.answer('山东的学生每日顶岗实习时间不超过几小时？');
    expect(answer.outcome).toBe('answer');
    const cited = answer.ranked[0]!;
    expect(cited.clause.text).toContain('不超过8小时');
    expect(citationVersion(cited.document)).toEqual({ version: 1, version_date: '2023-06-01', version_state: 'superseded' });
    expect(versionCaveats(cited.document, 'zh', assistant.replies)).toEqual([
      '这条出自《关于规范学生实习管理的通知》第1版，已被第2版（2024-03-01起施行）取代，现行规定请以新版为准。',
    ]);
    const current = snapshot.documents.get('sd-internship')!;
    expect(versionLabel(current, 'zh', assistant.replies)).toBe('第2版，2024-03-01起施行');
    expect(versionCaveats({ ...current, versionInfo: { ...current.versionInfo!, expiresOn: '2020-01-01' } }, 'en', assistant.replies)[0]).toContain('2020-01-01');
    // in force from China's midnight: at 00:30 on 2027-01-01 in Beijing (16:30 UTC the day before) it is in force
    const fromNewYear = { ...current, versionInfo: { ...current.versionInfo!, effectiveFrom: '2027-01-01' } };
    expect(versionCaveats(fromNewYear, 'zh', assistant.replies, new Date('2026-12-31T16:30:00Z'))).toEqual([]);
    expect(versionCaveats(fromNewYear, 'zh', assistant.replies, new Date('2026-12-31T15:30:00Z'))[0]).toContain('目前还没有生效');
    // The default snapshot holds the published versions only; the assistant adds the superseded rules.
    expect((await kb.snapshot()).documents.has('sd-internship@v1')).toBe(false);
    const reply = await assistant.ask('山东的学生每日顶岗实习时间不超过几小时？');
    expect(reply.answer).toContain('已被第2版（2024-03-01起施行）取代');
    expect(reply.citations[0]).toMatchObject({ doc: 'sd-internship', version: 1, version_state: 'superseded' });
    const now = await assistant.ask('山东的实习单位能收实习押金和培训费吗？');
    expect(now.citations[0]).toMatchObject({ doc: 'sd-internship', version: 2, version_state: 'published' });
    expect(now.answer).not.toContain('取代');
  });

  it('withdraw stops serving the document; its versions stay', async () => {
    await kb.withdraw('sd-internship');
    expect((await kb.snapshot()).documents.has('sd-internship')).toBe(false);
    expect((await kb.versionsOf('sd-internship'))[0]).toMatchObject({ version: 2, state: 'withdrawn' });
    await expect(kb.withdraw('sd-internship')).rejects.toThrow(/no published version/u);
    await kb.rollback('sd-internship', 1);
    expect((await kb.snapshot()).documents.get('sd-internship')?.versionInfo?.number).toBe(1);
  });

  it('a draft can be discarded without touching what is served', async () => {
    const version = await kb.version();
    const { created } = await kb.addDrafts([{ document: internship(`${v2Body}\n\n第五条 草稿。`) }]);
    await kb.discardDraft('sd-internship', created[0]!.version);
    expect(await kb.version()).toBe(version);
    expect((await kb.versionsOf('sd-internship'))[0]).toMatchObject({ version: created[0]!.version, state: 'withdrawn' });
  });

  it('a candidate is built beside the live set; another change committed first makes it fail, changing nothing', async () => {
    await kb.addDrafts([{ document: internship(v2Body, { id: 'race-a', title: '甲' }) }, { document: internship(v2Body, { id: 'race-b', title: '乙' }) }]);
    const a = await kb.plan({ kind: 'publish', targets: [{ docId: 'race-a' }] }, { model: await embeddingModelFor(config, assistant.tokenizer) });
    const b = await kb.plan({ kind: 'publish', targets: [{ docId: 'race-b' }] }, { model: await embeddingModelFor(config, assistant.tokenizer) });
    expect(a.snapshot.documents.has('race-a')).toBe(true);
    expect((await kb.snapshot()).documents.has('race-a')).toBe(false);
    await kb.commit(a);
    await expect(kb.commit(b)).rejects.toThrow(ConcurrentChangeError);
    const live = await kb.snapshot();
    expect(live.documents.has('race-a')).toBe(true);
    expect(live.documents.has('race-b')).toBe(false);
    expect((await kb.versionsOf('race-b'))[0]!.state).toBe('draft');
    await kb.remove(['race-a']);
  });

  it('unknown documents and versions are refused before anything is built', async () => {
    await expect(kb.publishVersion('no-such-doc')).rejects.toThrow(/no document with id no-such-doc/u);
    await expect(kb.publishVersion('sd-internship', 99)).rejects.toThrow(/no version 99/u);
    await expect(kb.rollback('no-such-doc')).rejects.toThrow(VersionError);
  });
});

describe('questions during a publish', () => {
  it('are all answered, each from one version: old before the switch, new after', async () => {
    const oldDoc = internship('## 第一章 实习管理\n\n第一条 旧版规定：实习单位每月应当向学生支付实习报酬不低于当地最低工资的百分之八十。\n\n第二条 旧版规定：实习报酬应当以货币形式按月足额支付。', { id: 'load-doc', title: '实习报酬办法' });
    const newDoc = { ...oldDoc, body: oldDoc.body.replaceAll('旧版规定', '新版规定') };
    await kb.upsert([oldDoc]);
    await assistant.answerer();
    const question = '学生的实习报酬不低于当地最低工资的百分之几？';
    const results: { markers: Set<string>; versions: Set<number> }[] = [];
    const errors: unknown[] = [];
    let publishing = true;
    const asker = async (): Promise<void> => {
      while (publishing) {
        try {
          const answer = await assistant.ask(question);
          const texts = [...answer.citations.map((c) => c.text), ...answer.retrieved.filter((r) => r.doc === 'load-doc').map((r) => r.text)];
          results.push({
            markers: new Set(texts.flatMap((text) => text.match(/[旧新]版规定/gu) ?? [])),
            versions: new Set(answer.ranked.filter((r) => r.document.id === 'load-doc').map((r) => r.document.versionInfo?.number ?? 0)),
          });
        } catch (error) {
          errors.push(error);
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const askers = Array.from({ length: 4 }, asker);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await kb.upsert([newDoc]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    publishing = false;
    await Promise.all(askers);

    expect(errors).toEqual([]);
    expect(results.length).toBeGreaterThan(20);
    for (const { markers, versions } of results) {
      expect(markers.size).toBe(1);
      expect(versions.size).toBe(1);
    }
    expect([...results[0]!.markers]).toEqual(['旧版规定']);
    expect([...results.at(-1)!.markers]).toEqual(['新版规定']);
    expect([...results.at(-1)!.versions]).toEqual([2]);
  }, 120_000);
});
