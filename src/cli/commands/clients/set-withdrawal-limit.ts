import { setWithdrawalLimit } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const spec = args.LIMIT.trim();
  // "500/daily", or '-' to lift it.
  const [amount, period, extra] = spec.split('/');
  if (spec !== '-' && (period === undefined || extra !== undefined)) throw new Error(`LIMIT '${spec}' is not AMOUNT/PERIOD (e.g. 500/daily) or '-'`);
  const client = await withAdminDb((db) => setWithdrawalLimit(db, args.ID, spec === '-' ? null : { amount, period }));
  const limit = client.withdrawalLimit;
  out.result(client, [`withdrawal limit of ${client.clientId}: ${limit === null ? 'none' : `${limit.amountWei} wei per user ${limit.period}`}`]);
}
