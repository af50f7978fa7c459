-- a message whose answer went out in the response to the channel's own request (the Official
-- Account's passive reply) is marked so when its row is finished: a retry of that request — the
-- reply lost on the way, or the server killed as it sent it — reaching any server on this
-- database, or a restarted one, gets the recorded answer again instead of a second turn or
-- nothing. Only a recent mark counts (the channel's retry window); a new attempt at the row clears it.
alter table inbound_messages add column answered_in_response_at timestamptz;
