import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { promptsDir } from '../paths.ts';
import type { Language } from '../prompts.ts';

const templateSchema = z.object({
  /** Raised with every change; logged with each generation and shown by the eval. */
  version: z.number().int().positive(),
  system: z.string().min(1),
  user: z.string().min(1),
  clause: z.string().min(1),
  decision: z.string(),
  summary: z.string(),
  retry: z.string().min(1),
  problem_no_marker: z.string().min(1),
  problem_unknown_marker: z.string().min(1),
  problem_uncited: z.string().min(1),
  problem_unsupported: z.string().min(1),
  source_line: z.string().min(1),
});

/** The prompts of one language, from `prompts/generation.<lang>.yaml`. */
export type GenerationTemplate = z.infer<typeof templateSchema>;
export type GenerationTemplates = Record<Language, GenerationTemplate>;

/**
 * Reads the model prompts for grounded generation (`generation.zh.yaml`, `generation.en.yaml`),
 * failing with the file and field named when one is missing.
 *
 * @example const templates = loadGenerationTemplates(); templates.zh.version // 1
 */
export function loadGenerationTemplates(dir = promptsDir): GenerationTemplates {
  const read = (language: Language): GenerationTemplate => {
    const file = path.join(dir, `generation.${language}.yaml`);
    const parsed = templateSchema.safeParse(parseYaml(readFileSync(file, 'utf8')));
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
      throw new Error(`prompts: ${path.basename(file)}: ${problems.join('; ')}`);
    }
    return parsed.data;
  };
  return { zh: read('zh'), en: read('en') };
}

/**
 * Fills `{name}` placeholders; a missing value is an error, never a silent blank.
 *
 * @example fill('[{n}] {source}', { n: 1, source: '《…》' })
 */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/gu, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`prompts: a generation template needs a value for {${key}}`);
    return String(value);
  });
}
