-- Connected wallets (README, Connected wallets): an external address a user proved they control by
-- signing a Sign-In-with-Ethereum (EIP-4361) message Chronos issued. Addresses are stored lower-case.

-- The messages issued by GET /wallets/connect/nonce: one nonce each, bound to the client, the user and
-- the address, used once (used_at, set by the guarded update that links) and only before expires_at.
-- The exact text is kept so that a message altered after issue is refused, whatever field changed.
create table wallet_link_nonces (
  nonce       text primary key,
  client_id   text not null references clients (id),
  user_id     text not null,
  address     text not null check (address ~ '^0x[0-9a-f]{40}$'),
  message     text not null,
  issued_at   timestamptz(3) not null default now(),
  expires_at  timestamptz(3) not null,
  used_at     timestamptz(3),
  check (expires_at > issued_at)
);
-- The user's open nonces, counted and trimmed at every issue.
create index wallet_link_nonces_open on wallet_link_nonces (client_id, user_id, issued_at) where used_at is null;

-- The links: an address belongs to at most one user of a client (decided here, not by a prior read);
-- another client may link the same address to one of its own users.
create table wallet_links (
  client_id  text not null references clients (id),
  address    text not null check (address ~ '^0x[0-9a-f]{40}$'),
  user_id    text not null,
  linked_at  timestamptz(3) not null default now(),
  primary key (client_id, address)
);
create index wallet_links_user on wallet_links (client_id, user_id, linked_at);

-- Where the client's users may withdraw to: any address (within the allowlist, if any), or only to a
-- wallet the withdrawing user has linked. Set with `chronos clients set-withdrawal-destinations`.
alter table clients add column withdrawal_destinations text not null default 'any'
  check (withdrawal_destinations in ('any', 'linked'));
