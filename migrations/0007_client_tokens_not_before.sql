-- `clients rotate-secret` (and `unrevoke`) end the tokens issued before it: a token whose `iat` is
-- earlier than this second is refused, although its signature and expiry are still good.
alter table clients add column tokens_not_before timestamptz;
