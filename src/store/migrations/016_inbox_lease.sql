-- several servers on one database: the server handling an inbox row holds a lease on it, so that
-- another one (starting, or sweeping for rows a dead server left) does not take it up meanwhile
alter table inbound_messages
  add column leased_by text,
  add column leased_until timestamptz;
