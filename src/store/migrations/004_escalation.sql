-- teachers and administrators of the dashboard
create table users (
  id bigserial primary key,
  username text not null unique,
  display_name text not null,
  password_hash text not null,
  role text not null check (role in ('teacher', 'admin')),
  failed_logins int not null default 0,
  locked_until timestamptz,
  created_at timestamptz not null default now()
);

create table web_sessions (
  token_hash text primary key,
  user_id bigint not null references users(id) on delete cascade,
  csrf_token text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);

-- a student who needs a person: one open ticket per conversation at a time
create table tickets (
  id bigserial primary key,
  conversation_id bigint not null references conversations(id) on delete cascade,
  channel text not null,
  student_id text not null,
  reason text not null check (reason in ('crisis', 'complaint', 'person', 'low-confidence')),
  priority int not null,
  difficult_group boolean not null default false,
  status text not null check (status in ('open', 'claimed', 'answered', 'closed')),
  assignee_id bigint references users(id) on delete set null,
  summary text not null,
  retrieved jsonb not null default '[]',
  due_at timestamptz not null,
  first_response_at timestamptz,
  closed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index tickets_one_open_per_conversation on tickets (conversation_id) where status <> 'closed';
create index tickets_queue on tickets (status, priority, due_at);

-- what happened on a ticket: student and teacher messages, internal notes
create table ticket_messages (
  id bigserial primary key,
  ticket_id bigint not null references tickets(id) on delete cascade,
  author text not null check (author in ('student', 'teacher', 'note')),
  user_id bigint references users(id) on delete set null,
  text text not null,
  created_at timestamptz not null default now()
);

-- audit: who read or changed a ticket or an archive
create table audit_log (
  id bigserial primary key,
  user_id bigint references users(id) on delete set null,
  action text not null,
  ticket_id bigint,
  conversation_id bigint,
  detail jsonb not null default '{}',
  created_at timestamptz not null default now()
);

-- replies waiting to reach a student's chat: written in the same transaction as the reply,
-- delivered by the outbox worker with retries and backoff
create table outbox (
  id bigserial primary key,
  ticket_id bigint references tickets(id) on delete cascade,
  channel text not null,
  recipient text not null,
  text text not null,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_until timestamptz,
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index outbox_due on outbox (status, next_attempt_at);

-- the teacher a student is assigned to (who may read the student's career archive)
alter table conversations add column assigned_teacher_id bigint references users(id) on delete set null;
