import type { Assistant } from '../assistant.ts';
import type { AnsweredQuestion } from '../answering/answer-question.ts';
import { routeMessage } from '../answering/router.ts';
import { dateText } from '../answering/caveats.ts';
import { clausesStating, pointedDocumentQuestionOf, type DocumentAsks } from '../answering/document-question.ts';
import type { Citation, Outcome, RetrievedClause } from '../answering/types.ts';
import type { Language } from '../prompts.ts';
import { isMostlyEnglish } from '../retrieval/normalize.ts';
import { synonymExpansions } from '../retrieval/query.ts';
import { chinaDay } from '../china-time.ts';
import {
  continuePlanning,
  parsePlanningState,
  renderPlanChat,
  renderPlanMarkdown,
  resumePrompt,
  startPlanning,
  type CareerPlan,
  type DialogueReply,
  type PlanningState,
  snapshotResolver,
  type LinkResolver,
  type Turn,
} from '../career/planning-dialogue.ts';
import { commandOf, ratingOf, wantsDirection } from './commands.ts';
import type { Conversation, ConversationState, ConversationStore } from './conversation-store.ts';
import { questionInMessage } from './asked-question.ts';
import { fitsSlot, leadAnswers, namesSomethingNew, pointIn, resolveFollowUp, type FollowUp, type FrameKnowledge, type SourceAsks, type UnservedSlot } from './follow-up.ts';
import { scaleLine, withFirstLine } from './scale-answer.ts';
import { ownRegionIn, regionIn, regionKey, regionStem, schoolAsWritten, withoutSubjectChange } from './slots.ts';
import { KeyedQueue } from './keyed-queue.ts';
import type { TicketDesk, TicketReason } from '../escalation/tickets.ts';
import { saysAnswerWrong, saysDifficultGroup } from '../escalation/signals.ts';
import { chinaTimeText } from '../escalation/working-time.ts';
import type { Choice, InboundMessage, LastTurn, OutboundReply } from './types.ts';

/** What the core did with one message. */
export interface TurnResult {
  replies: OutboundReply[];
  /** `answer` when a policy answer was given; `escalate` when a person is needed; else `abstain`. */
  outcome: Outcome;
  /** What happened, for logs and tests. */
  handledAs:
    | 'policy'
    | 'follow-up'
    | 'escalation'
    | 'dialogue'
    | 'command'
    | 'rating'
    | 'relayed'
    | 'unsupported'
    | 'duplicate';
  citations: Citation[];
  retrieved: RetrievedClause[];
  latencyMs: number;
  /** The policy pipeline's result, when it ran. */
  answered?: AnsweredQuestion;
  /** Set when the message asks for a person (the escalation service acts on it). */
  escalation?: { reason: TicketReason };
  /** The teacher's ticket the message opened, joined or was relayed to (not in dry runs). */
  ticketId?: number;
}

export interface ConversationCoreOptions {
  now?: () => Date;
  /** Ask for a rating after the first answer and then after every n-th answer; 0 never asks (dry runs). */
  rateEveryAnswers?: number;
  /**
   * The teachers' queue. With it, an escalation opens (or joins) a ticket and the student's next
   * messages go to the ticket until a teacher closes it; without it (dry runs) no ticket is made.
   */
  tickets?: TicketDesk;
  /** Consecutive answers the bot could not support before a teacher is asked to help (default 2). */
  lowConfidenceLimit?: number;
}

const choicesFrom = (labels: string): Choice[] => labels.split('|').map((label) => ({ label, value: label }));

/**
 * The channel-agnostic conversation core: one conversation per (channel, user), kept in the
 * store; messages of one student are handled in order, different students concurrently.
 * A message is, in this order: a duplicate delivery (ignored), not text (a clear reply), a crisis
 * or a request for a person (escalation, from any state), a reply the current dialogue expects
 * (career planning, delete confirmation, a rating), a command, a follow-up to the previous
 * answer, or a new policy question.
 *
 * @example
 * const core = new ConversationCore(assistant, new SqlConversationStore(assistant.db));
 * const { replies } = await core.handle({ channel: 'console', userId: 'me', kind: 'text', text: '实习押金' });
 */
export class ConversationCore {
  readonly #queue = new KeyedQueue();
  /** Conversations deleted by the student during the current turn: nothing more is written for them. */
  readonly #forgotten = new Set<number>();
  readonly #now: () => Date;
  readonly #rateEvery: number;
  readonly #tickets: TicketDesk | undefined;
  readonly #lowConfidenceLimit: number;

  constructor(
    readonly assistant: Assistant,
    readonly store: ConversationStore,
    options: ConversationCoreOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#rateEvery = options.rateEveryAnswers ?? 5;
    this.#tickets = options.tickets;
    this.#lowConfidenceLimit = options.lowConfidenceLimit ?? 2;
  }

  /** Handles one inbound message; the replies are to be sent in order. */
  async handle(message: InboundMessage): Promise<TurnResult> {
    return this.#queue.run(`${message.channel}\u0000${message.userId}`, () => this.#handle(message));
  }

  async #handle(message: InboundMessage): Promise<TurnResult> {
    const started = performance.now();
    const conversation = await this.store.open(message.channel, message.userId);
    const delivery = message.messageId ? await this.store.firstDelivery(message.channel, message.messageId, conversation.id) : 'new';
    if (delivery === 'duplicate') {
      return { replies: [], outcome: 'abstain', handledAs: 'duplicate', citations: [], retrieved: [], latencyMs: 0 };
    }
    const text = message.text ?? '';
    // A retry (recorded, never answered: the process stopped) may be in the history already.
    const recorded =
      delivery === 'retry' && (await this.store.history(conversation.id, 20)).some((stored) => stored.role === 'student' && stored.meta.messageId === message.messageId);
    if (!recorded) {
      await this.store.append(conversation.id, 'student', message.kind === 'text' ? text : `[${message.kind}]${text ? ` ${text}` : ''}`, {
        kind: message.kind,
        ...(message.messageId ? { messageId: message.messageId } : {}),
      });
    }
    const result = await this.#respond(conversation, message, text);
    result.latencyMs = Math.round((performance.now() - started) * 100) / 100;
    if (this.#forgotten.delete(conversation.id)) {
      if (message.messageId) await this.store.markHandled(message.channel, message.messageId);
      return result;
    }
    for (const reply of result.replies) {
      await this.store.append(conversation.id, 'assistant', reply.text, {
        handledAs: result.handledAs,
        outcome: result.outcome,
        ...(result.citations.length > 0 ? { citations: result.citations.map(({ doc, locator }) => ({ doc, locator })) } : {}),
        // for the knowledge-gaps page: what kind of non-answer, and the clause retrieval came nearest to
        ...(result.answered?.clarify ? { clarify: true } : {}),
        ...(result.escalation ? { escalation: result.escalation.reason } : {}),
        ...(result.outcome !== 'answer' && result.retrieved[0]
          ? { nearest: { doc: result.retrieved[0].doc, locator: result.retrieved[0].locator, confidence: result.answered?.confidence ?? null } }
          : {}),
      });
    }
    if (message.messageId) await this.store.markHandled(message.channel, message.messageId);
    return result;
  }

  async #respond(conversation: Conversation, message: InboundMessage, text: string): Promise<TurnResult> {
    const state: ConversationState = { ...conversation.state };
    const language: Language = isMostlyEnglish(text) ? 'en' : 'zh';
    const replies = this.assistant.replies;
    const say = (name: string, values: Record<string, string | number> = {}): string => replies.render(language, name, values);
    const done = async (
      handledAs: TurnResult['handledAs'],
      out: OutboundReply[],
      extra: Partial<Pick<TurnResult, 'outcome' | 'citations' | 'retrieved' | 'answered' | 'escalation' | 'ticketId'>> = {},
    ): Promise<TurnResult> => {
      await this.store.saveState(conversation.id, state);
      return {
        replies: out,
        outcome: extra.outcome ?? 'abstain',
        handledAs,
        citations: extra.citations ?? [],
        retrieved: extra.retrieved ?? [],
        latencyMs: 0,
        ...(extra.answered ? { answered: extra.answered } : {}),
        ...(extra.escalation ? { escalation: extra.escalation } : {}),
        ...(extra.ticketId !== undefined ? { ticketId: extra.ticketId } : {}),
      };
    };
    /** Opens or joins the student's ticket; the notice says when to expect a teacher (none in dry runs). */
    const queue = async (
      reason: TicketReason,
      summary: string,
      retrieved: { doc: string; locator: string; text: string }[],
    ): Promise<{ notice: OutboundReply[]; ticketId?: number }> => {
      if (!this.#tickets) return { notice: [] };
      const { ticket, created } = await this.#tickets.openOrJoin({
        conversationId: conversation.id,
        channel: conversation.channel,
        studentId: conversation.userId,
        reason,
        summary,
        retrieved: retrieved.slice(0, 5).map(({ doc, locator, text: clause }) => ({ doc, locator, text: clause })),
        difficultGroup: state.difficultGroup === true,
      });
      return { notice: [{ text: say(created ? 'ticket_created' : 'ticket_joined', { due: chinaTimeText(ticket.dueAt, language) }) }], ticketId: ticket.id };
    };

    if (message.kind !== 'text') {
      if (text.trim() === '') {
        return done('unsupported', [{ text: say('unsupported_kind', { kind: say(`kind_${message.kind}`) }) }]);
      }
    }

    // A crisis or a request for a person is heard in every state, mid-dialogue included. A
    // complaint while a teacher's ticket is open goes to that teacher with the rest (below).
    const route = routeMessage(text);
    const openTicket = this.#tickets && message.kind === 'text' ? await this.#tickets.openTicketOf(conversation.id) : null;
    if (route.kind === 'escalate' && !(route.reason === 'complaint' && openTicket)) {
      state.mode = null;
      state.pendingRating = null;
      const answered = await this.assistant.ask(text);
      const { notice, ticketId } = await queue(route.reason, text, answered.retrieved);
      return done('escalation', [{ text: answered.answer }, ...notice], {
        outcome: 'escalate',
        retrieved: answered.retrieved,
        answered,
        escalation: { reason: route.reason },
        ...(ticketId !== undefined ? { ticketId } : {}),
      });
    }

    // While a teacher's ticket is open, the student talks to the teacher, not the bot.
    if (openTicket && this.#tickets) {
      if (saysDifficultGroup(text)) {
        // joining the ticket with the flag set raises it within its priority
        state.difficultGroup = true;
        await queue(openTicket.reason, text, []);
      } else {
        await this.#tickets.addStudentMessage(openTicket.id, text);
      }
      return done('relayed', [{ text: say('ticket_forwarded', { due: chinaTimeText(openTicket.dueAt, language) }) }], {
        outcome: 'escalate',
        ticketId: openTicket.id,
      });
    }

    if (state.lastTurn && saysAnswerWrong(text)) {
      const last = state.lastTurn;
      state.lastTurn = null;
      state.pendingRating = null;
      const { notice, ticketId } = await queue('low-confidence', `${last.question}\n${text}`, last.citations);
      return done('escalation', [{ text: say('wrong_answer_escalated') }, ...notice], {
        outcome: 'escalate',
        escalation: { reason: 'low-confidence' },
        ...(ticketId !== undefined ? { ticketId } : {}),
      });
    }

    if (state.mode === 'confirm-delete') {
      state.mode = null;
      if (/^(?:确认删除|确认|是|是的|确定|confirm delete|confirm|yes)$/iu.test(text.trim())) {
        await this.store.forget(conversation.id);
        this.#forgotten.add(conversation.id);
        return { replies: [{ text: say('deleted') }], outcome: 'abstain', handledAs: 'command', citations: [], retrieved: [], latencyMs: 0 };
      }
      return done('command', [{ text: say('delete_cancelled') }]);
    }

    const command = commandOf(text);
    if (state.mode === 'planning' && state.planning) {
      // 职业规划 again re-asks the current question; 帮助 pauses the dialogue; other commands leave it.
      if (command === 'start-planning') return this.#startPlanning(state, done, say);
      if (command === 'help') state.mode = null;
      else if (command !== 'restart' && command !== 'delete-data' && command !== 'show-plan') {
        return this.#continuePlanning(conversation, state, text, done, say);
      }
    }

    // A clarifying question the student answers with something else still sets the frame their
    // next words are read in (its question was the last one asked).
    let unpicked: LastTurn | null = null;
    if (state.pendingChoice) {
      const pending = state.pendingChoice;
      state.pendingChoice = null;
      unpicked = { question: pending.question, resolved: pending.question, outcome: 'abstain', citations: [], language: pending.language };
      const picked = choiceOf(text, pending.clauseIds.length);
      if (picked !== null) {
        const answered = await (await this.assistant.answerer()).answerFrom(pending.question, pending.clauseIds[picked - 1]!);
        if (answered) {
          state.lastTurn = lastTurnOf(pending.question, pending.question, answered);
          state.lowConfidence = 0;
          return done('follow-up', [{ text: answered.answer }], {
            outcome: 'answer',
            citations: answered.citations,
            retrieved: answered.retrieved,
            answered,
          });
        }
      }
    }

    if (state.pendingRating) {
      const score = ratingOf(text);
      const subject = state.pendingRating;
      state.pendingRating = null;
      if (score !== null) {
        await this.store.rate(conversation.id, subject, score);
        return done('rating', [{ text: say('rating_thanks') }]);
      }
    }

    switch (command) {
      case 'help':
        return done('command', [{ text: say('help'), choices: choicesFrom(say('help_choices')) }]);
      case 'restart':
        state.mode = null;
        state.planning = null;
        state.lastTurn = null;
        state.frame = null;
        state.homeRegion = null;
        state.pendingRating = null;
        return done('command', [{ text: say('restarted') }]);
      case 'delete-data':
        state.mode = 'confirm-delete';
        return done('command', [{ text: say('confirm_delete'), choices: choicesFrom(say('confirm_delete_choices')) }]);
      case 'show-plan': {
        const stored = await this.store.latestPlan(conversation.id);
        if (!stored) return done('command', [{ text: say('no_plan') }]);
        const plan = stored.plan as CareerPlan;
        return done('command', [
          { text: await this.#planChat(plan) },
          { text: say('plan_saved'), document: this.#planDocument(stored.markdown, new Date(plan.createdAt), language) },
        ]);
      }
      case 'start-planning':
        return this.#startPlanning(state, done, say);
      default:
        break;
    }

    if (/^(?:开始职业规划)$/u.test(text.trim())) return this.#startPlanning(state, done, say);
    if (/^(?:先不用|not now)$/iu.test(text.trim())) return done('command', [{ text: say('restarted') }]);

    // A bare number or letter when no menu is open picks nothing: say so rather than search for it.
    if (/^\s*(?:[0-9]{1,2}|[a-d]|[一二三四五六七八九十])\s*[.、。)）]?\s*$/iu.test(text)) {
      return done('command', [{ text: say('no_menu_open') }]);
    }

    // After "你说的「我们省」是哪个省？", the region named is where the student is.
    if (state.askedRegion) {
      state.askedRegion = false;
      const named = [...text].length <= 12 ? regionIn(text) : null;
      if (named) state.homeRegion = regionStem(named.word);
    }

    // "在山东呢" reads as chit-chat or off topic alone; after an answer it is a follow-up
    const readsOn = route.kind === 'policy' || (route.kind === 'abstain' && route.reason !== 'injection');
    // A long message is searched for the question it asks, with the student's situation; a crisis,
    // a request for a person or a complaint was heard in the whole of it (above), and a message
    // whose crisis score was raised is read whole, so that its answer keeps the hotlines.
    const care = (route.kind === 'policy' || route.kind === 'abstain') && route.care === true;
    const questionAsked = readsOn && !care ? (questionInMessage(text) ?? text) : text;
    const knowledge = readsOn ? await this.#frameKnowledge() : undefined;
    // the frame: a clarifying question not picked from, else a question that got no answer, else the last answer
    const frame = unpicked ?? state.frame ?? state.lastTurn ?? null;
    // read against the frame and against the last answer, each once
    const readOn = (turn: LastTurn | null | undefined): FollowUp | null => (readsOn ? resolveFollowUp(questionAsked, turn, knowledge, state.homeRegion) : null);
    const onFrame = readOn(frame);
    const onLastAnswer = frame === state.lastTurn ? onFrame : readOn(state.lastTurn);
    let followUp = onFrame;
    if (state.frame && frame === state.frame && !(onFrame?.kind === 'rewrite' && onFrame.slot) && onFrame?.kind !== 'which-region') {
      // a question that got no answer frames only a swapped region or kind of school ("那河南呢");
      // anything else reads on from the last answer, as before it
      followUp = onLastAnswer;
    }
    // "which document says that?" after a clarifying question names the source of the last answer
    if (frame !== state.lastTurn && (onLastAnswer?.kind === 'source' || onLastAnswer?.kind === 'point')) followUp = onLastAnswer;
    if (followUp?.kind === 'which-region' && knowledge) {
      state.askedRegion = true;
      const regions = [...new Set(knowledge.documents.map((document) => document.region).filter((region) => region && region !== '全国'))];
      return done('follow-up', [
        {
          text: say('which_region', { words: ownRegionIn(text) ?? text, regions: regions.join(language === 'zh' ? '、' : ', ') }),
          ...(regions.length > 0 ? { choices: regions.map((region) => ({ label: region, value: region })) } : {}),
        },
      ]);
    }
    if (followUp?.kind === 'source' && state.lastTurn) {
      const citations = await this.#sourceCitations(state.lastTurn.citations, followUp.asks);
      return done('follow-up', [{ text: await this.#sources(citations, state.lastTurn.language) }], {
        outcome: 'answer',
        citations,
        retrieved: asRetrieved(citations),
      });
    }
    if (followUp?.kind === 'uncovered') {
      return done('follow-up', [{ text: say('follow_up_uncovered', { subject: followUp.subject }) }]);
    }
    if (followUp?.kind === 'point' && state.lastTurn) {
      const found = pointIn(state.lastTurn.citations, followUp.index);
      const first = found?.citation ?? state.lastTurn.citations[0];
      const point = found?.text;
      const lastLanguage = state.lastTurn.language;
      if (first && point) {
        return done(
          'follow-up',
          [
            {
              text: replies.render(lastLanguage, 'point_answer', {
                ordinal: lastLanguage === 'zh' ? `第${followUp.index}点` : `Point ${followUp.index}`,
                text: point,
                title: first.title,
                locator: first.locator,
              }),
            },
          ],
          { outcome: 'answer', citations: [first], retrieved: asRetrieved([first]) },
        );
      }
      if (first) {
        return done('follow-up', [{ text: replies.render(lastLanguage, 'point_missing', { index: followUp.index, title: first.title, locator: first.locator }) }]);
      }
    }

    // "山东这份职业指导意见是哪天发的": the one document of the region named, and the clause that says it
    const documentAsks = followUp === null && route.kind === 'policy' ? pointedDocumentQuestionOf(questionAsked) : null;
    if (documentAsks) {
      const stated = await this.#documentNamed(questionAsked, documentAsks);
      if (stated) {
        state.lastTurn = { question: questionAsked, resolved: questionAsked, outcome: 'answer', citations: [stated.citation], language, answer: stated.text.slice(0, 2_000) };
        state.frame = null;
        return done('policy', [{ text: stated.text }], { outcome: 'answer', citations: [stated.citation], retrieved: asRetrieved([stated.citation]) });
      }
    }

    // "对了 换个问题 中职毕业是什么学历" is asked alone without the words that announce it
    const standing = withoutSubjectChange(questionAsked);
    let question = followUp?.kind === 'rewrite' ? followUp.question : standing;
    const previous = state.lastTurn;
    // the document a follow-up asks about again ranks first for the reading in the frame only
    const framedDocument = followUp?.kind === 'rewrite' || followUp?.kind === 'new-question' ? followUp.document : undefined;
    const ask = (asked: string): Promise<AnsweredQuestion> =>
      this.assistant.ask(asked, {
        // grounded generation (when configured) limits each student's rate and reads the previous turn
        studentKey: `${conversation.channel}:${conversation.userId}`,
        ...(previous?.answer ? { summary: { question: previous.resolved, answer: previous.answer } } : {}),
        ...(framedDocument && asked !== standing ? { document: framedDocument } : {}),
      });
    // A question of its own is read alone and within the previous frame, in the order the
    // follow-up says; the second reading is asked only when the first finds no answer.
    const readings =
      followUp?.kind === 'new-question'
        ? [...(followUp.framedFirst ? [followUp.framed, standing] : [standing, followUp.framed]), ...(followUp.onTopic ? [followUp.onTopic] : [])]
        : [question];
    question = readings[0]!;
    let answered = await ask(question);
    for (const reading of readings.slice(1)) {
      if (answered.outcome === 'answer') break;
      const next = await ask(reading);
      if (next.outcome === 'answer') {
        question = reading;
        answered = next;
      }
    }
    if (followUp?.kind === 'rewrite' && followUp.slot && answered.choices?.[0]) {
      // "在山东呢" already says what a clarifying question would ask: the best clause of that
      // region (or kind of school) answers it
      const answerer = await this.assistant.answerer();
      const best = answered.choices[0];
      const document = answerer.search.snapshot.documents.get(best.doc);
      const picked = document && fitsSlot(followUp.slot, document) ? await answerer.answerFrom(question, best.clauseId) : null;
      if (picked) answered = picked;
    }
    const { lexicon } = (await this.assistant.answerer()).search;
    const documentsWordsFor = (words: string): readonly string[] => synonymExpansions(words, lexicon);
    if ((followUp?.kind === 'rewrite' || followUp?.kind === 'new-question') && answered.choices?.[0] && previous) {
      // "那2000人呢" asks the question just answered with another number, "学校外面的人也能去咨询吗"
      // asks on about the clause just quoted: when the best of the clauses a clarifying question
      // would offer is one just cited, the conversation has already said which it is — for a
      // follow-up with words of its own, when the lead read from it says them
      const best = answered.choices[0];
      const picked = previous.citations.some((citation) => citation.doc === best.doc && citation.locator === best.locator)
        ? await (await this.assistant.answerer()).answerFrom(question, best.clauseId)
        : null;
      const detail = followUp.kind === 'rewrite' && followUp.detail === true;
      if (picked && (detail || leadAnswers(questionAsked, leadOf(picked.answer), previous.resolved, documentsWordsFor))) answered = picked;
    }
    // "具体怎么申请", "去那咨询收不收钱" answered with the very lead of the previous answer, which
    // holds none of what they ask: the frame led back to the last answer
    const asksOn = (followUp?.kind === 'rewrite' && followUp.asksOn === true) || followUp?.kind === 'new-question';
    const saysNoMore = (result: AnsweredQuestion): boolean =>
      result.outcome === 'answer' &&
      previous?.answer !== undefined &&
      repeatsLead(result.answer, previous.answer) &&
      !leadAnswers(questionAsked, leadOf(result.answer), followUp?.kind === 'new-question' ? previous.resolved : null, documentsWordsFor);
    if (followUp !== null && asksOn && saysNoMore(answered)) {
      // a question with a topic of its own read in the frame first ("那…") may find its answer alone; else the document says no more
      const alone = question !== standing && namesSomethingNew(questionAsked, previous?.resolved ?? '') ? await ask(standing) : null;
      if (alone?.outcome === 'answer' && !saysNoMore(alone)) {
        question = standing;
        answered = alone;
      } else {
        state.frame = null;
        return done('follow-up', [{ text: replies.render(answered.language, 'follow_up_not_in_document', { title: answered.citations[0]?.title ?? '' }) }], {
          retrieved: answered.retrieved,
        });
      }
    }
    if (followUp?.kind === 'rewrite' && followUp.unserved) {
      // "在山东呢" after a 中职 question, where 山东's document is written for 高校: say so, and answer
      // only from that region's document, for the school it serves (a swapped region), or from
      // another document (a swapped kind of school)
      const { unserved } = followUp;
      const cited = answered.outcome === 'answer' ? answered.citations[0] : undefined;
      const fromRegion = cited !== undefined && unserved.documents.includes(cited.doc);
      const note = await this.#unservedNote(unserved, answered.language);
      if (!cited || fromRegion !== (unserved.swapped === 'region')) {
        return done('follow-up', [{ text: note }], { retrieved: answered.retrieved });
      }
      const school = schoolAsWritten(unserved.swapped === 'region' ? (unserved.served ?? unserved.school) : unserved.school, answered.language === 'en');
      const then = replies.render(answered.language, unserved.swapped === 'region' ? 'slot_unserved_region' : 'slot_unserved_school', { school });
      answered = { ...answered, answer: withFirstLine(answered.answer, `${note}${then}`) };
    }
    // "我们学校1500个毕业生要配几个": a cited scale rule computed for the student's number
    const computed = answered.outcome === 'answer' ? scaleLine([questionAsked, question], answered.answer, answered.citations, answered.language, replies) : null;
    if (computed) answered = { ...answered, answer: withFirstLine(answered.answer, computed) };
    // a complete new question answered as it stands starts a new frame: it is no follow-up
    const readAsFollowUp = followUp !== null && question !== standing;
    const out: OutboundReply[] = [{ text: answered.answer }];
    if (!state.difficultGroup && saysDifficultGroup(text)) {
      state.difficultGroup = true;
      out.push({ text: say('difficult_group_noted') });
    }
    if (answered.choices && answered.choices.length > 0) {
      // a clarifying question: the student's next number picks the clause; not a failure to count
      state.pendingChoice = { question, clauseIds: answered.choices.map((choice) => choice.clauseId), language: answered.language };
      state.frame = null;
      return done(readAsFollowUp ? 'follow-up' : 'policy', out, { outcome: 'abstain', retrieved: answered.retrieved, answered });
    }
    const unsupported = answered.route.kind === 'policy' && answered.outcome === 'abstain';
    state.lowConfidence = unsupported ? (state.lowConfidence ?? 0) + 1 : 0;
    if (unsupported && state.lowConfidence >= this.#lowConfidenceLimit) {
      state.lowConfidence = 0;
      const { notice, ticketId } = await queue('low-confidence', text, answered.retrieved);
      return done('escalation', [...out, { text: say('low_confidence_escalated') }, ...notice], {
        outcome: 'escalate',
        retrieved: answered.retrieved,
        answered,
        escalation: { reason: 'low-confidence' },
        ...(ticketId !== undefined ? { ticketId } : {}),
      });
    }
    // a question that got no answer is still the frame of the next one ("那河南呢")
    state.frame =
      answered.outcome === 'abstain' && (answered.route.kind === 'policy' || (answered.route.kind === 'abstain' && answered.route.reason === 'out-of-scope'))
        ? { question: questionAsked, resolved: question, outcome: 'abstain', citations: [], language: answered.language }
        : null;
    if (answered.outcome === 'answer') {
      state.lastTurn = lastTurnOf(questionAsked, question, answered);
      state.answers = (state.answers ?? 0) + 1;
      if (this.#rateEvery > 0 && (state.answers === 1 || state.answers % this.#rateEvery === 0)) {
        state.pendingRating = 'answer';
        out.push({ text: replies.render(answered.language, 'ask_rating_answer'), choices: choicesFrom(say('rating_choices')) });
      }
    } else if (answered.outcome === 'abstain' && wantsDirection(text)) {
      return done('dialogue', [{ text: say('offer_planning'), choices: choicesFrom(say('offer_planning_choices')) }]);
    }
    if (answered.outcome === 'answer' && wantsDirection(text)) {
      out.push({ text: say('offer_planning'), choices: choicesFrom(say('offer_planning_choices')) });
    }
    return done(readAsFollowUp ? 'follow-up' : 'policy', out, {
      outcome: answered.outcome,
      citations: answered.citations,
      retrieved: answered.retrieved,
      answered,
    });
  }

  async #startPlanning(
    state: ConversationState,
    done: (handledAs: TurnResult['handledAs'], out: OutboundReply[]) => Promise<TurnResult>,
    say: (name: string) => string,
  ): Promise<TurnResult> {
    state.pendingRating = null;
    const paused = state.planning ? parsePlanningState(state.planning) : null;
    if (paused) {
      state.mode = 'planning';
      return done('dialogue', [{ text: say('planning_resume') }, toReply(resumePrompt(paused))]);
    }
    const turn = startPlanning(this.#now());
    state.mode = 'planning';
    state.planning = turn.state;
    return done('dialogue', [toReply(turn.reply)]);
  }

  async #continuePlanning(
    conversation: Conversation,
    state: ConversationState,
    text: string,
    done: (handledAs: TurnResult['handledAs'], out: OutboundReply[]) => Promise<TurnResult>,
    say: (name: string, values?: Record<string, string | number>) => string,
  ): Promise<TurnResult> {
    const turn: Turn = continuePlanning(state.planning as PlanningState, text, this.#now());
    if (!('outcome' in turn)) {
      state.planning = turn.state;
      return done('dialogue', [toReply(turn.reply)]);
    }
    state.mode = null;
    if (turn.outcome === 'quit') {
      // The paused dialogue stays in `planning` so that 职业规划 resumes it.
      return done('dialogue', [toReply(turn.reply)]);
    }
    state.planning = null;
    const markdown = await this.#planMarkdown(turn.plan);
    await this.store.saveAssessment(conversation.id, turn.plan.assessment);
    await this.store.savePlan(conversation.id, turn.plan, markdown);
    state.pendingRating = 'plan';
    return done('dialogue', [
      toReply(turn.reply),
      { text: await this.#planChat(turn.plan) },
      { text: say('plan_saved'), document: this.#planDocument(markdown, new Date(turn.plan.createdAt), 'zh') },
      { text: say('ask_rating_plan'), choices: choicesFrom(say('rating_choices')) },
    ]);
  }

  async #linkResolver(): Promise<LinkResolver> {
    const { search } = await this.assistant.answerer();
    return snapshotResolver(search.snapshot, (document) => dateText(document, 'zh', this.assistant.replies));
  }


  async #planChat(plan: CareerPlan): Promise<string> {
    return renderPlanChat(plan, await this.#linkResolver());
  }

  async #planMarkdown(plan: CareerPlan): Promise<string> {
    return renderPlanMarkdown(plan, await this.#linkResolver());
  }

  #planDocument(markdown: string, createdAt: Date, language: Language): OutboundReply['document'] {
    return {
      fileName: this.assistant.replies.render(language, 'plan_file_name', {
        // the date in China, where the student is
        date: chinaDay(createdAt),
      }),
      mimeType: 'text/markdown',
      content: markdown,
    };
  }

  /** What a follow-up is read against: each document's region and audience. */
  async #frameKnowledge(): Promise<FrameKnowledge> {
    const { search } = await this.assistant.answerer();
    return { documents: [...search.snapshot.documents.values()].map(({ id, region, audience }) => ({ id, region, audience })) };
  }

  /**
   * The facts of the one document of the region a message names (who issued it, when, where), with
   * the clause that states what is asked; null when the region has no document or several.
   */
  async #documentNamed(message: string, asks: DocumentAsks): Promise<{ text: string; citation: Citation } | null> {
    const named = regionIn(message);
    if (!named) return null;
    const { search } = await this.assistant.answerer();
    const key = regionKey(named.word);
    const documents = [...search.snapshot.documents.values()].filter((document) => regionKey(document.region) === key);
    if (documents.length !== 1) return null;
    const document = documents[0]!;
    const clause = clausesStating(asks, document, search.snapshot.clauses)[0] ?? null;
    if (!clause) return null;
    const language: Language = isMostlyEnglish(message) ? 'en' : 'zh';
    const citation: Citation = { doc: document.id, title: document.title, locator: clause.locator, text: clause.text };
    const text = this.assistant.replies.render(language, 'document_answer', {
      title: document.title,
      issuer: document.issuer,
      region: document.region,
      date: dateText(document, language, this.assistant.replies),
      locator: clause.locator,
      text: clause.text.trim(),
    });
    return { text, citation };
  }

  /** "山东省的《…》不是针对中职学校写的，它适用于职业指导人员、普通高等学校。" */
  async #unservedNote(unserved: UnservedSlot, language: Language): Promise<string> {
    const { search } = await this.assistant.answerer();
    const documents = unserved.documents.flatMap((id) => search.snapshot.documents.get(id) ?? []);
    const separator = language === 'zh' ? '、' : ', ';
    return this.assistant.replies.render(language, 'slot_unserved', {
      region: documents[0]?.region ?? unserved.region,
      titles: documents.map(({ title }) => `《${title}》`).join(separator),
      school: schoolAsWritten(unserved.school, language === 'en'),
      audience: [...new Set(documents.map(({ audience }) => audience))].join(separator),
    });
  }

  /** The previous answer's citations, led by the clause of its document that states what is asked (issuer, date, region). */
  async #sourceCitations(citations: Citation[], asks: SourceAsks): Promise<Citation[]> {
    const first = citations[0];
    if (!first || asks === 'document') return citations;
    const { search } = await this.assistant.answerer();
    const document = search.snapshot.documents.get(first.doc);
    const clause = document ? (clausesStating(asks, document, search.snapshot.clauses)[0] ?? null) : null;
    if (!document || !clause || citations.some((citation) => citation.doc === clause.docId && citation.locator === clause.locator)) return citations;
    return [{ doc: document.id, title: document.title, locator: clause.locator, text: clause.text }, ...citations];
  }

  async #sources(citations: Citation[], language: Language): Promise<string> {
    const { search } = await this.assistant.answerer();
    const lines = citations.map((citation) => {
      const document = search.snapshot.documents.get(citation.doc);
      return this.assistant.replies.render(language, 'source_line', {
        title: citation.title,
        locator: citation.locator,
        issuer: document?.issuer ?? '',
        region: document?.region ?? '',
        date: document ? dateText(document, language, this.assistant.replies) : '',
      });
    });
    return this.assistant.replies.render(language, 'source_answer', { sources: [...new Set(lines)].join('\n') });
  }
}

/** The turn a follow-up reads: what was asked, how it was resolved, and the answer (its start). */
function lastTurnOf(question: string, resolved: string, answered: AnsweredQuestion): LastTurn {
  return {
    question,
    resolved,
    outcome: 'answer',
    citations: answered.citations,
    language: answered.language,
    answer: answered.answer.slice(0, 2_000),
  };
}

/**
 * The clauses an answer read from the conversation (the previous citation's document, the point of
 * a clause just quoted) rather than from a search, listed as what was retrieved: once each, in order.
 */
function asRetrieved(citations: readonly Citation[]): RetrievedClause[] {
  const seen = new Set<string>();
  return citations.flatMap(({ doc, locator, text }) => {
    const key = `${doc}\u0000${locator}`;
    if (seen.has(key)) return [];
    seen.add(key);
    // not ranked by a search: each scores as a clause read directly
    return [{ doc, locator, text, score: 1 }];
  });
}

/** The lead of an answer: its lines before the quoted clauses. */
function leadOf(answer: string): string[] {
  return answer
    .split(/\n\s*\n/u)[0]!
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** Whether every lead line of an answer (before its quoted clauses) was a lead line of the previous answer. */
export function repeatsLead(answer: string, previous: string): boolean {
  const before = new Set(leadOf(previous));
  const now = leadOf(answer);
  return now.length > 0 && now.every((line) => before.has(line));
}

/** The n-th choice a student picks by number ("2", "第二个", "选2"), or null when the message is not one. */
export function choiceOf(message: string, count: number): number | null {
  const text = message.normalize('NFKC').replace(/\s+/gu, '');
  const match = /^(?:选|第|no\.?|option)?([1-9]|[一二三四五六七八九])(?:个|条|项|号)?[.、。)）]?$/iu.exec(text);
  if (!match) return null;
  const digit = match[1]!;
  const number = /\d/u.test(digit) ? Number(digit) : '一二三四五六七八九'.indexOf(digit) + 1;
  return number >= 1 && number <= count ? number : null;
}

function toReply(reply: DialogueReply): OutboundReply {
  return reply.choices ? { text: reply.text, choices: reply.choices } : { text: reply.text };
}
