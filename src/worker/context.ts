import type { AppContext } from '../context.js';
import type { UserOpClients } from '../userop/clients.js';
import type { AccountCache } from '../userop/account-cache.js';
import type { InclusionTracker } from '../tracking/inclusion-tracker.js';
import type { CommitSender } from '../webhooks/outbox.js';
import type { StatusWaiter } from './status-waiter.js';

/** What worker tasks get beyond the shared context. */
export type WorkerContext = AppContext & {
  userOps: UserOpClients;
  accounts: AccountCache;
  waiter: StatusWaiter;
  /** This process's inclusion tracker: told when something is about to be sent, asked for the head it last read. */
  tracker: Pick<InclusionTracker, 'wake' | 'knownHead'>;
  /** Set when this process delivers webhooks: a status it ends is sent by it right after the commit. */
  webhooksAtCommit: CommitSender | undefined;
};
