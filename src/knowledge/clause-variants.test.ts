/**
 * Question variants in the store (real PGlite, the real corpus): the shipped variants attached at
 * first start and carried by the snapshot; a new version keeps the variants of unchanged clauses
 * and drops those of changed ones (shown as needing new ones); administrators' edits recorded in
 * the history; versions stored before variants existed seeded once; and variants written by the
 * configured model at ingest (the fake OpenAI-compatible server), cached per clause text.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Assistant, embeddingModelFor } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { fakeReplies, startFakeOpenAIServer, type FakeChatRequest, type FakeOpenAIServer } from '../generation/fake-openai-server.ts';
import { ChatVariantGenerator, parseGeneratedVariants } from '../generation/variant-generator.ts';
import { createTestDatabase } from '../store/testing.ts';
import { readDocumentDirectory } from './corpus.ts';
import { loadShippedVariants } from './variants.ts';
import { KnowledgeBase, VersionError } from './knowledge-base.ts';
import type { PolicyDocument } from './types.ts';

const config = loadConfig({ LOG_LEVEL: 'silent' });
let assistant: Assistant;
let kb: KnowledgeBase;
let fake: FakeOpenAIServer;

beforeAll(async () => {
  fake = await startFakeOpenAIServer();
  assistant = await Assistant.open(config, { db: await createTestDatabase() });
  kb = assistant.knowledge;
});
afterAll(async () => {
  await assistant?.close();
  await fake?.close();
});

const moe = 'moe-2018-zhongzhi-guidance';

async function moeDocument(): Promise<PolicyDocument & { meta: Record<string, unknown> }> {
  const document = (await readDocumentDirectory(config.ZHIYIN_KNOWLEDGE_DIR)).find((d) => d.id === moe)!;
  const { source: _source, ...rest } = document;
  return rest;
}

describe('shipped variants in the store', () => {
  it('first start stores every shipped question with its version, and the snapshot carries them', async () => {
    const { rows } = await assistant.db.query<{ count: number; source: string }>("select count(*)::int as count, min(source) as source from clause_variants");
    expect(rows[0]!.count).toBeGreaterThanOrEqual(300);
    expect(rows[0]!.source).toBe('file');
    const snapshot = await kb.snapshot();
    const article = snapshot.clauses.find((clause) => clause.docId === moe && clause.locator === '第十五条')!;
    expect(article.variants).toContain('中职学校至少要有几个职业指导老师？');
    expect(snapshot.clauses.every((clause) => (clause.variants?.length ?? 0) >= 2)).toBe(true);
  });

  it('versions stored before variants existed get the shipped ones once (seeding)', async () => {
    const before = (await kb.variantsOf(moe, 1)).map((variant) => variant.question);
    await assistant.db.exec('delete from clause_variants; update document_versions set variants_seeded = false;');
    expect(await kb.variantsOf(moe, 1)).toEqual([]);
    expect(await kb.seedShippedVariants()).toEqual({ versions: 5, published: 5 });
    expect((await kb.variantsOf(moe, 1)).map((variant) => variant.question).sort()).toEqual([...before].sort());
    expect(await kb.seedShippedVariants()).toEqual({ versions: 0, published: 0 });
  });

  it('the variants files are read only when a version needs them: a start whose versions have theirs reads none', async () => {
    const shipped = await loadShippedVariants(config.ZHIYIN_KNOWLEDGE_DIR);
    let reads = 0;
    const started = new KnowledgeBase(assistant.db, kb.model, {
      shippedVariants: async () => {
        reads += 1;
        return shipped;
      },
    });
    expect(await started.seedShippedVariants()).toEqual({ versions: 0, published: 0 });
    expect(reads).toBe(0);
    // versions without their variants: the files are read, once
    await assistant.db.exec('delete from clause_variants; update document_versions set variants_seeded = false;');
    expect(await started.seedShippedVariants()).toEqual({ versions: 5, published: 5 });
    expect(await started.seedShippedVariants()).toEqual({ versions: 0, published: 0 });
    expect(reads).toBe(1);
    expect((await kb.variantsOf(moe, 1)).length).toBeGreaterThan(0);
  });
});

describe('a new version of a document', () => {
  it('keeps the variants of unchanged clauses and drops those of the changed one, which is shown as needing new ones', async () => {
    const v1 = await kb.variantsOf(moe, 1);
    const document = await moeDocument();
    const changed = { ...document, body: document.body.replace('至少配备1名具有一定专业水准的专兼职教师', '至少配备2名具有一定专业水准的专兼职教师') };
    expect(changed.body).not.toBe(document.body);
    const report = await kb.upsert([changed], { actor: 'test' });
    expect(report.published).toEqual({ [moe]: 2 });

    const v2 = await kb.variantsOf(moe, 2);
    const of = (list: typeof v1, key: string): string[] => list.filter((variant) => variant.clauseKey === key).map((variant) => variant.question);
    expect(of(v2, '第十五条')).toEqual([]);
    expect(of(v1, '第十五条').length).toBeGreaterThanOrEqual(2);
    expect(of(v2, '第十四条')).toEqual(of(v1, '第十四条'));
    expect(v2.length).toBe(v1.length - of(v1, '第十五条').length);

    const clauses = await kb.clauseVariants(moe, 2);
    expect(clauses.find((clause) => clause.key === '第十五条')).toMatchObject({ changed: true, variants: [] });
    expect(clauses.find((clause) => clause.key === '第十四条')).toMatchObject({ changed: false });
    expect(clauses.filter((clause) => clause.changed).map((clause) => clause.key)).toEqual(['第十五条']);

    const snapshot = await kb.snapshot();
    const live = (locator: string) => snapshot.clauses.find((clause) => clause.docId === moe && clause.locator === locator)!;
    expect(live('第十五条').variants).toBeUndefined();
    expect(live('第十四条').variants).toEqual(of(v1, '第十四条'));
  });

  it('a rollback serves the earlier version with its own variants again', async () => {
    await kb.rollback(moe, 1, { actor: 'test' });
    const snapshot = await kb.snapshot();
    expect(snapshot.clauses.find((clause) => clause.docId === moe && clause.locator === '第十五条')!.variants).toContain('中职学校至少要有几个职业指导老师？');
  });
});

describe('administrators edit the variants of a version', () => {
  it('add, edit and delete, each recorded in the history with who did it; a published version says so', async () => {
    const added = await kb.addVariant(moe, 1, '第十七条', '  就业老师年底 怎么打分？ ', { actor: 'web:kb.admin' });
    expect(added.published).toBe(true);
    expect(added.variant).toMatchObject({ clauseKey: '第十七条', question: '就业老师年底 怎么打分？', source: 'admin', createdBy: 'web:kb.admin' });
    await expect(kb.addVariant(moe, 1, '第十七条', '就业老师年底 怎么打分？')).rejects.toThrow(VersionError);
    await expect(kb.addVariant(moe, 1, '第九十九条', '有这条吗？')).rejects.toThrow(/has no clause 第九十九条/u);
    await expect(kb.addVariant(moe, 1, '第十七条', '   ')).rejects.toThrow(/empty/u);

    const edited = await kb.updateVariant(moe, 1, added.variant.id, '就业老师年底怎么考核打分？', { actor: 'web:kb.admin' });
    expect(edited.variant.question).toBe('就业老师年底怎么考核打分？');
    const fileVariant = (await kb.variantsOf(moe, 1)).find((variant) => variant.source === 'file' && variant.clauseKey === '第十七条')!;
    await kb.deleteVariant(moe, 1, fileVariant.id, { actor: 'web:kb.admin' });
    await expect(kb.deleteVariant(moe, 2, added.variant.id)).rejects.toThrow(VersionError);

    const questions = (await kb.variantsOf(moe, 1)).filter((variant) => variant.clauseKey === '第十七条').map((variant) => variant.question);
    expect(questions).toContain('就业老师年底怎么考核打分？');
    expect(questions).not.toContain(fileVariant.question);
    const history = await kb.history(moe, 3);
    expect(history.map((change) => [change.action, change.actor])).toEqual([
      ['variant-delete', 'web:kb.admin'],
      ['variant-edit', 'web:kb.admin'],
      ['variant-add', 'web:kb.admin'],
    ]);
    expect(history[1]!.detail).toEqual({ clause: '第十七条', before: '就业老师年底 怎么打分？', question: '就业老师年底怎么考核打分？' });

    // The live index has the new wording once re-indexed (the admin pages do it at once).
    await kb.reindex({ actor: 'test', model: await embeddingModelFor(config, assistant.tokenizer) });
    const { results } = await (await assistant.answerer()).search.search('就业老师年底怎么考核打分', 3);
    expect(results[0]).toMatchObject({ clause: { docId: moe, locator: '第十七条' } });
  });
});

describe('variants written by the configured model at ingest', () => {
  /** Three questions built from the clause the prompt carries, plus lines a parser must drop. */
  const questionsFor = (request: FakeChatRequest): string => {
    const clause = /<clause>\n([\s\S]*?)\n<\/clause>/u.exec(request.messages.at(-1)!.content)?.[1] ?? '';
    const topic = [...clause.replace(/^第[一二三四五六七八九十]+条\s*/u, '')].slice(0, 6).join('');
    return `好的，以下是问题：\n1. ${topic}是什么意思？\n2. 关于${topic}有什么要求？\n- “${topic}跟我有关系吗？”\n根据所给条款[1]。`;
  };
  const generatorConfig = (): ReturnType<typeof loadConfig> =>
    loadConfig({ LOG_LEVEL: 'silent', LLM_BASE_URL: fake.url, LLM_API_KEY: 'test', LLM_MODEL: 'fake', LLM_TIMEOUT_MS: '2000', LLM_MAX_RETRIES: '0' });
  const internship = (second: string, third = '实习单位应当为学生购买实习责任保险。'): PolicyDocument => ({
    id: 'variants-internship',
    title: '关于规范学生实习管理的通知',
    issuer: '某省教育厅',
    region: '某省',
    date: '2023-05-12',
    dateNote: null,
    status: 'in-force',
    audience: '中等职业学校',
    body: `## 第一章 实习管理\n\n第一条 实习单位不得向学生收取实习押金。\n\n第二条 ${second}\n\n第三条 ${third}`,
  });
  let generating: KnowledgeBase;

  beforeAll(async () => {
    generating = new KnowledgeBase(assistant.db, await embeddingModelFor(config, assistant.tokenizer), { variantGenerator: ChatVariantGenerator.fromConfig(generatorConfig()) });
  });
  beforeEach(() => {
    fake.reset();
    fake.otherwise = { kind: 'answer', content: questionsFor };
  });

  it('a reply is read one question per line; explanations, markers and copied clause text are dropped', () => {
    expect(parseGeneratedVariants('好的，以下是问题：\n1. 实习要交押金吗？\n2、学校能扣我身份证吗？\n- “实习单位不得向学生收取实习押金”\n[1] 见条款', '实习单位不得向学生收取实习押金。')).toEqual([
      '实习要交押金吗？',
      '学校能扣我身份证吗？',
    ]);
  });

  it('writes three questions per clause of a new document, sending each clause once', async () => {
    const { created } = await generating.addDrafts([{ document: internship('学生每日实习时间不超过8小时。') }], { actor: 'test' });
    expect(created).toEqual([{ docId: 'variants-internship', version: 1 }]);
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests[0]!.messages[0]!.role).toBe('system');
    const variants = await generating.variantsOf('variants-internship', 1);
    expect(variants).toHaveLength(9);
    expect(variants.every((variant) => variant.source === 'model' && variant.createdBy === 'test')).toBe(true);
    expect(variants.filter((variant) => variant.clauseKey === '第二条').map((variant) => variant.question)).toEqual([
      '学生每日实习是什么意思？',
      '关于学生每日实习有什么要求？',
      '学生每日实习跟我有关系吗？',
    ]);
  });

  it('a new version asks the model only about the changed clause; the others keep their questions', async () => {
    await generating.addDrafts([{ document: internship('学生每日顶岗实习时间不超过8小时，不得安排加班。') }], { actor: 'test' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.messages.at(-1)!.content).toContain('不得安排加班');
    const [v1, v2] = [await generating.variantsOf('variants-internship', 1), await generating.variantsOf('variants-internship', 2)];
    const of = (list: typeof v1, key: string): string[] => list.filter((variant) => variant.clauseKey === key).map((variant) => variant.question);
    expect(of(v2, '第一条')).toEqual(of(v1, '第一条'));
    expect(of(v2, '第三条')).toEqual(of(v1, '第三条'));
    expect(of(v2, '第二条')).toEqual(['学生每日顶岗是什么意思？', '关于学生每日顶岗有什么要求？', '学生每日顶岗跟我有关系吗？']);
  });

  it('the same clause text is never sent twice: the text of a discarded draft comes from the cache', async () => {
    await generating.discardDraft('variants-internship', 2);
    // v3 follows v1 (v2 was discarded): 第二条 has v2's text again, 第三条 is new.
    await generating.addDrafts([{ document: internship('学生每日顶岗实习时间不超过8小时，不得安排加班。', '实习单位应当为学生购买实习责任保险，费用不得由学生承担。') }], { actor: 'test' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.messages.at(-1)!.content).toContain('费用不得由学生承担');
    const v3 = await generating.variantsOf('variants-internship', 3);
    expect(v3.filter((variant) => variant.clauseKey === '第二条').map((variant) => variant.question)).toEqual(['学生每日顶岗是什么意思？', '关于学生每日顶岗有什么要求？', '学生每日顶岗跟我有关系吗？']);
    expect(v3.filter((variant) => variant.clauseKey === '第三条')).toHaveLength(3);
  });

  it('a model that fails leaves the clause without variants and the upload stored', async () => {
    fake.otherwise = fakeReplies.serverError;
    const { created } = await generating.addDrafts([{ document: internship('学生实习期间每周至少休息一天。') }]);
    expect(created).toEqual([{ docId: 'variants-internship', version: 4 }]);
    expect(fake.requests).toHaveLength(1);
    const v4 = await generating.variantsOf('variants-internship', 4);
    expect(v4.filter((variant) => variant.clauseKey === '第二条')).toEqual([]);
    expect(v4.filter((variant) => variant.clauseKey === '第一条')).toHaveLength(3);
  });

  it('first start with a model configured sends nothing: every shipped clause has its questions', async () => {
    const withModel = await Assistant.open(generatorConfig(), { db: await createTestDatabase() });
    try {
      expect(withModel.knowledge.variantGenerator).not.toBeNull();
      expect(fake.requests).toHaveLength(0);
      expect((await withModel.knowledge.snapshot()).clauses.every((clause) => (clause.variants?.length ?? 0) >= 2)).toBe(true);
    } finally {
      await withModel.close();
    }
  });
});
