import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { Assistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { createTestDatabase } from '../store/testing.ts';
import { readDocumentDirectory } from '../knowledge/corpus.ts';
import { documentsDir } from '../testing/corpus-fixture.ts';
import type { AskLine } from '../cli/ask-lines.ts';
import { createApp } from './app.ts';
import { UserStore } from './auth/users.ts';
import { getAs, signIn } from './dashboard/testing.ts';

let assistant: Assistant;
let app: Hono;

beforeAll(async () => {
  assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
  app = createApp(assistant);
});
afterAll(async () => assistant?.close());

function ask(body: string, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Response> {
  return Promise.resolve(app.request('/api/ask', { method: 'POST', headers, body }));
}

describe('GET /healthz', () => {
  it('says ok with the published knowledge-base version', async () => {
    const response = await app.request('/healthz');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; knowledgeVersion: number };
    expect(body).toEqual({ status: 'ok', knowledgeVersion: expect.any(Number) });
    expect(body.knowledgeVersion).toBeGreaterThanOrEqual(1);
  });
});

describe('POST /api/ask', () => {
  it('answers a question with the same line the CLI writes', async () => {
    const response = await ask(JSON.stringify({ question: '实习单位能扣我身份证吗？' }));
    expect(response.status).toBe(200);
    const line = (await response.json()) as AskLine;
    expect(Object.keys(line).sort()).toEqual(['answer', 'citations', 'id', 'latency_ms', 'outcome', 'retrieved']);
    expect(line.id).toBeNull();
    expect(line.outcome).toBe('answer');
    expect(line.answer).toContain('《');
    expect(line.citations.map((citation) => citation.doc)).toContain('liaoning-zhongzhi-quality');
    for (const citation of line.citations) expect(Object.keys(citation).sort()).toEqual(['doc', 'locator', 'text', 'title']);
    expect(line.retrieved.length).toBeGreaterThan(0);
    expect(line.retrieved.length).toBeLessThanOrEqual(5);
    for (const clause of line.retrieved) expect(Object.keys(clause).sort()).toEqual(['doc', 'locator', 'text']);
  });

  it('routes a request for a person to escalate', async () => {
    const response = await ask(JSON.stringify({ question: '转人工' }));
    expect(response.status).toBe(200);
    const line = (await response.json()) as AskLine;
    expect(line.outcome).toBe('escalate');
    // a dry run opens no ticket: it must not promise a teacher
    expect(line.answer).toContain('没有建工单');
    expect(line.answer).not.toContain('老师会在这里回复你');
  });

  it('rejects a body that is not JSON with 400 and says what to send', async () => {
    const response = await ask('question=实习押金', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringContaining('question') });

    const broken = await ask('{"question": ');
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: expect.stringContaining('question') });
  });

  it('rejects JSON without a string question with 400', async () => {
    for (const body of [{}, { text: '实习押金' }, { question: 42 }, ['实习押金']]) {
      const response = await ask(JSON.stringify(body));
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: expect.stringContaining('question') });
    }
  });

  it('refuses a body over 64 KiB with 413', async () => {
    const question = '实'.repeat(30 * 1024); // three bytes each in UTF-8: about 90 KiB
    const response = await ask(JSON.stringify({ question }));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });

  it('accepts a body just under 64 KiB (and abstains on a message that long)', async () => {
    const question = 'a'.repeat(60 * 1024);
    const response = await ask(JSON.stringify({ question }));
    expect(response.status).toBe(200);
    expect(((await response.json()) as AskLine).outcome).toBe('abstain');
  });
});

describe('the dashboard pages', () => {
  it('sends a visitor from / to the login page, which is self-contained', async () => {
    const home = await app.request('/');
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/login?next=%2F');

    const response = await app.request('/login');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/u);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'nonce-/u);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const page = await response.text();
    expect(page).toContain('<meta name="viewport"');
    expect(page).toContain('老师登录');
    expectSelfContained(page);
  });

  it('lists every document of the knowledge base on /knowledge (signed in), self-contained', async () => {
    await new UserStore(assistant.db).add({ username: 'teacher.k', displayName: '知识库老师', role: 'teacher', password: 'knowledge-page-password' });
    const teacher = await signIn(app, 'teacher.k', 'knowledge-page-password');
    const response = await getAs(app, teacher, '/knowledge');
    expect(response.status).toBe(200);
    const page = await response.text();

    const documents = await readDocumentDirectory(documentsDir);
    expect(documents).toHaveLength(5);
    for (const document of documents) expect(page).toContain(`《${document.title}》`);
    expect(page).toContain('共 5 份文件');
    expectSelfContained(page);
  });
});

/** No script, stylesheet or import from elsewhere: the page works offline. */
function expectSelfContained(page: string): void {
  expect(page).not.toMatch(/<script[^>]*\ssrc\s*=/iu);
  expect(page).not.toMatch(/<link[^>]*\shref\s*=\s*["']?(?:https?:)?\/\//iu);
  expect(page).not.toMatch(/@import/iu);
  const inline = [...page.matchAll(/<(script|style)[^>]*>([\s\S]*?)<\/\1>/giu)].map((match) => match[2]).join('\n');
  expect(inline).not.toMatch(/https?:\/\//iu);
}
