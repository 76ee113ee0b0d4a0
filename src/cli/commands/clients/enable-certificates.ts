import { findClient } from '../../../db/clients.js';
import { setCertificateContract, ClientNotFoundError, toClientView } from '../../../admin/clients.js';
import { withAdminDb } from '../../admin-db.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';
import { deployCertificateFor, NO_CERTIFICATE_KEYS } from './signer.js';

/** Deploys a ChronosCertificate for a client registered without one; a client that has one keeps it. */
export async function run({ out, args }: CommandInput): Promise<void> {
  await withAdminDb(async (db, env) => {
    const existing = await findClient(db, args.ID);
    if (!existing) throw new ClientNotFoundError(args.ID);
    if (existing.certificate_address) {
      const client = toClientView(existing);
      out.result(client, [`certificates of ${client.clientId}: ${client.certificateAddress} (already enabled)`]);
      return;
    }
    const deployed = await deployCertificateFor(env, existing.id);
    if (!deployed) throw new UsageError(NO_CERTIFICATE_KEYS.replace(/^certificates: +not enabled: /, ''));
    const client = await setCertificateContract(db, existing.id, deployed.certificate);
    out.result({ ...client, certificateIssuer: deployed.issuer }, [
      `certificates of ${client.clientId}: ${client.certificateAddress} (deployed; issuer ${deployed.issuer})`,
    ]);
  });
}
