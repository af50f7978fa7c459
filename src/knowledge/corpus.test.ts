import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { knowledgeDir } from '../paths.ts';
import { readDocumentDirectory, snapshotOf } from './corpus.ts';
import { DocumentFormatError } from './document.ts';

const documentText = (id: string, bodyText = '第一条 中等职业学校应建立职业指导工作体系。'): string =>
  [
    '---',
    `id: "${id}"`,
    `title: "${id} 的标题"`,
    'issuer: "教育部"',
    'region: "全国"',
    'date: null',
    'status: "in-force"',
    'audience: "中等职业学校"',
    '---',
    `# ${id} 的标题`,
    '',
    bodyText,
    '',
  ].join('\n');

const directories: string[] = [];

async function directoryWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'zhiyin-corpus-'));
  directories.push(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text, 'utf8');
  return dir;
}

afterEach(async () => {
  await Promise.all(directories.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('readDocumentDirectory', () => {
  it('reads every Markdown document in name order and ignores other files', async () => {
    const dir = await directoryWith({
      'b.md': documentText('bravo'),
      'a.md': documentText('alpha'),
      'notes.txt': 'not a document',
    });
    const documents = await readDocumentDirectory(dir);
    expect(documents.map((document) => document.id)).toEqual(['alpha', 'bravo']);
    expect(documents[0]!.source).toBe(path.join(dir, 'a.md'));
  });

  it('rejects two documents with the same id, naming both files', async () => {
    const dir = await directoryWith({ 'a.md': documentText('same-id'), 'b.md': documentText('same-id') });
    const read = readDocumentDirectory(dir);
    await expect(read).rejects.toBeInstanceOf(DocumentFormatError);
    await expect(read).rejects.toThrow('b.md: id "same-id" is already used by a.md');
  });

  it('fails the whole read when one document is malformed, naming that file', async () => {
    const dir = await directoryWith({
      'a.md': documentText('alpha'),
      'b.md': documentText('bravo').replace('status: "in-force"', 'status: "repealed"'),
      'c.md': documentText('charlie'),
    });
    await expect(readDocumentDirectory(dir)).rejects.toThrow(/^b\.md: front matter: status/u);
  });

  it('reads the five real policy documents, each under its own id', async () => {
    const documents = await readDocumentDirectory(path.join(knowledgeDir, 'documents'));
    expect(documents.map((document) => document.id)).toEqual([
      'henan-gaoxiao-employment-services',
      'lasa-draft-graduate-guidance-standard',
      'liaoning-zhongzhi-quality',
      'moe-2018-zhongzhi-guidance',
      'shandong-2023-guidance-workforce',
    ]);
    for (const document of documents) expect(path.basename(document.source)).toBe(`${document.id}.md`);
  });
});

describe('snapshotOf', () => {
  it('holds every document without its body, and the clauses of all of them', async () => {
    const dir = await directoryWith({
      'a.md': documentText('alpha', '第一条 甲。\n\n第二条 乙。'),
      'b.md': documentText('bravo', '第一条 丙。'),
    });
    const snapshot = snapshotOf(await readDocumentDirectory(dir), 7);
    expect(snapshot.version).toBe(7);
    expect([...snapshot.documents.keys()]).toEqual(['alpha', 'bravo']);
    expect(snapshot.documents.get('alpha')).not.toHaveProperty('body');
    expect(snapshot.documents.get('alpha')!.title).toBe('alpha 的标题');
    expect(snapshot.clauses.map((clause) => [clause.id, clause.locator])).toEqual([
      ['alpha#0', '第一条'],
      ['alpha#1', '第二条'],
      ['bravo#0', '第一条'],
    ]);
  });
});
