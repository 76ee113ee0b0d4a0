// Each client issues certificates on its own ChronosCertificate (README, Certificates): `clients
// create` (or `clients enable-certificates`) deploys one, owned by the deployer key, and authorizes
// the client's issuer key on it alone, so no other client can issue or revoke there.
import { waitForTransactionReceipt, writeContract } from 'viem/actions';
import type { Address, Hex } from 'viem';
import { chronosCertificateAbi } from '../chain/contracts/abi.js';
import { deployChronosContract, type DeployerClient } from '../chain/contracts/deploy.js';
import { chronosContract } from '../chain/contracts/registry.js';
import { certificateIssuerAddress } from '../accounts/certificate-issuer.js';

export type ClientCertificate = { certificate: Address; issuer: Address };

/** Deploys a ChronosCertificate for one client and authorizes the issuer key MASTER_KEY derives for it. */
export async function deployClientCertificate(
  deployer: DeployerClient,
  { masterKey, clientId }: { masterKey: Hex; clientId: string },
): Promise<ClientCertificate> {
  const certificate = await deployChronosContract(deployer, chronosContract('certificate'), { owner: deployer.account.address });
  const issuer = certificateIssuerAddress(masterKey, clientId);
  const hash = await writeContract(deployer, { address: certificate, abi: chronosCertificateAbi, functionName: 'setSigner', args: [issuer, true] });
  const receipt = await waitForTransactionReceipt(deployer, { hash });
  if (receipt.status !== 'success') throw new Error(`setSigner(${issuer}, true) on ChronosCertificate ${certificate} reverted in transaction ${hash}`);
  return { certificate, issuer };
}
