-- The lexical (BM25) indexes of a knowledge-base snapshot, stored so that a start reads them
-- instead of tokenising every clause again. `key` hashes what they are built from (every clause's
-- id and indexed texts, and the tokenizer): a start whose snapshot has another key builds them
-- afresh and stores them. Rows are written whole in one statement (a killed process leaves none).
create table lexical_indexes (
  key text primary key,
  kb_version int not null,             -- the knowledge-base version they were built for
  words bytea not null,                -- BM25 over jieba words (Postings.toBytes)
  bigrams bytea not null,              -- BM25 over character bigrams
  created_at timestamptz not null default now()
);
