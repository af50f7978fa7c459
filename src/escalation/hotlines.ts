import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { knowledgeDir } from '../paths.ts';
import type { Language } from '../prompts.ts';

const lineSchema = z.object({ number: z.string().regex(/^[0-9-]{3,20}$/u), zh: z.string().min(1), en: z.string().min(1) });
const fileSchema = z.object({ emergency: z.array(lineSchema).min(1), support: z.array(lineSchema).min(1) });

/** The phone numbers a crisis reply gives, from `knowledge/support/hotlines.yaml`. */
export type Hotlines = z.infer<typeof fileSchema>;

export const hotlinesFile = path.join(knowledgeDir, 'support', 'hotlines.yaml');

/** Reads and checks the hotline file; a broken file is an error at start-up, not a blank in a crisis reply. */
export function loadHotlines(file = hotlinesFile): Hotlines {
  const parsed = fileSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  return parsed.data;
}

/**
 * The `{emergency}` and `{hotlines}` values of the crisis reply, in the reply's language.
 *
 * @example hotlineValues(loadHotlines(), 'zh') // { emergency: '110 或 120', hotlines: '12356 全国心理援助热线、12355 青少年服务台' }
 */
export function hotlineValues(hotlines: Hotlines, language: Language): { emergency: string; hotlines: string } {
  if (language === 'zh') {
    return {
      emergency: hotlines.emergency.map((line) => line.number).join(' 或 '),
      hotlines: hotlines.support.map((line) => `${line.number} ${line.zh}`).join('、'),
    };
  }
  return {
    emergency: hotlines.emergency.map((line) => `${line.number} (${line.en})`).join(' or '),
    hotlines: hotlines.support.map((line) => `${line.number} (${line.en})`).join(' and '),
  };
}
