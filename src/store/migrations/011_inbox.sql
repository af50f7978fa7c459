-- the inbox: a channel message is stored here before the channel is told it arrived (Telegram's
-- next getUpdates offset, a webhook's 200) and handled from here, in order per conversation;
-- unfinished rows are taken up again at start. The core's de-duplication already keeps one row
-- per (channel, message id) in this table: the inbox adds what it needs to the same row.
alter table inbound_messages
  -- order of arrival (a conversation's rows are handled in this order)
  add column seq bigserial,
  -- whose messages must stay in order (a Telegram chat, an OpenID…)
  add column conversation_key text,
  -- what the channel sent, until the row is finished (then cleared: the text lives in the history)
  add column payload jsonb,
  -- handling attempts started (a start cut short by a crash counts)
  add column attempts int not null default 0,
  -- the channel is done with it: replies sent, or handed to the outbox (the core's handled_at is
  -- set earlier, when the turn is recorded)
  add column finished_at timestamptz,
  -- given up after too many attempts (its payload kept for a look; never taken up again by itself)
  add column parked_at timestamptz;
-- the unfinished rows, found by conversation in order of arrival (few at any time: the index stays small)
create index inbound_messages_unfinished on inbound_messages (channel, conversation_key, seq)
  where payload is not null and finished_at is null and parked_at is null;
