import { formatEther } from 'viem';
import { chronosPaymasterAbi } from '../../../chain/contracts/abi.js';
import { readPaymasterDeposit } from '../../../chain/paymaster-deposit.js';
import { describeWei } from '../../amount.js';
import type { CommandInput } from '../../command.js';
import { connectPaymaster } from './connect.js';

export async function run({ out }: CommandInput): Promise<void> {
  const { publicClient, paymaster, deployer, chain, embedded } = await connectPaymaster();
  const read = (functionName: 'entryPoint' | 'verifyingSigner' | 'owner') =>
    publicClient.readContract({ address: paymaster, abi: chronosPaymasterAbi, functionName });
  const [deposit, entryPoint, verifyingSigner, owner] = await Promise.all([
    readPaymasterDeposit(publicClient, paymaster),
    read('entryPoint'),
    read('verifyingSigner'),
    read('owner'),
  ]);
  const deployerBalance = deployer ? await publicClient.getBalance({ address: deployer.account.address }) : undefined;
  const line = (label: string, value: string) => `${`${label}:`.padEnd(18)}${value}`;
  out.result(
    {
      paymaster,
      entryPoint,
      depositWei: deposit.toString(),
      depositEther: formatEther(deposit),
      verifyingSigner,
      owner,
      ...(deployer && {
        deployer: deployer.account.address,
        deployerBalanceWei: deployerBalance!.toString(),
        deployerBalanceEther: formatEther(deployerBalance!),
      }),
      chainId: chain.chainId,
      embedded,
    },
    [
      line('paymaster', paymaster),
      line('EntryPoint', entryPoint),
      line('deposit', describeWei(deposit)),
      line('verifying signer', verifyingSigner),
      line('owner', owner),
      ...(deployer ? [line('deployer', `${deployer.account.address}, balance ${describeWei(deployerBalance!)}`)] : []),
      line('chain', `${chain.chainId} (${embedded ? 'embedded, from .chronos/dev.json' : chain.rpcUrl})`),
    ],
  );
}
