// `chronos clients …`: register and manage the web2 backends that call the API. Each subcommand's
// code lives in clients/<name>.ts and is imported only when that subcommand runs.
import type { CommandGroup } from '../command.js';
import { ADMIN_ENVIRONMENT_HELP } from '../admin-environment.js';

const SIGNER_DETAILS =
  "The CLI authorizes the signer on the client's ChronosToken: on the embedded chain always, elsewhere when DEPLOYER_PRIVATE_KEY (the token owner) is set; otherwise it prints the setSigner(signer, true) call the owner must make.";
const TOKEN_DETAILS =
  "Each client gets its own ChronosToken, deployed with the deployer key (the embedded chain's, elsewhere DEPLOYER_PRIVATE_KEY with RPC_URL and CHAIN_ID); without a key, pass --token. --token shares an existing token deliberately (with a warning): clients on one token can each mint it and share one namespace of receipt ids.";

export const clientsCommand: CommandGroup = {
  name: 'clients',
  summary: 'register and manage API clients',
  details: ADMIN_ENVIRONMENT_HELP,
  subcommands: [
    {
      name: 'create',
      summary: 'register a client; prints its clientSecret and webhookSecret once',
      options: {
        name: { type: 'string', placeholder: 'NAME', required: true, description: 'display name' },
        scopes: {
          type: 'string',
          placeholder: 'LIST',
          description: 'comma-separated scopes among wallet,mint,transfer,claim,payments,certificates (default: all)',
        },
        'webhook-url': { type: 'string', placeholder: 'URL', description: 'http(s) URL that receives signed transaction events' },
        signer: { type: 'string', placeholder: '0xADDRESS', description: 'the mint-authorization signer of this client' },
        'rate-limit': {
          type: 'string',
          placeholder: 'SPEC',
          description: 'per-minute overrides, e.g. general=100,minting=10,external=30,auth=5 (auth: per 5 min)',
        },
        token: { type: 'string', placeholder: '0xADDRESS', description: "share this existing ChronosToken instead of deploying the client's own" },
      },
      details: ['The client secret is stored only as an scrypt hash: store it when it is shown.', TOKEN_DETAILS, SIGNER_DETAILS, ...ADMIN_ENVIRONMENT_HELP],
      examples: ['chronos clients create --name acme --signer 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --webhook-url https://acme.example/hooks'],
      load: () => import('./clients/create.js'),
    },
    {
      name: 'list',
      summary: 'list every client (never its secrets)',
      details: ADMIN_ENVIRONMENT_HELP,
      load: () => import('./clients/list.js'),
    },
    {
      name: 'show',
      summary: "show one client's settings (never its secrets)",
      args: ['ID'],
      details: ADMIN_ENVIRONMENT_HELP,
      load: () => import('./clients/show.js'),
    },
    {
      name: 'revoke',
      summary: 'revoke a client; its tokens stop working within seconds',
      args: ['ID'],
      details: ADMIN_ENVIRONMENT_HELP,
      load: () => import('./clients/revoke.js'),
    },
    {
      name: 'unrevoke',
      summary: 'take a revoked client back into service (same id, secret and wallets)',
      args: ['ID'],
      details: [
        'Tokens issued before the unrevoke stay refused, so a token that leaked before the revocation does not come back to life.',
        ...ADMIN_ENVIRONMENT_HELP,
      ],
      load: () => import('./clients/unrevoke.js'),
    },
    {
      name: 'rotate-secret',
      summary: 'issue a new clientSecret, shown once; the old one and tokens issued with it stop working',
      args: ['ID'],
      details: ADMIN_ENVIRONMENT_HELP,
      load: () => import('./clients/rotate-secret.js'),
    },
    {
      name: 'rotate-webhook-secret',
      summary: 'issue a new webhookSecret; deliveries carry both signatures for 24 h',
      args: ['ID'],
      details: ADMIN_ENVIRONMENT_HELP,
      load: () => import('./clients/rotate-webhook-secret.js'),
    },
    {
      name: 'set-webhook',
      summary: "set the client's webhook URL (none removes it)",
      args: ['ID', 'URL'],
      details: [
        'URL is an http(s) URL, or none. Outside the embedded default it must resolve to public addresses unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true.',
        ...ADMIN_ENVIRONMENT_HELP,
      ],
      examples: ['chronos clients set-webhook client_01J… https://acme.example/hooks'],
      load: () => import('./clients/set-webhook.js'),
    },
    {
      name: 'set-scopes',
      summary: "replace the client's scopes",
      args: ['ID', 'LIST'],
      details: ['LIST is comma-separated among wallet,mint,transfer,claim,payments,certificates.', ...ADMIN_ENVIRONMENT_HELP],
      examples: ['chronos clients set-scopes client_01J… wallet,mint'],
      load: () => import('./clients/set-scopes.js'),
    },
    {
      name: 'set-rate-limit',
      summary: "override some of the client's rate limits (in effect within ~2 s)",
      args: ['ID', 'SPEC'],
      details: [
        'SPEC is category=limit,… among general, minting, external (per minute) and auth (per 5 minutes); categories left out keep their value.',
        ...ADMIN_ENVIRONMENT_HELP,
      ],
      examples: ['chronos clients set-rate-limit client_01J… general=500,minting=50'],
      load: () => import('./clients/set-rate-limit.js'),
    },
    {
      name: 'set-signer',
      summary: "set the client's mint signer and authorize it on ChronosToken",
      args: ['ID', 'ADDRESS'],
      details: [SIGNER_DETAILS, ...ADMIN_ENVIRONMENT_HELP],
      load: () => import('./clients/set-signer.js'),
    },
    {
      name: 'set-withdrawal-allowlist',
      summary: 'set the addresses its users may withdraw to (- allows any; in effect within ~2 s)',
      args: ['ID', 'LIST'],
      details: ['LIST is comma-separated addresses (0xA,0xB), or - to allow any destination.', ...ADMIN_ENVIRONMENT_HELP],
      examples: ['chronos clients set-withdrawal-allowlist client_01J… 0x1111…,0x2222…', 'chronos clients set-withdrawal-allowlist client_01J… -'],
      load: () => import('./clients/set-withdrawal-allowlist.js'),
    },
    {
      name: 'enable-certificates',
      summary: "deploy the client's own ChronosCertificate, for a client registered without one",
      args: ['ID'],
      details: [
        '`clients create` deploys it when the deployer key and MASTER_KEY are at hand; this does it later. The contract trusts the issuer key Chronos derives from MASTER_KEY for this client alone.',
        ...ADMIN_ENVIRONMENT_HELP,
      ],
      examples: ['chronos clients enable-certificates client_01J…'],
      load: () => import('./clients/enable-certificates.js'),
    },
    {
      name: 'set-withdrawal-limit',
      summary: 'set what one user may withdraw per period (- lifts it; in effect within ~2 s)',
      args: ['ID', 'LIMIT'],
      details: [
        'LIMIT is AMOUNT/PERIOD: AMOUNT in token units, PERIOD daily, weekly or monthly (UTC, weeks from Monday); - lifts the limit.',
        ...ADMIN_ENVIRONMENT_HELP,
      ],
      examples: ['chronos clients set-withdrawal-limit client_01J… 500/daily'],
      load: () => import('./clients/set-withdrawal-limit.js'),
    },
    {
      name: 'set-withdrawal-destinations',
      summary: 'linked: its users may withdraw only to wallets they linked; any: to any address (in effect within ~2 s)',
      args: ['ID', 'MODE'],
      details: [
        'MODE is linked or any. A wallet is linked with POST /api/v1/wallets/connect (README, Connected wallets); the allowlist, when set, applies as well.',
        ...ADMIN_ENVIRONMENT_HELP,
      ],
      examples: ['chronos clients set-withdrawal-destinations client_01J… linked'],
      load: () => import('./clients/set-withdrawal-destinations.js'),
    },
  ],
};
