// The database as kysely sees it: one interface per table, nullable columns as `T | null`.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface ClientsTable {
  id: string;
  name: string;
  secret_hash: string;
  webhook_url: string | null;
  webhook_secret: string;
  previous_webhook_secret: string | null;
  previous_webhook_secret_expires_at: Date | null;
  signer_address: string | null;
  scopes: ColumnType<string[], string[] | undefined, string[]>;
  rate_limits: ColumnType<Record<string, number>, string | undefined, string>;
  revoked_at: Date | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WalletsTable {
  client_id: string;
  user_id: string;
  address: string;
  created_at: Timestamp;
}

export interface Database {
  clients: ClientsTable;
  wallets: WalletsTable;
}

export type Client = Selectable<ClientsTable>;
export type NewClient = Insertable<ClientsTable>;
export type ClientUpdate = Updateable<ClientsTable>;
export type Wallet = Selectable<WalletsTable>;
export type { Generated };
