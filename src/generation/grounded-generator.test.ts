import { describe, expect, it } from 'vitest';
import type { BaseMessage } from '@langchain/core/messages';
import { Replies } from '../prompts.ts';
import type { RankedClause } from '../retrieval/hybrid-search.ts';
import { ModelCallError, type ChatCompletion, type ChatModel, type ChatStream } from './chat-client.ts';
import { GroundedGenerator } from './grounded-generator.ts';
import type { GenerationRequest } from './types.ts';

const replies = new Replies();

const ranked = (id: number, locator: string, text: string): RankedClause => ({
  clause: { id: `moe#${id}`, docId: 'moe', locator, headingPath: [], text, context: '', ordinal: id, part: 1, parts: 1 },
  document: {
    id: 'moe',
    title: '中等职业学校职业指导工作规定',
    issuer: '教育部',
    region: '全国',
    date: null,
    dateNote: '文中未注明发布日期（约2018年）',
    status: 'in-force',
    audience: '中等职业学校',
  } as RankedClause['document'],
  score: 1,
  lexicalScore: 1,
  lexicalRank: 1,
  denseScore: 1,
  denseRank: 1,
  coverage: 1,
});

const clauses = [
  ranked(15, '第十五条', '第十五条 学校应按不低于1:500的师生比配备专职职业指导教师。'),
  ranked(20, '第二十条', '第二十条 未满16周岁的学生不得参加顶岗实习。'),
];
const request: GenerationRequest = { question: '职业指导老师怎么配？', language: 'zh', cited: clauses.slice(0, 1), ranked: clauses, confidence: 0.8 };

/** A model that answers from a script: a string is a reply, an Error is thrown. */
function scripted(...script: (string | Error)[]): ChatModel & { calls: BaseMessage[][] } {
  const calls: BaseMessage[][] = [];
  return {
    name: 'scripted',
    calls,
    async complete(messages): Promise<ChatCompletion> {
      calls.push([...messages]);
      const next = script.shift() ?? new ModelCallError('model-error', null);
      if (next instanceof Error) throw next;
      return { text: next, usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 } };
    },
    stream(): ChatStream {
      throw new Error('not used');
    },
  };
}

describe('GroundedGenerator', () => {
  it('renumbers the cited clauses in the order the answer cites them, and lists only those', async () => {
    const generator = new GroundedGenerator({ model: scripted('未满16周岁不能顶岗实习[2]；师生比不低于1:500[1]。'), replies });
    const outcome = await generator.generate(request);
    if (outcome.kind !== 'generated') throw new Error(`fell back: ${outcome.reason}`);
    expect(outcome.answer.split('\n')[0]).toBe('未满16周岁不能顶岗实习[1]；师生比不低于1:500[2]。');
    expect(outcome.citations.map((citation) => citation.locator)).toEqual(['第二十条', '第十五条']);
    expect(outcome.answer).toContain('[1] 《中等职业学校职业指导工作规定》第二十条｜教育部｜全国｜日期：文中未注明发布日期（约2018年）');
    expect(outcome.answer).toContain(replies.render('zh', 'caveat_age'));
  });

  it('drops a reasoning model’s <think> block and reads 【n】 markers', async () => {
    const generator = new GroundedGenerator({ model: scripted('<think>用户问师生比，随便说个1:300</think>师生比不低于1:500【1】。'), replies });
    const outcome = await generator.generate(request);
    expect(outcome).toMatchObject({ kind: 'generated' });
    if (outcome.kind === 'generated') expect(outcome.answer).not.toContain('think');
  });

  it('leaves the model alone for a while after failures in a row, then tries again', async () => {
    let now = 0;
    const model = scripted(...Array.from({ length: 3 }, () => new ModelCallError('model-error', null)), '师生比不低于1:500[1]。');
    const generator = new GroundedGenerator({ model, replies, failuresBeforeCooldown: 3, cooldownMs: 30_000, now: () => now });
    for (let attempt = 0; attempt < 3; attempt += 1) expect(await generator.generate(request)).toEqual({ kind: 'fallback', reason: 'model-error' });
    expect(await generator.generate(request)).toEqual({ kind: 'fallback', reason: 'cooling-down' });
    expect(model.calls).toHaveLength(3);
    now += 30_001;
    expect(await generator.generate(request)).toMatchObject({ kind: 'generated' });
  });

  it('never throws: an unexpected error is an internal-error fallback', async () => {
    const generator = new GroundedGenerator({ model: scripted(new TypeError('boom')), replies });
    expect(await generator.generate(request)).toEqual({ kind: 'fallback', reason: 'model-error' });
    const broken = new GroundedGenerator({ model: scripted('x'), replies, templates: { zh: {} as never, en: {} as never } });
    expect(await broken.generate(request)).toEqual({ kind: 'fallback', reason: 'internal-error' });
  });

  it('gives the complaint to the second try and counts both outcomes', async () => {
    const model = scripted('师生比不低于1:300[1]。', '师生比不低于1:500[1]。');
    const generator = new GroundedGenerator({ model, replies });
    expect(await generator.generate(request)).toMatchObject({ kind: 'generated', regenerated: true });
    expect(model.calls[1]!.at(-1)!.text).toContain('第 1 句的「1:300」在它引用的条款 [1] 里找不到');
    expect(generator.stats()).toMatchObject({ generated: 0, regenerated: 1, fallback: {}, tokensToday: 30 });
  });
});
