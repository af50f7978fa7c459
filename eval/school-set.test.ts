import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/store/database.ts';
import { createTestDatabase } from '../src/store/testing.ts';
import { loadDataset } from './dataset.ts';
import { passageOf, SchoolEvalSet } from './school-set.ts';

describe('the school’s own eval set', () => {
  let db: Database;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(path.join(tmpdir(), 'zhiyin-school-eval-'));
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps marked questions without personal data, one item per question, and exports a dataset `zhiyin eval --dataset` reads', async () => {
    const set = new SchoolEvalSet(db);
    const clause = { doc: 'school-qa', locator: '第一条', text: '第一条 就业推荐表每年11月中旬由班主任统一发放；遗失的，带学生证到招生就业处补领。' };
    await set.mark('我叫王小明，推荐表什么时候发', { outcome: 'abstain' });
    await set.mark('我叫王小明，推荐表什么时候发', { outcome: 'answer', clause }, { actor: 'web:kb.admin' });
    await set.mark('帮我写一份检讨书', { outcome: 'abstain' });
    await set.mark('我想找老师聊聊', { outcome: 'escalate' });
    const entries = await set.entries();
    expect(entries.map((entry) => [entry.question, entry.outcome])).toEqual([
      ['我叫〔姓名〕，推荐表什么时候发', 'answer'],
      ['帮我写一份检讨书', 'abstain'],
      ['我想找老师聊聊', 'escalate'],
    ]);

    const file = path.join(dir, 'school.jsonl');
    await writeFile(file, await set.exportJsonl());
    const items = await loadDataset(file);
    expect(items[0]).toEqual({
      id: `school-${entries[0]!.id}`,
      question: '我叫〔姓名〕，推荐表什么时候发',
      outcome: 'answer',
      passages: [passageOf(clause.text)],
      facts: [[passageOf(clause.text)]],
      tags: ['school', 'doc:school-qa'],
    });
    expect(passageOf(clause.text)).toBe('第一条就业推荐表每年11月中旬由班主任统一发放；遗失的，带学生证到招生就业处补领。'.slice(0, 40));
    expect(items.slice(1).map((item) => [item.outcome, item.passages, item.tags])).toEqual([
      ['abstain', [], ['school']],
      ['escalate', [], ['school']],
    ]);

    expect(await set.remove(entries[1]!.id)).toBe(true);
    expect((await set.items()).map((item) => item.outcome)).toEqual(['answer', 'escalate']);
  });

  it('takes the facts an administrator gives in place of the passage', async () => {
    const set = new SchoolEvalSet(db);
    await set.mark('实习押金能退吗', { outcome: 'answer', clause: { doc: 'd', locator: '第三条', text: '第三条 不得收取实习押金。' }, facts: [['押金', '保证金']] });
    const item = (await set.items()).find((candidate) => candidate.question === '实习押金能退吗');
    expect(item).toMatchObject({ passages: ['第三条不得收取实习押金。'], facts: [['押金', '保证金']] });
  });
});
