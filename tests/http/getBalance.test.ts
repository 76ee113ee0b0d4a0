import request from 'supertest';
import { erc20Abi, parseEther, getAddress, type Address } from 'viem';
import { privateKeyToAccount, generatePrivateKey } from 'viem/accounts';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { chronosTokenAbi } from '../../src/chain/contracts/abi.js';
import { setTokenSigner } from '../../src/chain/contracts/deploy.js';
import { mintMessageHash } from '../../src/operations/mint/message-hash.js';
import { withTestDeployer } from '../support/client-tokens.js';

let t: TestApp;
let client: TestClient;
let token: string;

beforeAll(async () => {
  t = await createTestApp();
  client = await t.createClient();
  token = await t.tokenFor(client);
});
afterAll(() => t.close());

const balance = (userId: string) => request(t.app).get('/api/v1/wallet/balance').set('Authorization', `Bearer ${token}`).set('X-User-Id', userId);

/** Puts tokens of the client's own token in a wallet outside Chronos: an EOA mints to itself (only a recipient may submit its mint), then transfers. */
async function mintOnChain(to: Address, amount: bigint, receiptId: string) {
  const token = client.tokenAddress;
  await withTestDeployer(async (deployer) => {
    const self = deployer.account.address;
    const signer = privateKeyToAccount(generatePrivateKey());
    await setTokenSigner(deployer, { token, signer: signer.address, authorized: true });
    const expiryBlock = (await t.ctx.publicClient.getBlockNumber({ cacheTime: 0 })) + 100n;
    const nonce = await t.ctx.publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'nonces', args: [self] });
    const hash = mintMessageHash({ token, chainId: t.config.chain.chainId, to: self, receiptId, amount, expiryBlock, nonce });
    const signature = await signer.signMessage({ message: { raw: hash } });
    await t.ctx.publicClient.waitForTransactionReceipt({
      hash: await deployer.writeContract({
        address: token,
        abi: chronosTokenAbi,
        functionName: 'mintWithSignature',
        args: [self, receiptId, amount, expiryBlock, nonce, signature],
      }),
    });
    await t.ctx.publicClient.waitForTransactionReceipt({
      hash: await deployer.writeContract({ address: token, abi: erc20Abi, functionName: 'transfer', args: [to, amount] }),
    });
  });
}

describe('GET /api/v1/wallet/balance', () => {
  it('answers 404 WALLET_NOT_FOUND before the wallet is created', async () => {
    expectError(await balance('nobody'), 404, 'WALLET_NOT_FOUND');
  });

  it('reads the balance on-chain, in token units without trailing zeros', async () => {
    const created = await request(t.app).post('/api/v1/wallet/create').set('Authorization', `Bearer ${token}`).set('X-User-Id', 'rich');
    const address = getAddress(created.body.address);
    expect((await balance('rich')).body).toEqual({ balance: '0' });
    await mintOnChain(address, parseEther('1000'), `r-${Date.now()}-a`);
    expect((await balance('rich')).body).toEqual({ balance: '1000' });
    await mintOnChain(address, parseEther('0.5'), `r-${Date.now()}-b`);
    expect((await balance('rich')).body).toEqual({ balance: '1000.5' });
    await mintOnChain(address, 1n, `r-${Date.now()}-c`);
    expect((await balance('rich')).body).toEqual({ balance: '1000.500000000000000001' });
  });

  it('requires the wallet scope and a user id', async () => {
    const limited = await t.createClient({ scopes: ['mint'] });
    const res = await request(t.app)
      .get('/api/v1/wallet/balance')
      .set('Authorization', `Bearer ${await t.tokenFor(limited)}`)
      .set('X-User-Id', 'rich');
    expectError(res, 403, 'FORBIDDEN');
    expectError(await request(t.app).get('/api/v1/wallet/balance').set('Authorization', `Bearer ${token}`), 400, 'VALIDATION_ERROR');
  });

  it('refuses unknown query parameters', async () => {
    expectError(await balance('rich').query({ foo: 'bar' }), 400, 'VALIDATION_ERROR');
  });
});
