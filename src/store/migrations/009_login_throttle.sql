-- failed logins, counted per client address (across all accounts) and per (account, address):
-- growing delays instead of the per-account lockout, which let anyone lock a teacher out
create table login_failures (
  scope text not null check (scope in ('ip', 'account')),
  ip text not null,
  -- the username as typed (lower case, trimmed); '' for the per-address count
  username text not null default '',
  failures int not null,
  last_failure_at timestamptz not null,
  blocked_until timestamptz,
  primary key (scope, ip, username)
);
create index login_failures_by_last_failure on login_failures (last_failure_at);

-- the per-account lockout is gone
alter table users drop column failed_logins;
alter table users drop column locked_until;
