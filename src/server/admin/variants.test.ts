/**
 * The question variants (关联问题) of the knowledge-base admin, through the real Hono app
 * (`app.request`), PGlite and the real corpus: administrators only, CSRF on every form; a
 * version page lists each clause's questions and flags changed clauses that need new ones; the
 * editor adds, edits and deletes them (recorded in the history, the published version re-indexed
 * at once); the hit test shows the variant that matched.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { adminAndTeacher, getAs, postAs, type SignedIn } from '../dashboard/testing.ts';

const password = 'admin-test-password';
const base = '/admin/knowledge';
const moe = 'moe-2018-zhongzhi-guidance';
const editor = `${base}/docs/${moe}/versions/1/variants`;
let assistant: Assistant;
let app: Hono;
let asAdmin: SignedIn;
let asTeacher: SignedIn;

beforeAll(async () => {
  const db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db });
  ({ app, asAdmin, asTeacher } = await adminAndTeacher(assistant, db, password));
}, 120_000);
afterAll(async () => assistant?.close());

const questionsOf = async (key: string, version = 1): Promise<string[]> =>
  (await assistant.knowledge.variantsOf(moe, version)).filter((variant) => variant.clauseKey === key).map((variant) => variant.question);

describe('who may see and change question variants', () => {
  it('a teacher gets 403; a form without the CSRF token is refused and changes nothing', async () => {
    expect((await getAs(app, asTeacher, editor)).status).toBe(403);
    expect((await postAs(app, asTeacher, `${editor}`, { clause: '第十七条', question: '老师怎么考核？' })).status).toBe(403);
    expect((await postAs(app, asAdmin, `${editor}`, { clause: '第十七条', question: '老师怎么考核？' }, null)).status).toBe(403);
    expect((await postAs(app, asAdmin, `${editor}`, { clause: '第十七条', question: '老师怎么考核？' }, 'not-the-token')).status).toBe(403);
    expect(await questionsOf('第十七条')).not.toContain('老师怎么考核？');
  });
});

describe('the version page and the variant editor', () => {
  it('the version page lists each clause’s questions under it, with a link to the editor', async () => {
    const page = await (await getAs(app, asAdmin, `${base}/docs/${moe}/versions/1`)).text();
    expect(page).toContain('id="variant-summary"');
    expect(page).toMatch(/data-clause="第十五条"><li>中职学校至少要有几个职业指导老师？<span class="muted variant-source">随文件提供<\/span>/u);
    expect(page).toContain(`href="${editor}"`);
  });

  it('add, edit and delete round trip: stored, in the history, and the live index re-built at once', async () => {
    const kbVersion = await assistant.knowledge.version();
    const added = await postAs(app, asAdmin, editor, { clause: '第十七条', question: '就业老师年底怎么打分？' });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toMatch(new RegExp(`^${editor}\\?msg=variantAdded#clause-\\d+$`, 'u'));
    expect(await questionsOf('第十七条')).toContain('就业老师年底怎么打分？');
    expect(await assistant.knowledge.version()).toBe(kbVersion + 1);

    const page = await (await getAs(app, asAdmin, `${editor}?msg=variantAdded`)).text();
    expect(page).toContain('关联问题已添加');
    const id = [...page.matchAll(/data-variant-id="(\d+)">(.*?)<\/div>/gu)].find((match) => match[2]!.includes('value="就业老师年底怎么打分？"'))?.[1];
    expect(id).toBeDefined();
    expect(page).toContain('name="_csrf"');

    const edited = await postAs(app, asAdmin, `${editor}/${id}`, { question: '就业老师年底绩效怎么打分？' });
    expect(edited.status).toBe(303);
    expect(await questionsOf('第十七条')).toContain('就业老师年底绩效怎么打分？');
    expect(await questionsOf('第十七条')).not.toContain('就业老师年底怎么打分？');
    expect(await assistant.knowledge.version()).toBe(kbVersion + 2);

    // The hit test finds the clause by the new wording and shows the variant that matched.
    const hits = await (await getAs(app, asAdmin, `${base}/try?q=${encodeURIComponent('就业老师年底绩效怎么打分')}`)).text();
    expect(hits).toMatch(/<tr data-doc="moe-2018-zhongzhi-guidance" data-locator="第十七条"><td>1<\/td>/u);
    expect(hits).toContain('data-variant-match="就业老师年底绩效怎么打分？"');

    const deleted = await postAs(app, asAdmin, `${editor}/${id}/delete`);
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toContain('msg=variantDeleted');
    expect(await questionsOf('第十七条')).not.toContain('就业老师年底绩效怎么打分？');

    const history = await assistant.knowledge.history(moe, 10);
    const variantChanges = history.filter((change) => change.action.startsWith('variant-'));
    expect(variantChanges.map((change) => [change.action, change.actor])).toEqual([
      ['variant-delete', 'web:kb.admin'],
      ['variant-edit', 'web:kb.admin'],
      ['variant-add', 'web:kb.admin'],
    ]);
    const docPage = await (await getAs(app, asAdmin, `${base}/docs/${moe}`)).text();
    expect(docPage).toContain('修改关联问题');
  });

  it('refuses an empty question, an unknown clause and another version’s variant with the editor and a reason', async () => {
    const empty = await postAs(app, asAdmin, editor, { clause: '第十七条', question: '   ' });
    expect(empty.status).toBe(422);
    expect(await empty.text()).toContain('class="flash error"');
    expect((await postAs(app, asAdmin, editor, { clause: '第九十九条', question: '有这条吗？' })).status).toBe(422);
    expect((await postAs(app, asAdmin, `${editor}/999999`, { question: '改一下？' })).status).toBe(422);
    expect((await postAs(app, asAdmin, `${editor}/abc/delete`)).status).toBe(404);
    expect((await getAs(app, asAdmin, `${base}/docs/${moe}/versions/9/variants`)).status).toBe(404);
  });
});

describe('a new version with a changed clause', () => {
  it('shows the changed clause as needing new questions; a draft’s edits wait for its publish', async () => {
    const markdown = await readFile(path.join(assistant.config.ZHIYIN_KNOWLEDGE_DIR, `${moe}.md`), 'utf8');
    const changed = markdown.replace('至少配备1名具有一定专业水准的专兼职教师', '至少配备2名具有一定专业水准的专兼职教师');
    expect(changed).not.toBe(markdown);
    const form = new FormData();
    form.set('file', new File([new TextEncoder().encode(changed)], `${moe}.md`));
    form.set('_csrf', asAdmin.csrf);
    const uploaded = await app.request(`${base}/upload`, { method: 'POST', headers: { cookie: asAdmin.cookie }, body: form });
    expect(uploaded.status).toBe(303);
    expect(uploaded.headers.get('location')).toContain(`/docs/${moe}/versions/2`);

    const page = await (await getAs(app, asAdmin, `${base}/docs/${moe}/versions/2`)).text();
    expect(page).toContain('data-needs-variants="第十五条"');
    expect(page).toMatch(/1 条条文已修改，需要新的关联问题/u);
    expect(await questionsOf('第十四条', 2)).toEqual(await questionsOf('第十四条', 1));

    const kbVersion = await assistant.knowledge.version();
    const added = await postAs(app, asAdmin, `${base}/docs/${moe}/versions/2/variants`, { clause: '第十五条', question: '学校最少要配几个就业老师？' });
    expect(added.status).toBe(303);
    expect(await questionsOf('第十五条', 2)).toEqual(['学校最少要配几个就业老师？']);
    expect(await assistant.knowledge.version()).toBe(kbVersion);
    const after = await (await getAs(app, asAdmin, `${base}/docs/${moe}/versions/2/variants`)).text();
    expect(after).not.toContain('data-needs-variants="第十五条"');
    expect(after).toContain('这个版本未上线：发布后生效');
  });
});
