import { z } from 'zod';
import { once, readCareerFile } from './career-file.ts';
import { letters, schools, traits, type Letter } from './vocabulary.ts';

/** The six types, their occupation families and the pairs of types; matching rules in the header. */
export const occupationFamiliesFile = 'knowledge/career/occupation-families.yaml';

const familySchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/u, 'an id is lower-case English words joined by "-"'),
  name: z.string().min(1),
  also: z.array(z.enum(letters)).default([]),
  schools: z.array(z.enum(schools)).min(1),
  examples: z.array(z.string().min(1)).min(1),
  interests: z.array(z.string().min(1)).default([]),
  traits: z.array(z.enum(traits)).default([]),
  notes: z.partialRecord(z.enum(schools), z.string().min(1)).default({}),
});

const typeSchema = z.object({
  name: z.string().min(1),
  meaning: z.string().min(1),
  description: z.string().min(1),
  families: z.array(familySchema).min(4).max(8),
});

const pairSchema = z.object({ combine: z.string().min(1), families: z.array(z.string().min(1)).default([]) });

const fileSchema = z
  .object({
    version: z.number().int(),
    types: z.record(z.enum(letters), typeSchema),
    pairs: z.record(z.string(), pairSchema).default({}),
  })
  .superRefine(({ types, pairs }, context) => {
    const ids = new Set<string>();
    for (const letter of letters) {
      types[letter].families.forEach((family, index) => {
        const path = ['types', letter, 'families', index];
        if (ids.has(family.id)) context.addIssue({ code: 'custom', path: [...path, 'id'], message: `id ${family.id} is used twice` });
        ids.add(family.id);
        if (family.also.includes(letter)) context.addIssue({ code: 'custom', path: [...path, 'also'], message: `also repeats the family's own type ${letter}` });
      });
    }
    for (const [key, pair] of Object.entries(pairs)) {
      if (!/^[RIASEC]{2}$/u.test(key) || key !== pairKey(key[0] as Letter, key[1] as Letter) || key[0] === key[1]) {
        context.addIssue({ code: 'custom', path: ['pairs', key], message: 'a pair is two different letters in the order R I A S E C, e.g. RI' });
      }
      for (const id of pair.families) {
        if (!ids.has(id)) context.addIssue({ code: 'custom', path: ['pairs', key, 'families'], message: `no family ${id}` });
      }
    }
  });

type FamilyEntry = z.infer<typeof familySchema>;

/** An occupation family (a direction), with its primary type. */
export type Family = FamilyEntry & { type: Letter };

/** One RIASEC type: name, one-line meaning, description. */
export type InterestType = Omit<z.infer<typeof typeSchema>, 'families'>;

/** What a combination of the first two letters means, and the families that suit it. */
export type Pair = z.infer<typeof pairSchema>;

/** The occupation data, checked. */
export interface Occupations {
  version: number;
  types: Record<Letter, InterestType>;
  /** Every family, in file order (the order that breaks equal scores). */
  families: Family[];
  /** Keyed by `pairKey`. */
  pairs: Record<string, Pair>;
}

/**
 * The key of a pair of letters, in R I A S E C order whichever comes first in the code.
 *
 * @example pairKey('C', 'R') // 'RC'
 */
export function pairKey(a: Letter, b: Letter): string {
  return [a, b].sort((x, y) => letters.indexOf(x) - letters.indexOf(y)).join('');
}

/** `occupation-families.yaml`, read and checked on first use. */
export const occupations = once((): Occupations => {
  const file = readCareerFile(occupationFamiliesFile, fileSchema);
  return {
    version: file.version,
    types: Object.fromEntries(
      letters.map((letter) => {
        const { families: _families, ...type } = file.types[letter];
        return [letter, type];
      }),
    ) as Record<Letter, InterestType>,
    families: letters.flatMap((letter) => file.types[letter].families.map((family) => ({ ...family, type: letter }))),
    pairs: file.pairs,
  };
});
