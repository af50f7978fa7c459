-- one conversation per (channel, user): its dialogue state and history
create table conversations (
  id bigserial primary key,
  channel text not null,
  user_id text not null,
  state jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (channel, user_id)
);

create table conversation_messages (
  id bigserial primary key,
  conversation_id bigint not null references conversations(id) on delete cascade,
  role text not null check (role in ('student', 'assistant', 'teacher', 'system')),
  text text not null,
  meta jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index conversation_messages_by_conversation on conversation_messages (conversation_id, id);

-- a channel message id seen once is never handled again (Telegram update_id, WeChat MsgId)
create table inbound_messages (
  channel text not null,
  message_id text not null,
  conversation_id bigint references conversations(id) on delete cascade,
  received_at timestamptz not null default now(),
  primary key (channel, message_id)
);

-- the student's career archive (000 第十六条): written plans and assessment results, confidential
create table career_plans (
  id bigserial primary key,
  conversation_id bigint not null references conversations(id) on delete cascade,
  plan jsonb not null,
  markdown text not null,
  created_at timestamptz not null default now()
);

create table assessments (
  id bigserial primary key,
  conversation_id bigint not null references conversations(id) on delete cascade,
  result jsonb not null,
  created_at timestamptz not null default now()
);

-- satisfaction ratings (003 8.2), 1–5
create table ratings (
  id bigserial primary key,
  conversation_id bigint references conversations(id) on delete set null,
  subject text not null check (subject in ('answer', 'plan')),
  score int not null check (score between 1 and 5),
  created_at timestamptz not null default now()
);
