import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkResolver } from './plan-render.ts';
import { policyLinkEntries, policyLinksFor, readPolicyLinks, type LinkSituation } from './policy-links.ts';
import { corpusResolver } from './testing.ts';

const cited = (situation: LinkSituation): string[] => policyLinksFor(situation).map((link) => `${link.doc} ${link.locator}`);

describe('policy-links.yaml against the real documents', () => {
  let resolve: LinkResolver;
  beforeAll(async () => {
    resolve = await corpusResolver();
  });

  it.each(policyLinkEntries().map((entry) => [`${entry.doc} ${entry.locator}`, entry] as const))('%s is a clause of the corpus and quotes it verbatim', (_, entry) => {
    const clause = resolve({ doc: entry.doc, locator: entry.locator, why: entry.why });
    expect(clause, `${entry.doc} has no clause ${entry.locator}`).not.toBeNull();
    for (const fragment of entry.focus ?? []) expect(clause!.text).toContain(fragment);
  });

  it('keeps locators as written, even those YAML would read as numbers', () => {
    expect(policyLinkEntries().map((entry) => entry.locator)).toContain('6.3');
    expect(policyLinkEntries().every((entry) => typeof entry.locator === 'string')).toBe(true);
  });
});

describe('which links a plan cites', () => {
  it('cites the 中职 clauses, the internship rights of a student still at school, and the links without conditions', () => {
    expect(cited({ school: '中职', intention: '就业', constraints: [], graduated: false })).toEqual([
      'moe-2018-zhongzhi-guidance 第十六条',
      'moe-2018-zhongzhi-guidance 第八条',
      'moe-2018-zhongzhi-guidance 第十二条',
      'liaoning-zhongzhi-quality 二、11.',
      'lasa-draft-graduate-guidance-standard 6.3',
      'lasa-draft-graduate-guidance-standard 6.2',
    ]);
  });

  it('drops the internship clause for a graduate (graduated: false)', () => {
    expect(cited({ school: '中职', intention: '就业', constraints: [], graduated: true })).not.toContain('liaoning-zhongzhi-quality 二、11.');
  });

  it('holds when any one condition holds: the intention, or a constraint', () => {
    const continuing = 'liaoning-zhongzhi-quality 一、2.';
    expect(cited({ school: '中职', intention: '升学', constraints: [], graduated: false })).toContain(continuing);
    expect(cited({ school: '中职', intention: '未定', constraints: [], graduated: false })).toContain(continuing);
    expect(cited({ school: '中职', intention: '就业', constraints: ['想继续升学'], graduated: false })).toContain(continuing);
    expect(cited({ school: '中职', intention: '就业', constraints: ['离家近'], graduated: false })).not.toContain(continuing);
    expect(cited({ school: '高职', intention: '升学', constraints: ['想继续升学'], graduated: false })).not.toContain(continuing);
  });

  it('needs every key of a condition, and keeps file order', () => {
    expect(cited({ school: '高职', intention: '未定', constraints: ['家庭经济压力'], graduated: false })).toEqual([
      'henan-gaoxiao-employment-services 三、（一）5.',
      'henan-gaoxiao-employment-services 三、（一）6.',
      'henan-gaoxiao-employment-services 三、（二）3.',
      'henan-gaoxiao-employment-services 三、（二）5.',
      'lasa-draft-graduate-guidance-standard 6.3',
      'lasa-draft-graduate-guidance-standard 6.2',
    ]);
    expect(cited({ school: '本科', intention: '升学', constraints: [], graduated: true })).toEqual([
      'henan-gaoxiao-employment-services 三、（二）3.',
      'lasa-draft-graduate-guidance-standard 6.3',
      'lasa-draft-graduate-guidance-standard 6.2',
    ]);
  });

  it('returns links without their conditions', () => {
    const [first] = policyLinksFor({ school: '中职', intention: '就业', constraints: [], graduated: false });
    expect(Object.keys(first!).sort()).toEqual(['doc', 'focus', 'locator', 'why']);
  });
});

describe('an edited links file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'zhiyin-links-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('reads a locator like 6.10 as written', async () => {
    const file = path.join(dir, 'links.yaml');
    await writeFile(file, 'version: 1\nlinks:\n  - { doc: d, locator: 6.10, why: w }\n');
    expect(readPolicyLinks(file)[0]!.locator).toBe('6.10');
  });

  it('names a misspelt condition key and an unknown school', async () => {
    const file = path.join(dir, 'bad.yaml');
    await writeFile(file, 'version: 1\nlinks:\n  - { doc: d, locator: x, why: w, when: [{ schools: [中职] }] }\n  - { doc: d, locator: y, why: w, when: [{ school: [大学] }] }\n');
    expect(() => readPolicyLinks(file)).toThrow(/bad\.yaml: links\.0\.when\.0: Unrecognized key: "schools"/u);
    expect(() => readPolicyLinks(file)).toThrow(/links\.1\.when\.0\.school\.0/u);
  });
});
