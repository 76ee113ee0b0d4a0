// Mint tokens to a user with the SDK: prepare → sign with the client's signer → execute, then wait.
// From the project folder while `npm start` runs (build the SDK once: npm run build -w sdk):
//   node examples/mint.mjs alice 100
import { parseEther } from 'viem';
import { chronos, signer } from './dev-client.mjs';

const [userId = 'alice', tokens = '100'] = process.argv.slice(2);
const user = chronos.user(userId);

const tx = await user.mint({ receiptId: `order-${Date.now()}`, amount: parseEther(tokens), sign: signer() });
console.log(`accepted ${tx.transactionId}`);
console.log(JSON.stringify(await tx.wait({ timeoutMs: 120_000 })));
console.log(`${userId} now holds ${(await user.balance()).balance} tokens`);
