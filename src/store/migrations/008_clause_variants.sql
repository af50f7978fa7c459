-- question variants of a clause (关联问题): student-style questions stored with a clause of a
-- document version and indexed with it. A clause is named by its key within the version (its
-- locator, `#2` for a repeated one) and the hash of its text: a new version keeps the variants of
-- clauses whose text is unchanged, and a variant whose hash no longer matches is not indexed.
create table clause_variants (
  id bigserial primary key,
  doc_id text not null,
  version int not null,
  clause_key text not null,
  text_hash text not null,
  question text not null,
  source text not null check (source in ('file', 'model', 'admin')),
  created_by text,
  created_at timestamptz not null default now(),
  foreign key (doc_id, version) references document_versions (doc_id, version) on delete cascade,
  unique (doc_id, version, clause_key, question)
);
create index clause_variants_by_version on clause_variants (doc_id, version, id);

-- questions a model wrote for a clause text, so that the same text is never sent twice
create table clause_variant_cache (
  text_hash text not null,
  generator text not null,         -- the model and prompt version
  questions jsonb not null,
  created_at timestamptz not null default now(),
  primary key (text_hash, generator)
);

-- versions stored before variants existed get the shipped variants once, at the next start
alter table document_versions add column variants_seeded boolean not null default false;
alter table document_versions alter column variants_seeded set default true;
