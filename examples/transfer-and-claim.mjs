// Move a user's tokens with the SDK: a transfer, then a claim (approve + lock in the ClaimVault in one
// UserOperation), each waited for to its outcome. Every write carries an idempotency key — here one
// derived from the user, so running this twice for the same user reaches the same two transactions.
//   node examples/transfer-and-claim.mjs alice
import { chronos } from './dev-client.mjs';

const [userId = 'alice'] = process.argv.slice(2);
const user = chronos.user(userId);

const transfer = await user.transfer({ to: '0x000000000000000000000000000000000000dEaD', amount: '12.5', idempotencyKey: `payout-${userId}` });
console.log(JSON.stringify(await transfer.wait({ timeoutMs: 120_000 })));
console.log(JSON.stringify(await user.balance()));

// A claim id is used once, ever: the same one again (under another key) answers 409 CLAIM_ALREADY_USED.
const claim = await user.claim({ claimId: `order-${userId}`, amount: '10', idempotencyKey: `claim-${userId}` });
console.log(JSON.stringify(await claim.wait({ timeoutMs: 120_000 })));
console.log(JSON.stringify(await user.balance()));
