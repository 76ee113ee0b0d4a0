import { setWithdrawalDestinations } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const client = await withAdminDb((db) => setWithdrawalDestinations(db, args.ID, args.MODE.trim()));
  const rule = client.withdrawalDestinations === 'linked' ? "only to the user's linked wallets" : 'to any address';
  out.result(client, [`withdrawals of ${client.clientId}'s users go ${rule}${client.withdrawalAllowlist === null ? '' : ' on its allowlist'}`]);
}
