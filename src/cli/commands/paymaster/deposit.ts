import { encodeFunctionData, formatEther } from 'viem';
import { chronosPaymasterAbi } from '../../../chain/contracts/abi.js';
import { depositToPaymaster } from '../../../chain/contracts/deploy.js';
import { readPaymasterDeposit } from '../../../chain/paymaster-deposit.js';
import { describeWei, parseEthAmount } from '../../amount.js';
import type { CommandInput } from '../../command.js';
import { connectPaymasterAsDeployer } from './connect.js';

export async function run({ out, args }: CommandInput): Promise<void> {
  // Parsed before connecting: a typo should not need a chain.
  const amount = parseEthAmount(args.AMOUNT);
  const { publicClient, paymaster, deployer } = await connectPaymasterAsDeployer();
  const from = deployer.account.address;
  // Checked here, not left to the node: its "insufficient funds" names neither the amount nor the key.
  const balance = await publicClient.getBalance({ address: from });
  if (balance < amount) throw new Error(`the deployer ${from} has ${describeWei(balance)}, less than the ${describeWei(amount)} to deposit; nothing was sent`);
  const gas = await publicClient.estimateGas({
    account: from,
    to: paymaster,
    value: amount,
    data: encodeFunctionData({ abi: chronosPaymasterAbi, functionName: 'deposit' }),
  });
  const { maxFeePerGas } = await publicClient.estimateFeesPerGas();
  const fee = gas * maxFeePerGas;
  if (balance < amount + fee) {
    throw new Error(
      `the deployer ${from} has ${describeWei(balance)}: not enough for ${describeWei(amount)} plus up to ${formatEther(fee)} ether of gas; nothing was sent`,
    );
  }
  const transactionHash = await depositToPaymaster(deployer, { paymaster, amount });
  const deposit = await readPaymasterDeposit(publicClient, paymaster);
  out.result({ transactionHash, paymaster, amountWei: amount.toString(), depositWei: deposit.toString(), depositEther: formatEther(deposit) }, [
    `deposited ${describeWei(amount)} to the paymaster ${paymaster} in transaction ${transactionHash}`,
    `deposit is now ${describeWei(deposit)}`,
  ]);
}
