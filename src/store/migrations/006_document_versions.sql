-- every uploaded version of a document: draft → published → superseded | withdrawn.
-- At most one version of a document is published; the live tables (documents, clauses,
-- clause_embeddings) hold exactly the published versions and are switched in one transaction.
create table document_versions (
  doc_id text not null,
  version int not null check (version > 0),
  state text not null check (state in ('draft', 'published', 'superseded', 'withdrawn')),
  title text not null,
  issuer text not null,
  region text not null,
  date text,
  date_note text,
  status text not null check (status in ('in-force', 'draft')),
  audience text not null,
  meta jsonb not null default '{}',
  body text not null,
  content_hash text not null,
  effective_from text,             -- ISO date the version applies from (null: from publication)
  expires_on text,                 -- ISO date it stops applying (null: open-ended)
  source_name text,                -- the uploaded file's name, for display only (never a path)
  source_kind text not null default 'md' check (source_kind in ('md', 'txt', 'docx', 'pdf', 'html')),
  source_bytes int,
  source_sha256 text,
  created_by text,
  created_at timestamptz not null default now(),
  published_at timestamptz,
  retired_at timestamptz,          -- when it was superseded or withdrawn
  primary key (doc_id, version)
);
create unique index document_versions_one_published on document_versions (doc_id) where state = 'published';

-- what happened to the knowledge base: each switch, with who did it and the eval comparison
create table kb_changes (
  id bigserial primary key,
  kb_version int not null,
  action text not null,            -- ingest, publish, rollback, withdraw, remove, reindex
  doc_id text,
  version int,
  previous_version int,
  actor text,
  detail jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index kb_changes_by_document on kb_changes (doc_id, id);

-- the live set names the version it serves
alter table documents add column version int not null default 1;
alter table documents add column effective_from text;
alter table documents add column expires_on text;

-- what was published before versions existed becomes version 1
insert into document_versions (doc_id, version, state, title, issuer, region, date, date_note, status, audience, meta, body, content_hash, created_at, published_at)
select id, 1, 'published', title, issuer, region, date, date_note, status, audience, meta, body, content_hash, updated_at, updated_at from documents;
