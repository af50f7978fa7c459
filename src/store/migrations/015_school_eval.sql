-- The school's own eval set (issue 15): real questions an administrator marked with what should
-- happen — the clause that answers them, or abstain, or go to a teacher. They run before every
-- publish next to the shipped datasets and are exported as JSON Lines (eval/FORMAT.md). Only the
-- question text is kept (personal data masked before it is stored), never who asked.
create table school_eval_items (
  id serial primary key,
  question text not null unique,
  outcome text not null check (outcome in ('answer', 'abstain', 'escalate')),
  doc_id text,                         -- for 'answer': the clause that answers it
  locator text,
  passages jsonb not null default '[]',
  facts jsonb not null default '[]',
  ticket_id int references tickets(id) on delete set null,
  created_by text,
  created_at timestamptz not null default now()
);
