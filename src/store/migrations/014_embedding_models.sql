-- A corpus-fitted embedding model (the offline LSA) is fitted once per knowledge-base version
-- and stored here beside the vectors it made, so that a start loads it instead of fitting
-- again. kb_state.embedding_model names the live one; a later version folds new clauses into
-- it (projects them onto the stored space) until their unknown words pass a threshold.
create table embedding_models (
  name text primary key,
  state bytea not null,                -- the fitted space, as the model serialises it
  kb_version int not null,             -- the knowledge-base version that first served it
  created_at timestamptz not null default now()
);

-- how much of the live clauses' word mass the live model never saw, beyond what it lacked when
-- it was fitted: past the configured threshold a serving process refits in the background
alter table kb_state add column embedding_drift real not null default 0;
