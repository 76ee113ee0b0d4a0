// Link an external wallet to a user with Sign-In with Ethereum, through the SDK: Chronos issues the
// message, the wallet signs it (here a key derived from the user id stands in for the user's browser
// wallet), Chronos verifies it and records the link. Then a withdrawal to the linked wallet, its
// balance read through the link, and the link removed.
//   node examples/connect-wallet.mjs alice
import { keccak256, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { chronos } from './dev-client.mjs';

const [userId = 'alice'] = process.argv.slice(2);
const user = chronos.user(userId);
const wallet = privateKeyToAccount(keccak256(toHex(`chronos example wallet of ${userId}`)));

// nonce → wallet.signMessage(message) → connect; a browser wallet signs the same message with personal_sign.
const link = await user.wallets.link(wallet.address, wallet);
console.log(JSON.stringify(link));
console.log(`${(await user.wallets.list()).length} linked wallet(s)`);

const withdrawal = await user.payments.withdraw({ to: wallet.address, amount: '2', idempotencyKey: `withdraw-to-linked-${userId}` });
console.log(JSON.stringify(await withdrawal.wait({ timeoutMs: 120_000 })));
const { balances } = await user.wallets.balance(wallet.address);
console.log(JSON.stringify(balances.map(({ symbol, balance }) => ({ symbol, balance }))));

console.log(JSON.stringify(await user.wallets.disconnect(wallet.address)));
