-- the student web chat (/chat): the key that signs its anonymous identity cookies, made once on
-- first start (unless WEB_CHAT_SECRET is set) and shared by every instance on this database
create table web_chat_keys (
  name text primary key,
  secret text not null,
  created_at timestamptz not null default now()
);

-- what a web-chat student chose to say about themselves (学号, 姓名): optional, and deleted with
-- the conversation (删除我的数据)
create table web_chat_students (
  user_id text primary key,
  conversation_id bigint not null references conversations(id) on delete cascade,
  student_number text,
  name text,
  updated_at timestamptz not null default now()
);
