import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { promptsDir } from './paths.ts';

export type Language = 'zh' | 'en';

/** Student-facing text, read from `prompts/replies.<lang>.yaml`, with `{name}` placeholders. */
export class Replies {
  readonly #templates: Record<Language, Record<string, string>>;

  constructor(dir = promptsDir) {
    const read = (language: Language): Record<string, string> =>
      parseYaml(readFileSync(path.join(dir, `replies.${language}.yaml`), 'utf8')) as Record<string, string>;
    this.#templates = { zh: read('zh'), en: read('en') };
  }

  /**
   * Fills a template; a missing template or value is an error, never a silent blank.
   *
   * @example replies.render('zh', 'too_long', { length: 5000, limit: 4096 })
   */
  render(language: Language, name: string, values: Record<string, string | number> = {}): string {
    const template = this.#templates[language][name] ?? this.#templates.zh[name];
    if (template === undefined) throw new Error(`prompts: no template "${name}" in replies.${language}.yaml`);
    return template.replace(/\{(\w+)\}/gu, (_, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`prompts: template "${name}" needs a value for {${key}}`);
      return String(value);
    });
  }

  has(language: Language, name: string): boolean {
    return this.#templates[language][name] !== undefined;
  }
}
