// What the HTTP layer and the worker need, built once by the composition root (main).
import type pg from 'pg';
import type { Config } from './config/schema.js';
import type { Db } from './db/connect.js';
import type { ChainPublicClient } from './chain/clients.js';
import type { Logger } from './observability/logger.js';

export type AppContext = {
  config: Config;
  pool: pg.Pool;
  db: Db;
  publicClient: ChainPublicClient;
  logger: Logger;
};
