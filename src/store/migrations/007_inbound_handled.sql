-- a delivery is a duplicate only once it was answered: a message recorded by a process that
-- stopped before answering is handled again when the channel delivers it again
alter table inbound_messages add column handled_at timestamptz;
update inbound_messages set handled_at = received_at;
