-- documents of the knowledge base
create table documents (
  id text primary key,
  title text not null,
  issuer text not null,
  region text not null,
  date text,                 -- ISO date or null when the text does not state it
  date_note text,
  status text not null check (status in ('in-force','draft')),
  audience text not null,
  meta jsonb not null default '{}',
  body text not null,
  content_hash text not null,
  updated_at timestamptz not null default now()
);
create table clauses (
  id text primary key,              -- `${doc_id}#${ordinal}`
  doc_id text not null references documents(id) on delete cascade,
  ordinal int not null,
  locator text not null,
  heading_path text[] not null default '{}',
  text text not null,
  part int not null default 1,
  parts int not null default 1,
  unique (doc_id, ordinal)
);
create table clause_embeddings (   -- dense vectors of a named embedding model
  clause_id text not null references clauses(id) on delete cascade,
  model text not null,
  embedding vector not null,
  primary key (clause_id, model)
);
create table kb_state (            -- one row: the published knowledge base's version
  id int primary key default 1 check (id = 1),
  version int not null default 0,
  fingerprint text not null default '',
  embedding_model text,
  embedding_dims int,
  updated_at timestamptz not null default now()
);
insert into kb_state (id) values (1);
