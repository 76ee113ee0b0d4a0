-- Certificates (README, Certificates): soulbound ERC-721 tokens each client issues and revokes on its
-- own ChronosCertificate, by operations like the others.
alter table transactions drop constraint transactions_type_check;
alter table transactions add constraint transactions_type_check
  check (type in ('mint', 'transfer', 'claim', 'payout', 'escrow_fund', 'escrow_release', 'escrow_refund', 'withdrawal',
                  'certificate_issue', 'certificate_revoke'));

-- The client's own ChronosCertificate, deployed by `clients create` (or `clients enable-certificates`
-- for a client registered before); null: the client issues no certificates.
alter table clients add column certificate_address text check (certificate_address ~ '^0x[0-9a-fA-F]{40}$');

-- The verificationHash a certificate_* operation is about. A hash is issued once and revoked once per
-- client: a second accept while the first is live or done is refused here, whichever API process
-- takes it. A FAILED, EXPIRED or REVERTED attempt frees the slot, so it can be tried again.
alter table transactions add column certificate_hash text;
create unique index transactions_certificate_issued_once on transactions (client_id, certificate_hash)
  where type = 'certificate_issue' and status not in ('FAILED', 'EXPIRED', 'REVERTED');
create unique index transactions_certificate_revoked_once on transactions (client_id, certificate_hash)
  where type = 'certificate_revoke' and status not in ('FAILED', 'EXPIRED', 'REVERTED');
create index transactions_certificate on transactions (client_id, certificate_hash) where certificate_hash is not null;

-- A certificate as accepted: its descriptive fields, kept off-chain and bound on-chain by data_hash.
-- One row per accepted issue (a failed issue's row stays, pointing at its FAILED operation); whether
-- it is issued, revoked or neither is read from its operations and, for validity, from the chain.
create table certificates (
  id                   text primary key,
  client_id            text not null references clients(id),
  user_id              text not null,
  recipient            text not null,
  recipient_name       text not null,
  course_title         text not null,
  course_id            text not null,
  instructor_name      text not null,
  verification_hash    text not null check (verification_hash ~ '^0x[0-9a-f]{64}$'),
  data_hash            text not null,
  contract_address     text not null,
  issue_transaction_id text not null unique references transactions(id),
  created_at           timestamptz not null default now()
);
create index certificates_by_hash on certificates (client_id, verification_hash);
create index certificates_by_user on certificates (client_id, user_id, id desc);

-- The certificates scope (README, Scopes).
alter table clients drop constraint clients_scopes_known;
alter table clients add constraint clients_scopes_known
  check (scopes <@ array['wallet', 'mint', 'transfer', 'claim', 'payments', 'certificates']);
