import type { Address } from 'viem';
import { setSigner } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import type { CommandInput } from '../../command.js';
import { authorize, describeAuthorization } from './signer.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  await withAdminDb(async (db, env) => {
    const client = await setSigner(db, args.ID, args.ADDRESS);
    const signer = await authorize(env, client.signerAddress as Address, (client.tokenAddress ?? undefined) as Address | undefined);
    out.result({ ...client, signerAuthorization: signer }, [`signer of ${client.clientId}: ${client.signerAddress}`, describeAuthorization(signer)]);
  });
}
