import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CareerFileError } from './career-file.ts';
import { askingOrder, itemsPerType, readRiasecItems } from './riasec-items.ts';
import { letters } from './vocabulary.ts';

describe('riasec-items.yaml', () => {
  const { items } = readRiasecItems();

  it('has exactly four items of each type and no id twice', () => {
    for (const letter of letters) expect(items.filter((item) => item.type === letter)).toHaveLength(itemsPerType);
    expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
    expect(items).toHaveLength(24);
  });

  it('asks the types in turn: R1 I1 A1 S1 E1 C1 R2 …', () => {
    const order = askingOrder().map((item) => item.id);
    expect(order.slice(0, 7)).toEqual(['R1', 'I1', 'A1', 'S1', 'E1', 'C1', 'R2']);
    expect(order.at(-1)).toBe('C4');
    expect(new Set(order).size).toBe(24);
    for (let index = 1; index < order.length; index += 1) expect(order[index]![0]).not.toBe(order[index - 1]![0]);
  });

  describe('an edited file that breaks the rules', () => {
    let dir: string;
    afterAll(async () => rm(dir, { recursive: true, force: true }));

    it('fails with the file, the place and the rule', async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'zhiyin-items-'));
      const file = path.join(dir, 'items.yaml');
      const lines = letters.flatMap((letter) => [1, 2, 3, 4].map((n) => `  - { id: ${letter}${n}, type: ${letter}, text: t }`));
      lines[5] = '  - { id: R1, type: I, text: t }';
      lines.pop();
      await writeFile(file, `version: 1\nitems:\n${lines.join('\n')}\n`);
      expect(() => readRiasecItems(file)).toThrow(CareerFileError);
      expect(() => readRiasecItems(file)).toThrow(/items\.5\.id: id R1 is used twice/u);
      expect(() => readRiasecItems(file)).toThrow(/does not start with its type I/u);
      expect(() => readRiasecItems(file)).toThrow(/type C has 3 items, it needs exactly 4/u);
    });
  });
});
