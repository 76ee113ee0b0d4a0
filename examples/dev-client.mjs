// The Chronos the examples talk to: the demo client `npm start` wrote to .chronos/dev.json, or your own
// (CHRONOS_URL, CLIENT_ID, CLIENT_SECRET, SIGNER_KEY).
import { readFileSync } from 'node:fs';
import { Chronos } from '@chronos/sdk';
import { privateKeyToAccount } from 'viem/accounts';

const dev = (() => {
  try {
    return JSON.parse(readFileSync('.chronos/dev.json', 'utf8'));
  } catch {
    if (process.env.CHRONOS_URL) return undefined;
    throw new Error('no .chronos/dev.json here: run this from the project folder while `npm start` runs, or set CHRONOS_URL, CLIENT_ID and CLIENT_SECRET');
  }
})();

export const chronos = new Chronos({
  baseUrl: process.env.CHRONOS_URL ?? dev.apiUrl,
  clientId: process.env.CLIENT_ID ?? dev.demoClient.clientId,
  clientSecret: process.env.CLIENT_SECRET ?? dev.demoClient.clientSecret,
});

/** The client's registered mint signer (only needed to mint). */
export const signer = () => privateKeyToAccount(process.env.SIGNER_KEY ?? dev.demoClient.signerPrivateKey);
