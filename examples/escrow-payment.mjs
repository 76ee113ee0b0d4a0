// Pay another user through an escrow with the SDK: the intent is funded from the payer's account in one
// sponsored operation (approve + fund), then released to the payee; then a withdrawal to an external
// address. Keys derived from the payer make a second run for the same payer reach the same operations.
//   node examples/escrow-payment.mjs alice
import { chronos } from './dev-client.mjs';

const [payerId = 'alice'] = process.argv.slice(2);
const payer = chronos.user(payerId);
const payee = chronos.user(`${payerId}-payee`);
await payee.createWallet();

const intent = await payer.payments.createIntent({
  amount: '20',
  payeeUserId: payee.userId,
  metadata: { description: 'Task payment', durationSeconds: 86_400 },
  idempotencyKey: `intent-${payerId}`,
});
await intent.funding.wait({ timeoutMs: 120_000 });
console.log(`intent ${(await chronos.payments.intent(intent.intentId)).status}`);

const release = await payer.payments.release(intent.escrowId, { idempotencyKey: `release-${payerId}` });
console.log(JSON.stringify(await release.wait({ timeoutMs: 120_000 })));
console.log(`intent ${(await chronos.payments.intent(intent.intentId)).status}; the payee holds ${(await payee.balance()).balance}`);

const withdrawal = await payer.payments.withdraw({ to: '0x000000000000000000000000000000000000dEaD', amount: '5', idempotencyKey: `withdraw-${payerId}` });
console.log(JSON.stringify(await withdrawal.wait({ timeoutMs: 120_000 })));
console.log(JSON.stringify((await payer.balances()).balances.map(({ symbol, balance, available }) => ({ symbol, balance, available }))));
