import { z } from 'zod';
import { once, readCareerFile } from './career-file.ts';
import { letters, type Letter } from './vocabulary.ts';

/** The assessment items, with their scoring rules in the header. */
export const riasecItemsFile = 'knowledge/career/riasec-items.yaml';

/** How many items each RIASEC type has. */
export const itemsPerType = 4;

const itemSchema = z.object({
  id: z.string().regex(/^[RIASEC][1-9]\d*$/u, 'an id is the type letter and a number, e.g. R1'),
  type: z.enum(letters),
  text: z.string().min(1),
});

/** One assessment item: a thing to do, rated 1–5 by how much the student would like doing it. */
export type RiasecItem = z.infer<typeof itemSchema>;

const itemsFileSchema = z
  .object({ version: z.number().int(), items: z.array(itemSchema) })
  .superRefine(({ items }, context) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      if (seen.has(item.id)) context.addIssue({ code: 'custom', path: ['items', index, 'id'], message: `id ${item.id} is used twice` });
      seen.add(item.id);
      if (!item.id.startsWith(item.type)) {
        context.addIssue({ code: 'custom', path: ['items', index, 'id'], message: `id ${item.id} does not start with its type ${item.type}` });
      }
    });
    for (const letter of letters) {
      const count = items.filter((item) => item.type === letter).length;
      if (count !== itemsPerType) {
        context.addIssue({ code: 'custom', path: ['items'], message: `type ${letter} has ${count} items, it needs exactly ${itemsPerType}` });
      }
    }
  });

/** Reads and checks an item file: exactly four items per type, ids unique and starting with their type. */
export function readRiasecItems(file: string = riasecItemsFile): { version: number; items: RiasecItem[] } {
  return readCareerFile(file, itemsFileSchema);
}

/** The item file as written (items grouped by type), read on first use. */
export const riasecItemsFileContent = once(() => readRiasecItems());

/**
 * The items in the order they are asked: the types take turns, R1 I1 A1 S1 E1 C1 R2 …, so that
 * items of one type never follow each other.
 */
export const askingOrder = once((): readonly RiasecItem[] => {
  const { items } = riasecItemsFileContent();
  const byType = (letter: Letter): RiasecItem[] => items.filter((item) => item.type === letter);
  return Array.from({ length: itemsPerType }, (_, round) => letters.map((letter) => byType(letter)[round]!)).flat();
});
