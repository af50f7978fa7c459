-- accounts administered on the web (issue 13): a disabled account cannot sign in and has no
-- sessions; a password an administrator reset must be changed at the next sign-in
alter table users add column disabled_at timestamptz;
alter table users add column must_change_password boolean not null default false;
alter table users add column password_changed_at timestamptz;
create index web_sessions_by_user on web_sessions (user_id);
create index audit_log_accounts on audit_log (created_at) where action like 'account-%';
