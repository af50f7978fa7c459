import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError, loadDataset, parseDataset } from './dataset.ts';

const line = (fields: Record<string, unknown>): string =>
  JSON.stringify({ id: 'e1', question: '问题', outcome: 'answer', passages: ['段落'], facts: [['事实']], ...fields });

function problemsOf(content: string): readonly string[] {
  try {
    parseDataset(content, 'set.jsonl');
  } catch (error) {
    if (error instanceof DatasetError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadDataset', () => {
  it('reads JSON Lines items, skipping blank lines and defaulting optional lists', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zhiyin-eval-'));
    const path = join(dir, 'set.jsonl');
    const abstain = '{"id":"e2","question":"高考分数线？","outcome":"abstain","session":"s1"}';
    await writeFile(path, `\uFEFF${line({ tags: ['english'] })}\r\n\n${abstain}\n`);
    const items = await loadDataset(path);
    expect(items).toEqual([
      { id: 'e1', question: '问题', outcome: 'answer', passages: ['段落'], facts: [['事实']], tags: ['english'] },
      { id: 'e2', question: '高考分数线？', outcome: 'abstain', passages: [], facts: [], tags: [], session: 's1' },
    ]);
  });

  it('names file and line of bad JSON', () => {
    expect(problemsOf(`${line({})}\n{"id": "e2",`)).toEqual([expect.stringMatching(/^set\.jsonl:2: invalid JSON/)]);
  });

  it('names file, line, item and field of schema violations', () => {
    const problems = problemsOf(
      [line({}), line({ id: 'e2', outcome: 'maybe' }), line({ id: 'e3', passages: [] }), line({ id: 'e4', passage: ['x'] })].join('\n'),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^set\.jsonl:2: item "e2": outcome: /),
      expect.stringMatching(/^set\.jsonl:3: item "e3": passages: an answer item needs at least one passage/),
      expect.stringMatching(/^set\.jsonl:4: item "e4": .*passage/),
    ]);
  });

  it('rejects blank passages and empty alternative-lists, which would match anything or nothing', () => {
    expect(problemsOf(line({ passages: [' \u3000'] }))).toEqual([expect.stringMatching(/^set\.jsonl:1: item "e1": passages\.0: /)]);
    expect(problemsOf(line({ facts: [[]] }))).toEqual([expect.stringMatching(/^set\.jsonl:1: item "e1": facts\.0: /)]);
  });

  it('rejects duplicate ids', () => {
    expect(problemsOf([line({}), line({ id: 'e2' }), line({})].join('\n'))).toEqual([
      'set.jsonl:3: duplicate id "e1" (first on line 1)',
    ]);
  });
});
