import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { promptsDir } from './paths.ts';
import { hotlineValues, loadHotlines, type Hotlines } from './escalation/hotlines.ts';

export type Language = 'zh' | 'en';

/** The crisis reply's `{emergency}` and `{hotlines}` in each language, from one read of the file. */
function hotlineDefaults(hotlines: Hotlines): Record<Language, Record<string, string>> {
  return { zh: hotlineValues(hotlines, 'zh'), en: hotlineValues(hotlines, 'en') };
}

/** Student-facing text, read from `prompts/<name>.<lang>.yaml` files, with `{name}` placeholders. */
export class Replies {
  readonly #templates: Record<Language, Record<string, string>>;
  readonly #defaults: Record<Language, Record<string, string>>;

  /**
   * Reads `<name>.<lang>.yaml` for each name; a key defined twice is an error. `defaults` fill
   * placeholders no caller passes (the hotline numbers of the crisis reply).
   */
  constructor(
    dir = promptsDir,
    names: readonly string[] = ['replies', 'conversation'],
    defaults: Record<Language, Record<string, string>> = hotlineDefaults(loadHotlines()),
  ) {
    this.#defaults = defaults;
    const read = (language: Language): Record<string, string> => {
      const merged: Record<string, string> = {};
      for (const name of names) {
        const templates = parseYaml(readFileSync(path.join(dir, `${name}.${language}.yaml`), 'utf8')) as Record<string, string>;
        for (const [key, template] of Object.entries(templates)) {
          if (key in merged) throw new Error(`prompts: "${key}" is defined twice (${name}.${language}.yaml)`);
          merged[key] = template;
        }
      }
      return merged;
    };
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
      const value = values[key] ?? this.#defaults[language][key];
      if (value === undefined) throw new Error(`prompts: template "${name}" needs a value for {${key}}`);
      return String(value);
    });
  }

  has(language: Language, name: string): boolean {
    return this.#templates[language][name] !== undefined;
  }
}
