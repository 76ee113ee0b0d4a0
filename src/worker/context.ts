import type { AppContext } from '../context.js';
import type { UserOpClients } from '../userop/clients.js';
import type { StatusWaiter } from './status-waiter.js';

/** What worker tasks get beyond the shared context. */
export type WorkerContext = AppContext & { userOps: UserOpClients; waiter: StatusWaiter };
