/**
 * The knowledge-base admin over real parts (PGlite, the Hono app through `app.request`, the real
 * corpus and eval datasets): administrators only, CSRF on every form, uploads of each kind with a
 * clause preview, publish evaluated before the switch and blocked below the floor, version
 * history with diffs, rollback, withdraw, the hit test, and the lexicon editor.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../../assistant.ts';
import { loadConfig } from '../../config.ts';
import { reloadLexicon } from '../../knowledge/lexicon-files.ts';
import { parseLimits } from '../../knowledge/ingest.ts';
import { docxBomb, sampleDocx, sampleHtml, sampleTxt, slowDocx } from '../../knowledge/testing-fixtures.ts';
import { knowledgeDir } from '../../paths.ts';
import { createTestDatabase } from '../../store/testing.ts';
import { SessionStore } from '../auth/sessions.ts';
import { adminAndTeacher, getAs, postAs, type SignedIn } from '../dashboard/testing.ts';
import { knowledgeAdmin } from './routes.ts';

const password = 'admin-test-password';
const base = '/admin/knowledge';
let assistant: Assistant;
let app: Hono;
let asAdmin: SignedIn;
let asTeacher: SignedIn;
let lexiconDir: string;

/** POSTs a multipart upload as a signed-in user. */
function upload(target: Hono, who: SignedIn, bytes: Uint8Array, name: string, fields: Record<string, string> = {}, csrf: string | null = who.csrf): Promise<Response> {
  const form = new FormData();
  form.set('file', new File([bytes], name));
  for (const [key, value] of Object.entries(fields)) form.set(key, value);
  if (csrf !== null) form.set('_csrf', csrf);
  return Promise.resolve(target.request(`${base}/upload`, { method: 'POST', headers: { cookie: who.cookie }, body: form }));
}

/** POSTs a multipart upload of several files as a signed-in user. */
function uploadMany(target: Hono, who: SignedIn, files: [Uint8Array, string][]): Promise<Response> {
  const form = new FormData();
  for (const [bytes, name] of files) form.append('file', new File([bytes], name));
  form.set('_csrf', who.csrf);
  return Promise.resolve(target.request(`${base}/upload`, { method: 'POST', headers: { cookie: who.cookie }, body: form }));
}

beforeAll(async () => {
  const db = await createTestDatabase();
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db });
  ({ app, asAdmin, asTeacher } = await adminAndTeacher(assistant, db, password));
  lexiconDir = await mkdtemp(path.join(tmpdir(), 'zhiyin-lexicon-'));
  await cp(path.join(knowledgeDir, 'lexicon'), lexiconDir, { recursive: true });
}, 120_000);
afterAll(async () => {
  await assistant?.close();
  await rm(lexiconDir, { recursive: true, force: true });
});

describe('who may use the knowledge-base admin', () => {
  it('a teacher gets 403 on every page and action; a stranger is sent to the login', async () => {
    expect((await getAs(app, asTeacher, base)).status).toBe(403);
    expect((await upload(app, asTeacher, sampleTxt(), 'a.txt')).status).toBe(403);
    expect((await postAs(app, asTeacher, `${base}/docs/moe-2018-zhongzhi-guidance/withdraw`, { confirm: '1' })).status).toBe(403);
    expect((await postAs(app, asTeacher, `${base}/docs/moe-2018-zhongzhi-guidance/versions/1/publish`, { confirm: '1' })).status).toBe(403);
    expect((await postAs(app, asTeacher, `${base}/lexicon/synonyms`, { text: '甲\t乙' })).status).toBe(403);
    const anonymous = await app.request(base);
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(`/login?next=${encodeURIComponent(base)}`);
    expect((await assistant.knowledge.list()).map((d) => d.id)).toContain('moe-2018-zhongzhi-guidance');
  });

  it('an admin sees the overview; a form without the CSRF token is refused', async () => {
    const page = await getAs(app, asAdmin, base);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('知识库管理');
    expect(text).toContain('data-doc-id="moe-2018-zhongzhi-guidance"');
    expect((await upload(app, asAdmin, sampleTxt(), 'a.txt', {}, null)).status).toBe(403);
    expect((await upload(app, asAdmin, sampleTxt(), 'a.txt', {}, 'not-the-token')).status).toBe(403);
    expect((await postAs(app, asAdmin, `${base}/docs/moe-2018-zhongzhi-guidance/withdraw`, { confirm: '1' }, null)).status).toBe(403);
    expect((await assistant.knowledge.list()).length).toBe(5);
  });
});

describe('upload, preview, publish, versions', () => {
  let versionPath = '';

  it('a Word upload becomes a draft with its metadata and a clause preview; nothing is served yet', async () => {
    const kbVersion = await assistant.knowledge.version();
    const response = await upload(app, asAdmin, await sampleDocx(), '实习通知.docx');
    expect(response.status).toBe(303);
    versionPath = response.headers.get('location')!.split('?')[0]!;
    expect(versionPath).toMatch(/^\/admin\/knowledge\/docs\/shandong-2023-[a-z]+\/versions\/1$/u);
    const page = await (await getAs(app, asAdmin, `${versionPath}?msg=uploaded`)).text();
    expect(page).toContain('已上传为草稿');
    expect(page).toContain('value="关于规范学生实习管理的通知"');
    expect(page).toContain('value="山东省教育厅、山东省人力资源和社会保障厅"');
    for (const locator of ['第一条', '第二条', '第三条', '第四条']) expect(page).toContain(`data-locator="${locator}"`);
    expect(page).toContain('（一）向学生收取实习押金');
    expect(await assistant.knowledge.version()).toBe(kbVersion);
  });

  it('the admin corrects the metadata of the draft', async () => {
    const saved = await postAs(app, asAdmin, `${versionPath}/metadata`, {
      title: '关于规范学生实习管理的通知',
      issuer: '山东省教育厅、山东省人力资源和社会保障厅',
      region: '山东省',
      audience: '中等职业学校学生',
      status: 'in-force',
      date: '2023-05-12',
      dateNote: '',
      effectiveFrom: '2023-06-01',
      expiresOn: '',
    });
    expect(saved.status).toBe(303);
    const docId = versionPath.split('/')[4]!;
    const stored = await assistant.knowledge.getVersion(docId, 1);
    expect(stored).toMatchObject({ effectiveFrom: '2023-06-01', document: { audience: '中等职业学校学生' } });
    const bad = await postAs(app, asAdmin, `${versionPath}/metadata`, { title: '', issuer: 'x', region: 'x', audience: 'x', status: 'in-force' });
    expect(bad.status).toBe(422);
  });

  it('publish first shows the eval of the candidate beside the live set; only the confirmation switches it in', async () => {
    const kbVersion = await assistant.knowledge.version();
    const check = await postAs(app, asAdmin, `${versionPath}/publish`);
    expect(check.status).toBe(200);
    const page = await check.text();
    expect(page).toContain('id="eval"');
    expect(page).toMatch(/政策问答<\/td><td class="score">142<\/td><td class="score">\d+\.\d%<\/td><td class="score">\d+\.\d%/u);
    expect(page).toContain('id="confirm-publish"');
    expect(await assistant.knowledge.version()).toBe(kbVersion);

    const confirmed = await postAs(app, asAdmin, `${versionPath}/publish`, { confirm: '1' });
    expect(confirmed.status).toBe(303);
    expect(confirmed.headers.get('location')).toMatch(/\?msg=published$/u);
    expect(await assistant.knowledge.version()).toBe(kbVersion + 1);
    const answer = await assistant.ask('山东的实习单位可以扣押学生的身份证吗？');
    expect(answer.citations.map((c) => c.doc)).toContain(versionPath.split('/')[4]);
    const history = await assistant.knowledge.history(versionPath.split('/')[4]);
    expect(history[0]).toMatchObject({ action: 'publish', actor: 'web:kb.admin', detail: { eval: { passed: true } } });
  });

  it('a floor above the candidate’s accuracy blocks the publish and switches nothing', async () => {
    const strict = new Hono();
    strict.route(base, knowledgeAdmin({ assistant, sessions: new SessionStore(assistant.db), publishFloor: 0.999 }));
    const docId = versionPath.split('/')[4]!;
    const next = await upload(strict, asAdmin, sampleHtml(), 'notice.html', { id: docId });
    expect(next.status).toBe(303);
    const draft = next.headers.get('location')!.split('?')[0]!;
    expect(draft).toBe(`${base}/docs/${docId}/versions/2`);
    const kbVersion = await assistant.knowledge.version();
    const blocked = await postAs(strict, asAdmin, `${draft}/publish`, { confirm: '1' });
    expect(blocked.status).toBe(422);
    const page = await blocked.text();
    expect(page).toContain('未达到，不能发布');
    expect(page).not.toContain('id="confirm-publish"');
    expect(await assistant.knowledge.version()).toBe(kbVersion);
    expect((await assistant.knowledge.versionsOf(docId))[0]).toMatchObject({ version: 2, state: 'draft' });
  });

  it('v2 diff against v1, publish v2, rollback to v1, withdraw', async () => {
    const docId = versionPath.split('/')[4]!;
    const diff = await (await getAs(app, asAdmin, `${base}/docs/${docId}/diff?from=1&to=2`)).text();
    expect(diff).toMatch(/新增 \d+ 条，删除 \d+ 条，修改 \d+ 条/u);
    const published = await postAs(app, asAdmin, `${base}/docs/${docId}/versions/2/publish`, { confirm: '1' });
    expect(published.status).toBe(303);
    const docPage = await (await getAs(app, asAdmin, `${base}/docs/${docId}`)).text();
    expect(docPage).toContain('<strong id="published-version">v2</strong>');
    expect(docPage).toMatch(/data-version="1">.*data-state="superseded"/su);

    const check = await postAs(app, asAdmin, `${base}/docs/${docId}/rollback`);
    expect(check.status).toBe(200);
    const checkText = await check.text();
    expect(checkText).toContain(`action="${base}/docs/${docId}/rollback"`);
    expect(checkText).toContain('确认回滚到 v1');
    expect(checkText).toContain('name="version" value="1"');
    expect(checkText).toContain('<td>政策问答</td>');
    expect(checkText).not.toContain('<td>policy</td>');
    expect((await assistant.knowledge.versionsOf(docId)).find((v) => v.state === 'published')?.version).toBe(2);
    const rolledBack = await postAs(app, asAdmin, `${base}/docs/${docId}/rollback`, { confirm: '1', version: '1' });
    expect(rolledBack.status).toBe(303);
    expect((await assistant.knowledge.versionsOf(docId)).map((v) => [v.version, v.state])).toEqual([[2, 'withdrawn'], [1, 'published']]);

    // withdraw asks first, on a page of its own (no script needed); only the confirmed form withdraws
    const ask = await postAs(app, asAdmin, `${base}/docs/${docId}/withdraw`);
    expect(ask.status).toBe(200);
    const askText = await ask.text();
    expect(askText).toContain('确认撤下《关于规范学生实习管理的通知》');
    expect(askText).toContain('name="confirm" value="1"');
    expect((await assistant.knowledge.list()).map((d) => d.id)).toContain(docId);
    const withdrawn = await postAs(app, asAdmin, `${base}/docs/${docId}/withdraw`, { confirm: '1' });
    expect(withdrawn.status).toBe(303);
    expect((await assistant.knowledge.list()).map((d) => d.id)).not.toContain(docId);
  });

  it('refuses a malformed file naming it, a file over the limit, and never writes the client’s path', async () => {
    const count = async (): Promise<number> => (await assistant.knowledge.catalogue()).length;
    const before = await count();
    const broken = await upload(app, asAdmin, new TextEncoder().encode('%PDF-1.4 broken'), '坏文件.pdf');
    expect(broken.status).toBe(422);
    expect(await broken.text()).toContain('坏文件.pdf');
    const disguised = await upload(app, asAdmin, sampleTxt(), 'report.pdf');
    expect(disguised.status).toBe(422);
    const huge = await upload(app, asAdmin, new Uint8Array(21 * 1024 * 1024), 'huge.txt');
    expect(huge.status).toBe(413);
    expect(await count()).toBe(before);

    const escaped = path.resolve(process.cwd(), '../zhiyin-traversal-test.txt');
    const traversal = await upload(app, asAdmin, sampleTxt(['某某办法', '第一条 甲。']), '../zhiyin-traversal-test.txt');
    expect(traversal.status).toBe(303);
    expect(existsSync(escaped)).toBe(false);
    const location = traversal.headers.get('location')!.split('?')[0]!;
    const [docId, version] = [location.split('/')[4]!, Number(location.split('/')[6])];
    expect((await assistant.knowledge.getVersion(docId, version))?.source?.name).toBe('zhiyin-traversal-test.txt');
  });

  it('takes several files in one upload: each becomes a draft, listed with its title; one unreadable file stores none', async () => {
    const count = async (): Promise<number> => (await assistant.knowledge.catalogue()).length;
    const before = await count();
    const first = sampleTxt(['广东省中等职业学校顶岗实习管理办法', '第一条 为规范实习，制定本办法。', '第二条 实习单位不得收取押金。', '第三条 本办法自2025年3月1日起施行。', '广东省教育厅', '2025年1月20日']);
    const second = sampleTxt(['江苏省职业学校就业指导工作规程', '第一条 学校应当配备就业指导教师。', '第二条 本规程自发布之日起施行。', '江苏省教育厅', '2024年6月3日']);
    const bad = new TextEncoder().encode('%PDF-1.4 broken');
    const refused = await uploadMany(app, asAdmin, [[first, '广东.txt'], [bad, '坏的.pdf'], [second, '江苏.txt']]);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain('坏的.pdf');
    expect(await count()).toBe(before);

    const response = await uploadMany(app, asAdmin, [[first, '广东.txt'], [second, '江苏.txt']]);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain('已上传 2 个文件：2 份新草稿');
    expect(text).toContain('广东省中等职业学校顶岗实习管理办法');
    expect(text).toContain('江苏省职业学校就业指导工作规程');
    expect(await count()).toBe(before + 2);
    const drafts = (await assistant.knowledge.catalogue()).flatMap(({ versions }) => versions).filter((v) => v.state === 'draft');
    expect(drafts.find((v) => v.title === '广东省中等职业学校顶岗实习管理办法')?.effectiveFrom).toBe('2025-03-01');
    expect(drafts.find((v) => v.title === '江苏省职业学校就业指导工作规程')?.effectiveFrom).toBe('2024-06-03');
  });

  it('the overview names documents by title in the upload form and shows when each applies (never the day it was ingested)', async () => {
    const text = await (await getAs(app, asAdmin, base)).text();
    expect(text).toMatch(/<option value="moe-2018-zhongzhi-guidance">[^<]*[\u4e00-\u9fff][^<]*<\/option>/u);
    expect(text).toContain('multiple');
    const row = /<tr data-doc-id="moe-2018-zhongzhi-guidance">.*?<\/tr>/su.exec(text)![0];
    const cell = /<td class="effective">(.*?)<\/td>/su.exec(row)![1]!;
    const ingestedOn = new Date().toISOString().slice(0, 10);
    expect(cell).not.toContain(ingestedOn);
    const moe = (await assistant.knowledge.list()).find((d) => d.id === 'moe-2018-zhongzhi-guidance')!;
    expect(cell).toContain(moe.versionInfo?.effectiveFrom ?? moe.date ?? moe.dateNote ?? '文中未注明');
  });

  it('refuses a docx bomb at once and a slow Word file at the time limit, storing nothing, while /healthz keeps answering', async () => {
    const count = async (): Promise<number> => (await assistant.knowledge.catalogue()).length;
    const before = await count();
    const bomb = await upload(app, asAdmin, await docxBomb(), 'bomb.docx');
    expect(bomb.status).toBe(422);
    const page = await bomb.text();
    expect(page).toContain('bomb.docx');
    expect(page).toContain('zip bomb');

    const saved = parseLimits.timeoutMs;
    parseLimits.timeoutMs = 3000;
    try {
      const started = Date.now();
      let done = false;
      const slow = upload(app, asAdmin, await slowDocx(), 'slow.docx').finally(() => (done = true));
      const health: number[] = [];
      while (!done) {
        const asked = Date.now();
        const response = await app.request('/healthz');
        if (!done) health.push(Date.now() - asked);
        expect(response.status).toBeLessThan(500);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const response = await slow;
      expect(response.status).toBe(422);
      expect(await response.text()).toContain('parsing took longer than 3 s');
      expect(Date.now() - started).toBeLessThan(8000);
      expect(health.length).toBeGreaterThan(3);
      expect(Math.max(...health)).toBeLessThan(1000);
    } finally {
      parseLimits.timeoutMs = saved;
    }
    expect(await count()).toBe(before);
  });

  it('the hit test shows the retrieved clauses with their scores', async () => {
    const page = await (await getAs(app, asAdmin, `${base}/try?q=${encodeURIComponent('实习单位能收押金吗')}`)).text();
    expect(page).toContain('id="hits"');
    expect(page).toContain('data-doc="liaoning-zhongzhi-quality"');
    expect(page).toMatch(/<td class="score">\d+\.\d{3}<\/td>/u);
    expect(page).toContain('<strong id="outcome">answer</strong>');
  });
});

describe('the lexicon editor', () => {
  let editor: Hono;
  beforeAll(() => {
    editor = new Hono();
    editor.route(base, knowledgeAdmin({ assistant, sessions: new SessionStore(assistant.db), lexiconDir }));
  });
  afterAll(() => reloadLexicon(assistant.lexicon, path.join(knowledgeDir, 'lexicon')));

  it('refuses an invalid file with its problems by line, writing nothing', async () => {
    const file = path.join(lexiconDir, 'synonyms.tsv');
    const before = await readFile(file, 'utf8');
    const response = await postAs(editor, asAdmin, `${base}/lexicon/synonyms`, { text: '# 注释\n教师\t老师\n孤词\n老师\t导师\n' });
    expect(response.status).toBe(422);
    const page = await response.text();
    expect(page).toContain('第 3 行：一组至少两个词');
    expect(page).toContain('第 4 行：“老师”已在第 2 行出现');
    expect(await readFile(file, 'utf8')).toBe(before);
    const glossary = await postAs(editor, asAdmin, `${base}/lexicon/glossary`, { text: 'Internship\t实习\ndeposit\tdeposit\n1+x\t1+X\n' });
    expect(glossary.status).toBe(422);
  });

  it('saves a valid file atomically and reloads the lexicon the live search uses', async () => {
    const file = path.join(lexiconDir, 'synonyms.tsv');
    const text = `${await readFile(file, 'utf8')}顶岗实习协议\t实习小本本\t实习合同书\n`;
    const response = await postAs(editor, asAdmin, `${base}/lexicon/synonyms`, { text });
    expect(response.status).toBe(303);
    expect(await readFile(file, 'utf8')).toBe(text);
    expect(assistant.lexicon.synonyms.some((group) => group[0] === '顶岗实习协议' && group.includes('实习小本本'))).toBe(true);
    const search = (await assistant.answerer()).search;
    expect(search.lexicon).toBe(assistant.lexicon);
    const page = await (await getAs(editor, asAdmin, `${base}/lexicon?msg=lexicon`)).text();
    expect(page).toContain('词表已保存并重新加载');
    expect(page).toContain('实习小本本');
  });
});
