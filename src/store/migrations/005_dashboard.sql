-- the reply a delivery carries, so the ticket page shows each reply's delivery status
alter table outbox add column ticket_message_id bigint references ticket_messages(id) on delete set null;
create index outbox_by_ticket on outbox (ticket_id, id);

-- expired dashboard sessions are swept by expiry; archive reads are looked up by student
create index web_sessions_expiry on web_sessions (expires_at);
create index audit_log_by_conversation on audit_log (conversation_id, created_at);
