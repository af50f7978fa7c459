import { z } from 'zod';
import { once, readCareerFile } from './career-file.ts';
import { keywordsIn } from './keywords.ts';
import { occupations } from './occupations.ts';

/** The fields of study, the keywords that place a major in one, and the directions its graduates take. */
export const majorFieldsFile = 'knowledge/career/major-fields.yaml';

const fieldSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]*$/u, 'an id is lower-case English words joined by "-"'),
  name: z.string().min(1),
  keywords: z.array(z.string().min(1)).min(1),
  families: z.array(z.string().min(1)).min(1),
});

/** A field of study (专业类别): its name, the keywords of its majors, its directions (most 对口 first). */
export type MajorField = z.infer<typeof fieldSchema>;

const fileSchema = z.object({ version: z.number().int(), fields: z.array(fieldSchema).min(1) });

/** Reads and checks a fields file: ids unique, every direction an occupation family. */
export function readMajorFields(file: string = majorFieldsFile): MajorField[] {
  const { fields } = readCareerFile(
    file,
    fileSchema.superRefine(({ fields: entries }, context) => {
      const known = new Set(occupations().families.map((family) => family.id));
      const ids = new Set<string>();
      entries.forEach((field, index) => {
        if (ids.has(field.id)) context.addIssue({ code: 'custom', path: ['fields', index, 'id'], message: `id ${field.id} is used twice` });
        ids.add(field.id);
        for (const id of field.families) {
          if (!known.has(id)) context.addIssue({ code: 'custom', path: ['fields', index, 'families'], message: `no occupation family ${id}` });
        }
      });
    }),
  );
  return fields;
}

/** `major-fields.yaml`, read and checked on first use. */
export const majorFields = once((): readonly MajorField[] => readMajorFields());

/**
 * The fields a major belongs to, by the keywords in its name (a longer keyword hides the shorter
 * ones inside it); none when nothing matches.
 *
 * @example fieldsOfMajor('电子商务').map((field) => field.id) // ['commerce']
 */
export function fieldsOfMajor(major: string, fields: readonly MajorField[] = majorFields()): MajorField[] {
  const found = new Set(keywordsIn(major, fields.flatMap((field) => field.keywords)));
  return fields.filter((field) => field.keywords.some((keyword) => found.has(keyword)));
}
