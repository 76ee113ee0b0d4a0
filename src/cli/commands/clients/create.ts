import type { Address } from 'viem';
import { createClient } from '../../../admin/clients.js';
import { parseScopes } from '../../../auth/scopes.js';
import { parseRateLimits } from '../../../policy/rate-limit-categories.js';
import type { SignerAuthorization } from '../../../admin/authorize-signer.js';
import { withAdminDb } from '../../admin-db.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';
import { generateClientId } from '../../../auth/secrets.js';
import { authorize, deployCertificateFor, deployTokenFor, describeAuthorization, NO_CERTIFICATE_KEYS } from './signer.js';
import { checkDestination } from './webhook-destination.js';

export async function run({ out, options }: CommandInput): Promise<void> {
  const flag = (name: string) => {
    const value = options[name];
    return typeof value === 'string' ? value : undefined;
  };
  const [name, scopeList, webhookUrl, signerAddress, rateLimitSpec, sharedToken] = [
    flag('name'),
    flag('scopes'),
    flag('webhook-url'),
    flag('signer'),
    flag('rate-limit'),
    flag('token'),
  ];
  if (!name?.trim()) throw new UsageError('--name must not be empty');
  // Parsed before connecting: a typo should not need a database, and a refused command costs nothing on-chain.
  const scopes = scopeList === undefined ? undefined : parseScopes(scopeList);
  const rateLimits = rateLimitSpec === undefined ? undefined : parseRateLimits(rateLimitSpec);
  const { getAddress, isAddress } = await import('viem');
  if (signerAddress !== undefined && !isAddress(signerAddress)) throw new UsageError(`signer '${signerAddress}' is not an address`);
  if (sharedToken !== undefined && !isAddress(sharedToken)) throw new UsageError(`--token '${sharedToken}' is not an address`);
  await withAdminDb(async (db, env) => {
    if (webhookUrl !== undefined) await checkDestination(env, webhookUrl);
    if (sharedToken !== undefined) {
      const { sharedTokenWarning } = await import('../../../admin/client-token.js');
      process.stderr.write(`chronos: ${sharedTokenWarning(getAddress(sharedToken))}\n`);
    }
    // Deployed before the row is written: a client never exists without its token. Its certificate
    // contract trusts an issuer derived from its id, so the id is chosen first.
    const deployed = sharedToken === undefined ? await deployTokenFor(env, signerAddress ? getAddress(signerAddress) : undefined) : undefined;
    const id = generateClientId();
    const certificates = await deployCertificateFor(env, id);
    const created = await createClient(db, {
      id,
      name,
      scopes,
      webhookUrl,
      signerAddress,
      rateLimits,
      tokenAddress: deployed?.token ?? sharedToken,
      certificateAddress: certificates?.certificate,
    });
    const signer: SignerAuthorization | undefined = deployed?.signerTxHash
      ? { authorized: true, txHash: deployed.signerTxHash }
      : created.client.signerAddress
        ? await authorize(env, created.client.signerAddress as Address, created.client.tokenAddress as Address)
        : undefined;
    out.result(
      { ...created.client, clientSecret: created.clientSecret, webhookSecret: created.webhookSecret, ...(signer && { signerAuthorization: signer }) },
      [
        `client created: ${created.client.clientId} (${created.client.name})`,
        `  clientSecret:  ${created.clientSecret}   (shown once; store it now)`,
        `  webhookSecret: ${created.webhookSecret}`,
        `  scopes:        ${created.client.scopes.join(',')}`,
        `  token:         ${created.client.tokenAddress}${deployed ? ' (deployed for this client)' : ' (shared)'}`,
        certificates ? `  certificates:  ${certificates.certificate} (deployed for this client)` : `  ${NO_CERTIFICATE_KEYS}`,
        ...(signer ? [describeAuthorization(signer)] : []),
      ],
    );
  });
}
