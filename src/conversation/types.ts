import type { Citation, Outcome } from '../answering/types.ts';

/** A button a student can press; channels without buttons show it as a numbered choice. */
export interface Choice {
  label: string;
  value: string;
}

/** What kind of thing a student sent; everything but text gets a clear reply and is kept. */
export type MessageKind = 'text' | 'sticker' | 'image' | 'voice' | 'video' | 'file' | 'location' | 'other';

/** A student's message as a channel hands it to the core. */
export interface InboundMessage {
  /** `telegram`, `wechat`, `console`, `cli`, … */
  channel: string;
  /** The student's id on that channel. */
  userId: string;
  /** The channel's id for this message (Telegram update_id, WeChat MsgId); a repeat is handled once. */
  messageId?: string;
  kind: MessageKind;
  text?: string;
}

/** A file the channel may send as a document (a written plan). */
export interface ReplyDocument {
  fileName: string;
  mimeType: string;
  content: string;
}

/** One message back to the student. */
export interface OutboundReply {
  text: string;
  choices?: Choice[];
  document?: ReplyDocument;
}

/** The previous policy answer, which follow-up questions resolve against. */
export interface LastTurn {
  question: string;
  resolved: string;
  outcome: Outcome;
  citations: Citation[];
  language: 'zh' | 'en';
  /** The answer given (its start), for a generated follow-up to read; absent in older state. */
  answer?: string;
}
