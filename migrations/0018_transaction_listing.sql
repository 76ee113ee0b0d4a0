-- GET /transactions and its export (src/db/transaction-list.ts) read a client's transactions newest
-- first in keyset pages: where client_id = $1 [and user_id = $2] and (created_at, id) < cursor,
-- order by created_at desc, id desc. These indexes hold exactly that order, so a page, however deep
-- and however many rows the client has, is one index range read stopping after `limit` matches, with
-- no sort. The older (client_id, created_at) and (client_id, user_id, created_at) indexes lack the
-- id tie-break (rows of one accept batch share created_at), which would leave a sort per page.
-- The status, type and date filters are checked along the same range (the dates bound it).
create index transactions_client_listing on transactions (client_id, created_at desc, id desc);
create index transactions_client_user_listing on transactions (client_id, user_id, created_at desc, id desc);
-- They serve every query the older two served (the same leading columns; a b-tree reads either way),
-- and each index is one more write per accepted operation: drop the older ones.
drop index transactions_client_created;
drop index transactions_client_user;
