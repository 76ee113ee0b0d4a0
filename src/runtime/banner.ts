import { CHRONOS_CONTRACTS } from '../chain/contracts/registry.js';
import type { DevFile } from './home.js';

/** What a newcomer needs after `npm start`: where things are, the demo credentials, a walk-through. */
export function printBanner(dev: DevFile): void {
  process.stdout.write(bannerText(dev));
}

export function bannerText(dev: DevFile): string {
  const c = dev.demoClient;
  const lines = [
    '',
    '  Chronos is running (embedded local stack)',
    '',
    `  API          ${dev.apiUrl}`,
    `  API docs     ${dev.apiUrl}/docs`,
    `  chain        ${dev.rpcUrl} (chain id ${dev.chainId})`,
    `  bundler      ${dev.bundlerUrl}`,
    ...CHRONOS_CONTRACTS.map((contract) => `  ${contract.label.padEnd(13)}${dev[contract.key]}`),
    '',
    '  Demo client (also in .chronos/dev.json)',
    `  clientId       ${c.clientId}`,
    `  clientSecret   ${c.clientSecret}`,
    `  webhookSecret  ${c.webhookSecret}`,
    `  signer         ${c.signerAddress} (private key in .chronos/dev.json)`,
    '',
    '  Try it:',
    `  TOKEN=$(curl -s -X POST ${dev.apiUrl}/api/v1/auth/token -H 'Content-Type: application/json' \\`,
    `    -d '{"clientId":"${c.clientId}","clientSecret":"${c.clientSecret}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')`,
    `  curl -s -X POST ${dev.apiUrl}/api/v1/wallet/create -H "Authorization: Bearer $TOKEN" -H 'X-User-Id: alice'`,
    `  curl -s ${dev.apiUrl}/api/v1/wallet/balance -H "Authorization: Bearer $TOKEN" -H 'X-User-Id: alice'`,
    '',
    '  Ctrl-C stops everything; the next `npm start` resumes with the same data.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
