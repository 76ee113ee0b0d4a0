-- Clients are registered by an operator through the CLI; their secrets are stored as slow hashes.
create table clients (
  id                    text primary key,
  name                  text not null,
  secret_hash           text not null,
  webhook_url           text,
  webhook_secret        text not null,
  -- During a webhook-secret rotation deliveries are signed with both secrets until this time.
  previous_webhook_secret text,
  previous_webhook_secret_expires_at timestamptz,
  signer_address        text,
  scopes                text[] not null default array['wallet', 'mint', 'transfer', 'claim'],
  rate_limits           jsonb not null default '{}'::jsonb,
  revoked_at            timestamptz,
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  constraint clients_scopes_known check (scopes <@ array['wallet', 'mint', 'transfer', 'claim'])
);

-- One smart account per (client, user); the address is derived, so it is unique across clients too.
create table wallets (
  client_id   text not null references clients(id),
  user_id     text not null,
  address     text not null unique,
  created_at  timestamptz not null default now(),
  primary key (client_id, user_id)
);
