-- webhook requests already seen (a WeChat nonce, a Telegram update_id), remembered while a replay
-- of them could still be accepted, so that several instances refuse the same replay; expired rows
-- are swept as new ones come in
create table webhook_replays (
  scope text not null,
  key text not null,
  expires_at timestamptz not null,
  primary key (scope, key)
);
create index webhook_replays_expiry on webhook_replays (expires_at);
