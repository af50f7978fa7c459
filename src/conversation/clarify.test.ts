import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Assistant } from '../assistant.ts';
import { loadConfig } from '../config.ts';
import { createTestDatabase } from '../store/testing.ts';
import { AnswerabilityModel, featureNames } from '../answering/answerability.ts';
import { ConversationCore, choiceOf } from './core.ts';
import { MemoryConversationStore, SqlConversationStore } from './conversation-store.ts';
import type { InboundMessage } from './types.ts';

const text = (userId: string, message: string): InboundMessage => ({ channel: 'test', userId, kind: 'text', text: message });

describe('a clarifying question in a conversation', () => {
  let assistant: Assistant;
  let core: ConversationCore;

  beforeAll(async () => {
    assistant = await Assistant.open(loadConfig({ LOG_LEVEL: 'silent' }), { db: await createTestDatabase() });
    // an answerability model unsure of every answer: each policy question is asked back
    const answerer = await assistant.answerer();
    (answerer as { answerability: AnswerabilityModel | null }).answerability = new AnswerabilityModel({
      features: featureNames,
      weights: featureNames.map(() => 0),
      bias: 0,
      answerAt: 0.9,
      clarifyAt: 0.1,
    });
    core = new ConversationCore(assistant, new MemoryConversationStore(), { rateEveryAnswers: 0 });
  });
  afterAll(async () => assistant?.close());

  it('offers numbered clauses, answers from the one the student picks, and does not count it as a miss', async () => {
    const asked = await core.handle(text('carol', '职业指导老师要参加培训吗'));
    expect(asked.outcome).toBe('abstain');
    expect(asked.answered?.clarify).toBe(true);
    const second = asked.answered!.choices![1]!;

    const picked = await core.handle(text('carol', '2'));
    expect(picked.outcome).toBe('answer');
    expect(picked.citations[0]).toMatchObject({ doc: second.doc, locator: second.locator });

    // the picked answer is the previous turn now: its source can be asked for
    const source = await core.handle(text('carol', '这是哪个文件规定的'));
    expect(source.outcome).toBe('answer');
    expect(source.replies[0]!.text).toContain(second.title);
  });

  it('keeps the offered clauses with the conversation in the store: another instance (or a restarted one) answers the number', async () => {
    const asking = new ConversationCore(assistant, new SqlConversationStore(assistant.db), { rateEveryAnswers: 0 });
    const asked = await asking.handle(text('frank', '职业指导老师要参加培训吗'));
    expect(asked.answered?.clarify).toBe(true);
    const third = asked.answered!.choices![2] ?? asked.answered!.choices![1]!;
    const number = asked.answered!.choices![2] ? '3' : '2';

    const other = new ConversationCore(assistant, new SqlConversationStore(assistant.db), { rateEveryAnswers: 0 });
    const picked = await other.handle(text('frank', number));
    expect(picked.outcome).toBe('answer');
    expect(picked.citations[0]).toMatchObject({ doc: third.doc, locator: third.locator });
  });

  it('takes a new question instead of a number as a new question', async () => {
    await core.handle(text('dave', '职业指导老师要参加培训吗'));
    const next = await core.handle(text('dave', '转人工'));
    expect(next.outcome).toBe('escalate');
  });

  it('says there is nothing to choose when a bare number arrives with no menu open', async () => {
    const turn = await core.handle(text('erin', '2'));
    expect(turn.outcome).toBe('abstain');
    expect(turn.handledAs).toBe('command');
    expect(turn.replies[0]!.text).toContain('没有需要选择的选项');
    expect(turn.retrieved).toEqual([]);
  });
});

describe('choiceOf', () => {
  it('reads the ways a student picks a numbered choice, within the choices offered', () => {
    expect(choiceOf('2', 3)).toBe(2);
    expect(choiceOf('第二个', 3)).toBe(2);
    expect(choiceOf('选3', 3)).toBe(3);
    expect(choiceOf('4', 3)).toBeNull();
    expect(choiceOf('2个月', 3)).toBeNull();
    expect(choiceOf('实习要多久', 3)).toBeNull();
  });
});
