// Mint tokens to a user through Chronos: prepare → sign the messageHash with the client's signer → execute → poll.
// Run from the project folder while `npm start` is running:  node examples/mint.mjs alice 100
// (Uses .chronos/dev.json for the demo client; set CHRONOS_URL, CLIENT_ID, CLIENT_SECRET, SIGNER_KEY to use your own.)
import { readFileSync } from 'node:fs';
import { encodeAbiParameters, keccak256, parseAbiParameters, parseEther } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';

const dev = (() => {
  try {
    return JSON.parse(readFileSync('.chronos/dev.json', 'utf8'));
  } catch {
    return undefined;
  }
})();
const api = process.env.CHRONOS_URL ?? dev.apiUrl;
const clientId = process.env.CLIENT_ID ?? dev.demoClient.clientId;
const clientSecret = process.env.CLIENT_SECRET ?? dev.demoClient.clientSecret;
const signer = privateKeyToAccount(process.env.SIGNER_KEY ?? dev.demoClient.signerPrivateKey);
const [userId = 'alice', tokens = '100'] = process.argv.slice(2);

async function call(method, path, { token, body } = {}) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'x-user-id': userId, ...(token && { authorization: `Bearer ${token}` }) },
    body: body && JSON.stringify(body),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return { ...json, retryAfterSeconds: Number(res.headers.get('retry-after') ?? 0) };
}

// 1. An access token (cache it for its `expiresIn` seconds in a real backend).
const { token } = await call('POST', '/api/v1/auth/token', { body: { clientId, clientSecret } });

// 2. The user's smart account (idempotent).
const { address } = await call('POST', '/api/v1/wallet/create', { token });

// 3. Signing data for this receipt.
const receiptId = `order-${Date.now()}`;
const amount = parseEther(tokens); // mint amounts are in wei
const { contractAddress, chainId, expiryBlock, nonce } = await call('POST', '/api/v1/mint/prepare', { token, body: { receiptId, userAddress: address } });

// 4. messageHash = keccak256(abi.encode(contractAddress, chainId, userAddress, receiptId, amount, expiryBlock, nonce)),
//    signed EIP-191 style ("\x19Ethereum Signed Message:\n32" ‖ messageHash).
const messageHash = keccak256(
  encodeAbiParameters(parseAbiParameters('address, uint256, address, string, uint256, uint256, uint256'), [
    contractAddress,
    BigInt(chainId),
    address,
    receiptId,
    amount,
    BigInt(expiryBlock),
    BigInt(nonce),
  ]),
);
const signature = await signer.signMessage({ message: { raw: messageHash } });

// 5. Execute: 202 Accepted; the UserOperation is built, sponsored and sent asynchronously.
const { transactionId } = await call('POST', '/api/v1/mint/execute', {
  token,
  body: { receiptId, amount: amount.toString(), signature, expiryBlock, nonce },
});
console.log(`accepted ${transactionId}`);

// 6. Poll until a terminal status, as often as Retry-After says (a webhook tells you first when one is configured).
for (;;) {
  const { retryAfterSeconds, ...tx } = await call('GET', `/api/v1/transactions/${transactionId}`, { token });
  if (['CONFIRMED', 'REVERTED', 'FAILED', 'EXPIRED'].includes(tx.status)) {
    console.log(JSON.stringify(tx));
    break;
  }
  await new Promise((r) => setTimeout(r, (retryAfterSeconds || 1) * 1000));
}
const { balance } = await call('GET', '/api/v1/wallet/balance', { token });
console.log(`${userId} now holds ${balance} tokens`);
