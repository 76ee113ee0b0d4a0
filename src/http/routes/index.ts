// Every HTTP operation, one file each, named after its operationId in openapi.json.
import type { Route } from '../route.js';
import { createToken } from './createToken.js';
import { createWallet } from './createWallet.js';
import { getBalance } from './getBalance.js';
import { transferTokens } from './transferTokens.js';
import { payoutTokens } from './payoutTokens.js';
import { prepareMint } from './prepareMint.js';
import { executeMint } from './executeMint.js';
import { executeClaim } from './executeClaim.js';
import { getTransactionStatus } from './getTransactionStatus.js';
import { listTransactions } from './listTransactions.js';
import { exportTransactions } from './exportTransactions.js';
import { checkQuota } from './checkQuota.js';
import { listWebhookDeliveries } from './listWebhookDeliveries.js';
import { redeliverWebhookDelivery } from './redeliverWebhookDelivery.js';
import { sendTestWebhook } from './sendTestWebhook.js';
import { getWalletBalances } from './getWalletBalances.js';
import { createPaymentIntent } from './createPaymentIntent.js';
import { getPaymentIntent } from './getPaymentIntent.js';
import { fundEscrow } from './fundEscrow.js';
import { releaseEscrow } from './releaseEscrow.js';
import { refundEscrow } from './refundEscrow.js';
import { createWithdrawal } from './createWithdrawal.js';
import { listPaymentTokens } from './listPaymentTokens.js';
import { estimateGas } from './estimateGas.js';
import { issueCertificate } from './issueCertificate.js';
import { verifyCertificate } from './verifyCertificate.js';
import { getCertificate } from './getCertificate.js';
import { revokeCertificate } from './revokeCertificate.js';
import { listUserCertificates } from './listUserCertificates.js';
import { getWalletConnectNonce } from './getWalletConnectNonce.js';
import { connectWallet } from './connectWallet.js';
import { disconnectWallet } from './disconnectWallet.js';
import { listConnectedWallets } from './listConnectedWallets.js';
import { getConnectedWalletBalance } from './getConnectedWalletBalance.js';

export const routes: Route[] = [
  createToken,
  createWallet,
  getBalance,
  getWalletBalances,
  transferTokens,
  payoutTokens,
  prepareMint,
  executeMint,
  executeClaim,
  // Before getTransactionStatus: Express would otherwise take /transactions/export for the id 'export'.
  exportTransactions,
  listTransactions,
  getTransactionStatus,
  checkQuota,
  listWebhookDeliveries,
  redeliverWebhookDelivery,
  sendTestWebhook,
  createPaymentIntent,
  getPaymentIntent,
  fundEscrow,
  releaseEscrow,
  refundEscrow,
  createWithdrawal,
  listPaymentTokens,
  estimateGas,
  issueCertificate,
  // Before getCertificate, as exportTransactions is before getTransactionStatus.
  verifyCertificate,
  getCertificate,
  revokeCertificate,
  listUserCertificates,
  getWalletConnectNonce,
  connectWallet,
  disconnectWallet,
  listConnectedWallets,
  getConnectedWalletBalance,
];
