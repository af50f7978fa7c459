/**
 * Fidelity of the knowledge base: every `knowledge/documents/*.md` must hold exactly the text of its
 * original in `knowledge/originals/` — only noise removed (bookmark markers, whitespace, hard line
 * breaks) and Markdown structure added (headings, one table). Also checks the front matter and that
 * the originals themselves are the ones received.
 */
import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const documentsDir = path.join(repoRoot, 'knowledge/documents');
const originalsDir = path.join(repoRoot, 'knowledge/originals');
const sharedCorpusDir = path.resolve(repoRoot, '../shared/corpus');

/** sha256 of the originals as received (must never change). */
const ORIGINAL_SHA256: Record<string, string> = {
  '000_1371634098a2d1b0.txt': '6309a553fa1c49c4059aa3de5c1c7bc629bb612ee949267bc1651da07aaf884a',
  '001_6b6e95c9a2e4cba1.txt': '33207982a6c03798c65bd510cefe866ebbf2af6c3ba535a5689a9646eb78aa1d',
  '002_812d702d0ccfc448.txt': 'f6f0f8cad8a2a117cf8f28ae8fae34f809d5f2b594e027ede1409d215cdf60c0',
  '003_e91eeba2d6c6e821.txt': '63a28d3e51251c4d8a2626e35f5a6f552f765f607474146215a69526b8768a3a',
  '004_811d48db21a755ad.txt': 'ad9204f90a033852d0be4bdd06b5e69a41b3b4a64943f0d13e522440c97aa498',
};

const REQUIRED_FIELDS = ['id', 'title', 'issuer', 'region', 'date', 'date_note', 'status', 'audience', 'source'] as const;
const OPTIONAL_FIELDS = ['issuer_note'] as const;

interface DocFile {
  file: string;
  meta: Record<string, unknown>;
  body: string;
}

/** Splits a document on its first two `---` lines into YAML front matter and Markdown body. */
function splitFrontMatter(text: string, file: string): { meta: Record<string, unknown>; body: string } {
  const lines = text.split('\n');
  if (lines[0]?.trim() !== '---') throw new Error(`${file}: does not start with a --- line`);
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0) throw new Error(`${file}: front matter is not closed by a --- line`);
  const meta: unknown = parseYaml(lines.slice(1, end).join('\n'));
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) throw new Error(`${file}: front matter is not a mapping`);
  return { meta: meta as Record<string, unknown>, body: lines.slice(end + 1).join('\n') };
}

function loadDocuments(): DocFile[] {
  return readdirSync(documentsDir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((file) => ({ file, ...splitFrontMatter(readFileSync(path.join(documentsDir, file), 'utf8'), file) }));
}

/**
 * Reduces a text to its wording: drops `[bookmark: …]` markers, Markdown heading markers, Markdown
 * table syntax and all whitespace (incl. U+3000 full-width spaces, tabs, BOM).
 */
function normalise(text: string): string {
  return text
    .replace(/\[bookmark:[^\]]*\]/g, '')
    .replace(/^[ \t]*#+[ \t]*/gm, '')
    .replace(/^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$/gm, '')
    .replace(/\|/g, '')
    .replace(/[\s\u3000\u00a0\ufeff]+/g, '');
}

/** Describes the first difference between two strings with 30 characters of context either side. */
function firstDifference(actual: string, expected: string): string {
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const ctx = (s: string) => `…${s.slice(Math.max(0, i - 30), i)}⟦${s.slice(i, i + 30)}⟧…`;
  return (
    `first difference at normalised position ${i} (document length ${actual.length}, original length ${expected.length})\n` +
    `  document: ${ctx(actual)}\n` +
    `  original: ${ctx(expected)}`
  );
}

const docs = loadDocuments();

describe('knowledge/documents', () => {
  it('holds one document per original', () => {
    expect(docs.length).toBe(Object.keys(ORIGINAL_SHA256).length);
    const sources = docs.map((d) => d.meta.source).sort();
    expect(sources).toEqual(Object.keys(ORIGINAL_SHA256).sort());
  });

  it('has ids that are unique ASCII slugs equal to the file names', () => {
    const ids = docs.map((d) => d.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of docs) {
      expect(d.meta.id, d.file).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(`${String(d.meta.id)}.md`).toBe(d.file);
    }
  });

  for (const d of docs) {
    describe(d.file, () => {
      it('has a complete and valid front matter', () => {
        const m = d.meta;
        const known = new Set<string>([...REQUIRED_FIELDS, ...OPTIONAL_FIELDS]);
        expect(Object.keys(m).filter((k) => !known.has(k)), 'unknown front-matter fields').toEqual([]);
        for (const f of REQUIRED_FIELDS) expect(Object.hasOwn(m, f), `field ${f} missing`).toBe(true);
        for (const f of ['id', 'title', 'issuer', 'region', 'audience', 'source'] as const) {
          expect(typeof m[f], `field ${f}`).toBe('string');
          expect(String(m[f]).trim(), `field ${f}`).not.toBe('');
        }
        expect(['in-force', 'draft']).toContain(m.status);
        if (m.date === null) {
          // an unknown date must say what is known instead
          expect(typeof m.date_note).toBe('string');
          expect(String(m.date_note).trim()).not.toBe('');
        } else {
          expect(typeof m.date, 'date must be a quoted ISO string or null').toBe('string');
          const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(m.date));
          expect(iso, `date ${String(m.date)} is not YYYY-MM-DD`).not.toBeNull();
          const [, y, mo, da] = iso!;
          expect(new Date(`${String(m.date)}T00:00:00Z`).toISOString().slice(0, 10)).toBe(m.date);
          // a date is only given when the text itself states it
          expect(d.body).toContain(`${Number(y)}年${Number(mo)}月${Number(da)}日`);
          expect(m.date_note === null || typeof m.date_note === 'string').toBe(true);
        }
        if (Object.hasOwn(m, 'issuer_note')) expect(typeof m.issuer_note).toBe('string');
        expect(existsSync(path.join(originalsDir, String(m.source))), `source ${String(m.source)} not found`).toBe(true);
      });

      it('starts its body with the title as the only level-1 heading', () => {
        const lines = d.body.split('\n');
        expect(lines[0]).toBe(`# ${String(d.meta.title)}`);
        expect(lines.filter((l) => /^# /.test(l))).toHaveLength(1);
      });

      it('has no conversion noise left', () => {
        expect(d.body).not.toMatch(/\[bookmark:/);
        expect(d.body).not.toMatch(/\u3000/);
        expect(d.body).not.toMatch(/\t/);
        expect(d.body).not.toMatch(/[ \t]+$/m);
      });

      it('keeps every character of the original wording', () => {
        const original = readFileSync(path.join(originalsDir, String(d.meta.source)), 'utf8');
        const title = normalise(String(d.meta.title));
        const bodyWithoutTitle = normalise(d.body.split('\n').slice(1).join('\n'));
        const normOriginal = normalise(original);
        const at = normOriginal.indexOf(title);
        expect(at, 'title not found in the original').toBeGreaterThanOrEqual(0);
        const originalWithoutTitle = normOriginal.slice(0, at) + normOriginal.slice(at + title.length);
        if (bodyWithoutTitle !== originalWithoutTitle) {
          expect.fail(`${d.file} differs from ${String(d.meta.source)}:\n${firstDifference(bodyWithoutTitle, originalWithoutTitle)}`);
        }
        expect(bodyWithoutTitle).toBe(originalWithoutTitle);
      });
    });
  }
});

describe('knowledge/originals', () => {
  it('are the originals as received (sha256)', () => {
    const files = readdirSync(originalsDir).filter((f) => f.endsWith('.txt')).sort();
    expect(files).toEqual(Object.keys(ORIGINAL_SHA256).sort());
    for (const f of files) {
      const sha = createHash('sha256').update(readFileSync(path.join(originalsDir, f))).digest('hex');
      expect(sha, f).toBe(ORIGINAL_SHA256[f]);
    }
  });

  it('are byte-identical to the shared corpus when it sits beside the repo', () => {
    // Without the shared corpus the sha256 test above is the whole check; with it, compare bytes too.
    const shared = existsSync(sharedCorpusDir)
      ? readdirSync(sharedCorpusDir).filter((f) => f.endsWith('.txt')).sort()
      : Object.keys(ORIGINAL_SHA256).sort();
    expect(shared).toEqual(Object.keys(ORIGINAL_SHA256).sort());
    for (const f of shared) {
      const mine = readFileSync(path.join(originalsDir, f));
      const theirs = existsSync(sharedCorpusDir) ? readFileSync(path.join(sharedCorpusDir, f)) : mine;
      expect(Buffer.compare(mine, theirs), f).toBe(0);
    }
  });
});
