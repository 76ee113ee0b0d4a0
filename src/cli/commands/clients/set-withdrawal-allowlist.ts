import { setWithdrawalAllowlist } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  const list = args.LIST.trim();
  const addresses =
    list === '-'
      ? null
      : list
          .split(',')
          .map((a) => a.trim())
          .filter(Boolean);
  if (addresses?.length === 0) throw new Error("LIST names no address: give 0xA,0xB… or '-' to allow any destination");
  const client = await withAdminDb((db) => setWithdrawalAllowlist(db, args.ID, addresses));
  const allowed = client.withdrawalAllowlist;
  out.result(client, [`withdrawal destinations of ${client.clientId}: ${allowed === null ? 'any address' : allowed.join(',')}`]);
}
