/**
 * Test support: an OpenAI-compatible chat endpoint on 127.0.0.1 (real HTTP, node:http) whose
 * replies a test scripts — a grounded answer, hallucinated numbers, wrong markers, 429 with
 * retry-after, 500, a hang past the client's timeout, and streaming as SSE `data:` chunks ending
 * in `[DONE]`. It records every request, parsed into the question and the numbered clauses.
 *
 * @example
 * const fake = await startFakeOpenAIServer();
 * fake.enqueue(fakeReplies.hallucinated, fakeReplies.grounded);
 * const config = loadConfig({ LLM_BASE_URL: fake.url, LLM_API_KEY: 'test', LLM_MODEL: 'fake' });
 * await fake.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A chat request as the fake received it. */
export interface FakeChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  stream: boolean;
  /** The clauses the prompt numbers [1]..[n], with their texts. */
  clauses: { n: number; text: string }[];
  /** The text between <question> tags. */
  question: string;
  /** A second try: the model's draft and the complaint follow the first prompt. */
  retry: boolean;
}

/** What the fake does with the next request. */
export type FakeReply =
  | { kind: 'answer'; content: string | ((request: FakeChatRequest) => string); usage?: { prompt_tokens: number; completion_tokens: number } }
  | { kind: 'status'; status: number; headers?: Record<string, string>; message?: string }
  /** Never answers (until the client gives up or the server closes). */
  | { kind: 'hang' };

export interface FakeOpenAIServer {
  /** The base URL, `http://127.0.0.1:<port>/v1`. */
  url: string;
  requests: FakeChatRequest[];
  /** Replies for the next requests, in order. */
  enqueue(...replies: FakeReply[]): void;
  /** The reply when nothing is queued (default: a grounded answer). */
  otherwise: FakeReply;
  /** Forgets requests and queued replies, and answers grounded again. */
  reset(): void;
  close(): Promise<void>;
}

/** The first sentence of clause [n] as the prompt gave it: its own words, so every claim in it is backed. */
export function firstSentenceOf(request: FakeChatRequest, n = 1): string {
  const text = request.clauses.find((clause) => clause.n === n)?.text ?? '';
  return (
    text
      .split(/[。；;\n]/u)
      .map((part) => part.trim())
      .find((part) => [...part].length >= 6) ?? text.trim()
  );
}

const answer = (content: (request: FakeChatRequest) => string): FakeReply => ({ kind: 'answer', content });

/** Replies for the paths the tests walk. */
export const fakeReplies = {
  /** Quotes clause [1] and cites it. */
  grounded: answer((request) => `根据所给条款，${firstSentenceOf(request)}[1]。`),
  /** Clause [1], plus a number and a ministry no clause has. */
  hallucinated: answer((request) => `${firstSentenceOf(request)}，并须在37个工作日内报财政部审批[1]。`),
  /** Clause [1] cited as [9], which the prompt never numbered. */
  wrongMarker: answer((request) => `${firstSentenceOf(request)}[9]。`),
  /** What an injected "state this, and cite nothing" asks for. */
  uncited: answer(() => '可以收取实习押金，最多3000元。'),
  /** What an injected "make up an amount" asks for: cited, but the number is in no clause. */
  madeUpNumber: answer((request) => `${firstSentenceOf(request)}，押金为每月800元[1]。`),
  serverError: { kind: 'status', status: 500, message: 'internal error' } as FakeReply,
  hang: { kind: 'hang' } as FakeReply,
  /** 429 asking to wait `ms` (as retry-after-ms, and retry-after in whole seconds). */
  rateLimited: (ms: number): FakeReply => ({
    kind: 'status',
    status: 429,
    headers: { 'retry-after-ms': String(ms), 'retry-after': String(Math.ceil(ms / 1000)) },
    message: 'rate limited',
  }),
};

function parseRequest(body: Record<string, unknown>): FakeChatRequest {
  const messages = (Array.isArray(body.messages) ? body.messages : []).map((message: { role?: unknown; content?: unknown }) => ({
    role: String(message.role ?? ''),
    content: typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? ''),
  }));
  const prompt = messages.find((message) => message.role === 'user')?.content ?? '';
  const clauses = [...prompt.matchAll(/^\[(\d+)\] [^\n]*\n<clause>\n([\s\S]*?)\n<\/clause>/gmu)].map((match) => ({
    n: Number(match[1]),
    text: match[2]!,
  }));
  return {
    model: String(body.model ?? ''),
    messages,
    stream: body.stream === true,
    clauses,
    question: /<question>\n([\s\S]*?)\n<\/question>/u.exec(prompt)?.[1] ?? '',
    retry: messages.some((message) => message.role === 'assistant'),
  };
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
}

function sendAnswer(response: ServerResponse, request: FakeChatRequest, body: Record<string, unknown>, reply: Extract<FakeReply, { kind: 'answer' }>): void {
  const content = typeof reply.content === 'function' ? reply.content(request) : reply.content;
  const promptTokens = reply.usage?.prompt_tokens ?? request.messages.reduce((sum, message) => sum + message.content.length, 0);
  const completionTokens = reply.usage?.completion_tokens ?? content.length;
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  const base = { id: `chatcmpl-fake-${Date.now()}`, created: Math.floor(Date.now() / 1000), model: request.model };
  if (!request.stream) {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
        usage,
      }),
    );
    return;
  }
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] })}\n\n`;
  response.write(chunk({ role: 'assistant', content: '' }, null));
  const chars = [...content];
  for (let start = 0; start < chars.length; start += 6) response.write(chunk({ content: chars.slice(start, start + 6).join('') }, null));
  response.write(chunk({}, 'stop'));
  const options = body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage) {
    response.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
  }
  response.end('data: [DONE]\n\n');
}

/**
 * Starts the fake on 127.0.0.1 at a free port.
 *
 * @example const fake = await startFakeOpenAIServer(fakeReplies.serverError); // a model that is down
 */
export async function startFakeOpenAIServer(otherwise: FakeReply = fakeReplies.grounded): Promise<FakeOpenAIServer> {
  const queue: FakeReply[] = [];
  const state: FakeOpenAIServer = {
    url: '',
    requests: [],
    otherwise,
    enqueue: (...replies) => queue.push(...replies),
    reset: () => {
      queue.length = 0;
      state.requests.length = 0;
      state.otherwise = fakeReplies.grounded;
    },
    close: async () => {},
  };
  const server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
        return;
      }
      const body = await readBody(request);
      const chat = parseRequest(body);
      state.requests.push(chat);
      const reply = queue.shift() ?? state.otherwise;
      switch (reply.kind) {
        case 'answer':
          sendAnswer(response, chat, body, reply);
          return;
        case 'status':
          response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
          response.end(JSON.stringify({ error: { message: reply.message ?? 'error', type: 'server_error', code: null } }));
          return;
        case 'hang':
          return; // the client's timeout ends it, or close()
      }
    })().catch(() => {
      if (!response.headersSent) response.writeHead(400);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  return state;
}
