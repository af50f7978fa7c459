import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isScalar, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { repoRoot } from '../paths.ts';

/** A data file of the career dialogue that is not what its header comment says it is. */
export class CareerFileError extends Error {
  constructor(
    readonly file: string,
    problems: readonly string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'CareerFileError';
  }
}

/** How `readCareerFile` reads a file. */
export interface ReadOptions {
  /**
   * Keys whose values are kept exactly as written even when YAML would read a number: a clause
   * locator `6.10` stays "6.10", not 6.1.
   */
  verbatim?: readonly string[];
}

/** Parses YAML, keeping the values of `verbatim` keys as their source text. */
function parseYaml(source: string, verbatim: readonly string[]): unknown {
  const document = parseDocument(source);
  if (document.errors.length > 0) throw new Error(document.errors.map((error) => error.message).join('; '));
  visit(document, {
    Pair(_, pair) {
      if (isScalar(pair.key) && verbatim.includes(String(pair.key.value)) && isScalar(pair.value) && typeof pair.value.value === 'number') {
        pair.value.value = pair.value.source ?? String(pair.value.value);
      }
    },
  });
  return document.toJS();
}

/**
 * Reads a YAML file (a path relative to the repository root, or absolute) and checks it against a schema; every problem is
 * listed with its path in the file, so a broken edit fails at start-up with a clear message.
 *
 * @example readCareerFile('knowledge/career/policy-links.yaml', fileSchema, { verbatim: ['locator'] })
 */
export function readCareerFile<T>(relativePath: string, schema: z.ZodType<T>, options: ReadOptions = {}): T {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path.resolve(repoRoot, relativePath), 'utf8'), options.verbatim ?? []);
  } catch (error) {
    throw new CareerFileError(relativePath, [(error as Error).message]);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new CareerFileError(
      relativePath,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/**
 * A value computed on first use and then kept for the life of the process.
 *
 * @example const items = once(() => readCareerFile(file, schema)); items().length
 */
export function once<T>(load: () => T): () => T {
  let value: { loaded: T } | undefined;
  return () => (value ??= { loaded: load() }).loaded;
}
