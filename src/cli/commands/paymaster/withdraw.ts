import { formatEther, isAddress, isAddressEqual, type Address } from 'viem';
import { waitForTransactionReceipt, writeContract } from 'viem/actions';
import { chronosPaymasterAbi } from '../../../chain/contracts/abi.js';
import { readPaymasterDeposit } from '../../../chain/paymaster-deposit.js';
import { describeWei, parseEthAmount } from '../../amount.js';
import { UsageError } from '../../output.js';
import type { CommandInput } from '../../command.js';
import { connectPaymasterAsDeployer } from './connect.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  // Parsed before connecting: a typo should not need a chain.
  const amount = parseEthAmount(args.AMOUNT);
  if (!isAddress(args.TO)) throw new UsageError(`TO must be an address (0x + 40 hex characters, checksummed if mixed-case), not '${args.TO}'`);
  const to = args.TO as Address;
  const { publicClient, paymaster, deployer } = await connectPaymasterAsDeployer();
  const from = deployer.account.address;
  // Both checked before sending: a reverted withdrawTo would still cost gas and say only "reverted".
  const owner = await publicClient.readContract({ address: paymaster, abi: chronosPaymasterAbi, functionName: 'owner' });
  if (!isAddressEqual(owner, from))
    throw new Error(`only the paymaster's owner ${owner} can withdraw, and DEPLOYER_PRIVATE_KEY is ${from}'s; nothing was sent`);
  const before = await readPaymasterDeposit(publicClient, paymaster);
  if (amount > before) throw new Error(`the paymaster's deposit is ${describeWei(before)}, less than the ${describeWei(amount)} to withdraw; nothing was sent`);
  const transactionHash = await writeContract(deployer, { address: paymaster, abi: chronosPaymasterAbi, functionName: 'withdrawTo', args: [to, amount] });
  const receipt = await waitForTransactionReceipt(deployer, { hash: transactionHash });
  if (receipt.status !== 'success') throw new Error(`withdrawTo(${to}, ${amount}) on the paymaster ${paymaster} reverted in transaction ${transactionHash}`);
  const deposit = await readPaymasterDeposit(publicClient, paymaster);
  out.result({ transactionHash, paymaster, to, amountWei: amount.toString(), depositWei: deposit.toString(), depositEther: formatEther(deposit) }, [
    `withdrew ${describeWei(amount)} from the paymaster ${paymaster} to ${to} in transaction ${transactionHash}`,
    `deposit is now ${describeWei(deposit)}`,
  ]);
}
