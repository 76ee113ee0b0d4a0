import { getAddress, isAddress, type Address } from 'viem';
import { createDb, createPool } from '../../db/connect.js';
import * as admin from '../../admin/clients.js';
import { parseScopes } from '../../auth/scopes.js';
import { parseRateLimits } from '../../admin/rate-limits.js';
import { authorizeSigner, type SignerAuthorization } from '../../admin/authorize-signer.js';
import { createDeployerClient, deployClientToken, NO_DEPLOYER_KEY, sharedTokenWarning, type ClientToken } from '../../admin/client-token.js';
import { allowsPrivateWebhookTargets, checkWebhookDestination } from '../../admin/webhook-url.js';
import { resolveAdminEnvironment, type AdminEnvironment } from '../admin-environment.js';
import { UsageError, type Output } from '../output.js';
import { chronosHome } from '../../runtime/home.js';
import { recordDemoClientSecrets } from '../../runtime/demo-credentials.js';

export type ClientsArgs = { positionals: string[]; values: Record<string, string | boolean | undefined> };

const SUBCOMMANDS = 'create | list | show ID | revoke ID | unrevoke ID | rotate-secret ID | rotate-webhook-secret ID | set-webhook ID URL | set-scopes ID LIST | set-rate-limit ID SPEC | set-signer ID ADDRESS';

export async function clientsCommand(out: Output, { positionals, values }: ClientsArgs): Promise<void> {
  const [sub, id, arg] = positionals;
  if (!sub) throw new UsageError(`usage: chronos clients ${SUBCOMMANDS}`);
  const needId = () => { if (!id) throw new UsageError(`usage: chronos clients ${sub} ID${['set-webhook', 'set-scopes', 'set-rate-limit', 'set-signer'].includes(sub) ? ' VALUE' : ''}`); return id; };
  const needArg = (what: string) => { if (!arg) throw new UsageError(`usage: chronos clients ${sub} ID ${what}`); return arg; };
  const env = await resolveAdminEnvironment();
  const checkDestination = (url: string) => checkWebhookDestination(url, { allowPrivateTargets: allowsPrivateWebhookTargets({ embedded: env.embedded, env: process.env }) });
  const pool = createPool({ connectionString: env.databaseUrl, max: 2 });
  const db = createDb(pool);
  try {
    switch (sub) {
      case 'create': {
        const name = values.name;
        if (typeof name !== 'string' || !name.trim()) throw new UsageError('usage: chronos clients create --name NAME [--scopes wallet,mint,transfer,claim] [--webhook-url URL] [--signer 0x…] [--rate-limit general=100,…] [--token 0x…]');
        if (typeof values['webhook-url'] === 'string') await checkDestination(values['webhook-url']);
        // Everything is checked before a token is deployed, so a refused command costs nothing on-chain.
        const scopes = typeof values.scopes === 'string' ? parseScopes(values.scopes) : undefined;
        const rateLimits = typeof values['rate-limit'] === 'string' ? parseRateLimits(values['rate-limit']) : undefined;
        const signerAddress = typeof values.signer === 'string' ? values.signer : undefined;
        if (signerAddress !== undefined && !isAddress(signerAddress)) throw new UsageError(`signer '${signerAddress}' is not an address`);
        const shared = typeof values.token === 'string' ? values.token : undefined;
        if (shared !== undefined && !isAddress(shared)) throw new UsageError(`--token '${shared}' is not an address`);
        if (shared !== undefined) process.stderr.write(`chronos: ${sharedTokenWarning(getAddress(shared))}\n`);
        // Deployed before the row is written: a client never exists without its token.
        const deployed = shared === undefined ? await deployTokenFor(env, signerAddress ? getAddress(signerAddress) : undefined) : undefined;
        const created = await admin.createClient(db, {
          name,
          scopes,
          webhookUrl: typeof values['webhook-url'] === 'string' ? values['webhook-url'] : undefined,
          signerAddress,
          rateLimits,
          tokenAddress: deployed?.token ?? shared,
        });
        const signer: SignerAuthorization | undefined = deployed?.signerTxHash
          ? { authorized: true, txHash: deployed.signerTxHash }
          : created.client.signerAddress ? await authorize(env, created.client.signerAddress as Address, created.client.tokenAddress as Address) : undefined;
        out.result({ ...created.client, clientSecret: created.clientSecret, webhookSecret: created.webhookSecret, ...(signer && { signerAuthorization: signer }) }, [
          `client created: ${created.client.clientId} (${created.client.name})`,
          `  clientSecret:  ${created.clientSecret}   (shown once; store it now)`,
          `  webhookSecret: ${created.webhookSecret}`,
          `  scopes:        ${created.client.scopes.join(',')}`,
          `  token:         ${created.client.tokenAddress}${deployed ? ' (deployed for this client)' : ' (shared)'}`,
          ...(signer ? [describeAuthorization(signer)] : []),
        ]);
        return;
      }
      case 'list': {
        const clients = await admin.listClientViews(db);
        out.result({ clients }, clients.length ? clients.map(line) : ['no clients']);
        return;
      }
      case 'show': {
        const client = await admin.showClient(db, needId());
        out.result(client, Object.entries(client).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`));
        return;
      }
      case 'revoke': {
        const client = await admin.revokeClient(db, needId());
        out.result(client, [`client ${client.clientId} revoked; its tokens stop working within seconds`]);
        return;
      }
      case 'unrevoke': {
        const client = await admin.unrevokeClient(db, needId());
        out.result(client, [`client ${client.clientId} is live again; tokens issued before now stay refused`]);
        return;
      }
      case 'rotate-secret': {
        const { client, clientSecret } = await admin.rotateClientSecret(db, needId());
        if (env.embedded) await recordDemoClientSecrets(chronosHome(), client.clientId, { clientSecret });
        out.result({ ...client, clientSecret }, [`new clientSecret for ${client.clientId}: ${clientSecret}   (shown once)`]);
        return;
      }
      case 'rotate-webhook-secret': {
        const { client, webhookSecret, previousSecretValidUntil } = await admin.rotateWebhookSecret(db, needId());
        if (env.embedded) await recordDemoClientSecrets(chronosHome(), client.clientId, { webhookSecret });
        out.result({ ...client, webhookSecret, previousSecretValidUntil }, [
          `new webhookSecret for ${client.clientId}: ${webhookSecret}`,
          `deliveries carry both signatures until ${previousSecretValidUntil}`,
        ]);
        return;
      }
      case 'set-webhook': {
        const url = needArg('URL');
        if (url !== 'none') await checkDestination(url);
        const client = await admin.setWebhook(db, needId(), url === 'none' ? null : url);
        out.result(client, [`webhook of ${client.clientId}: ${client.webhookUrl ?? 'none'}`]);
        return;
      }
      case 'set-scopes': {
        const client = await admin.setScopes(db, needId(), parseScopes(needArg('wallet,mint,transfer,claim')));
        out.result(client, [`scopes of ${client.clientId}: ${client.scopes.join(',')}`]);
        return;
      }
      case 'set-rate-limit': {
        const client = await admin.setRateLimits(db, needId(), parseRateLimits(needArg('general=100,minting=10,external=30,auth=5')));
        out.result(client, [`rate limits of ${client.clientId}: ${JSON.stringify(client.rateLimits)}`]);
        return;
      }
      case 'set-signer': {
        const client = await admin.setSigner(db, needId(), needArg('0xADDRESS'));
        const signer = await authorize(env, client.signerAddress as Address, (client.tokenAddress ?? undefined) as Address | undefined);
        out.result({ ...client, signerAuthorization: signer }, [`signer of ${client.clientId}: ${client.signerAddress}`, describeAuthorization(signer)]);
        return;
      }
      default:
        throw new UsageError(`unknown clients command '${sub}'; use one of: ${SUBCOMMANDS}`);
    }
  } finally {
    await db.destroy();
  }
}

/** Authorizes the signer on the client's token (`token`), or on the shared TOKEN_ADDRESS for a client without its own. */
async function authorize(env: AdminEnvironment, signer: Address, token: Address | undefined): Promise<SignerAuthorization> {
  const on = token ?? env.chain?.token;
  if (!env.chain || !on) {
    return { authorized: false, instruction: `set RPC_URL, CHAIN_ID${token ? '' : ' and TOKEN_ADDRESS'} (and DEPLOYER_PRIVATE_KEY) to authorize ${signer} on ChronosToken${token ? ` ${token}` : ''}, or call setSigner(${signer}, true) as its owner` };
  }
  return authorizeSigner({ rpcUrl: env.chain.rpcUrl, chainId: env.chain.chainId, token: on, signer, ownerPrivateKey: env.deployerPrivateKey });
}

async function deployTokenFor(env: AdminEnvironment, signer: Address | undefined): Promise<ClientToken> {
  if (!env.chain || !env.deployerPrivateKey) throw new UsageError(NO_DEPLOYER_KEY);
  return deployClientToken(createDeployerClient({ rpcUrl: env.chain.rpcUrl, chainId: env.chain.chainId, privateKey: env.deployerPrivateKey }), { signer });
}

function describeAuthorization(a: SignerAuthorization): string {
  return a.authorized ? `  signer authorized on ChronosToken (tx ${a.txHash})` : `  signer NOT yet authorized on-chain: ${a.instruction}`;
}

function line(c: admin.ClientView): string {
  return `${c.clientId}  ${c.name}  scopes=${c.scopes.join(',')}${c.revoked ? '  REVOKED' : ''}${c.webhookUrl ? `  webhook=${c.webhookUrl}` : ''}`;
}
