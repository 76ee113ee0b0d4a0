// POST /api/v1/certificates/{id}/revoke against the real stack: an issued certificate is revoked
// on-chain with its reason, verify then reads it invalid and certificate.revoked arrives; it is revoked
// once (a second, or two racing, is a 409); one not yet issued is a 409; another client cannot revoke
// it (404); and one revoked outside Chronos reads invalid all the same.
import { getAddress, type Address, type Hex } from 'viem';
import { chronosCertificateAbi } from '../../src/chain/contracts/abi.js';
import { certificateIssuer } from '../../src/accounts/certificate-issuer.js';
import { revokeMessageHash } from '../../src/operations/certificate/message-hash.js';
import { expectError } from '../support/errors.js';
import { api, waitForTerminal } from '../support/operations.js';
import { withTestDeployer } from '../support/client-tokens.js';
import { fields, useCertificateWorld } from '../certificates/certificate-world.js';

const world = useCertificateWorld();

describe('revoking a certificate', () => {
  it('revokes it on-chain with its reason: verify reads invalid, the certificate reads revoked, certificate.revoked arrives', async () => {
    const { userId, address, certificateId, verificationHash } = await world.issued();
    const res = await world.revoke(userId, certificateId, { reason: 'Fraudulent completion' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ transactionId: expect.stringMatching(/^tx_/), status: 'ACCEPTED' });
    expect(await waitForTerminal(world.t, world.actor, res.body.transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'certificate_revoke' });

    const verified = await world.get(`/api/v1/certificates/verify/${verificationHash}`);
    expect(verified.body).toMatchObject({ valid: false, tokenId: BigInt(verificationHash).toString(), recipient: address });
    const got = await world.get(`/api/v1/certificates/${certificateId}`);
    expect(got.body).toMatchObject({
      status: 'revoked',
      isValid: false,
      revocation: { reason: 'Fraudulent completion', txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/), revokedAt: expect.any(String) },
    });
    const revoked = await world.event('certificate.revoked', certificateId);
    expect(revoked.data).toMatchObject({
      certificateId,
      reason: 'Fraudulent completion',
      transactionId: res.body.transactionId,
      tokenId: BigInt(verificationHash).toString(),
    });
    // Still listed, as revoked.
    const listed = await world.get(`/api/v1/users/${userId}/certificates`);
    expect(listed.body.certificates).toEqual([expect.objectContaining({ certificateId, status: 'revoked', isValid: false })]);
  });

  it('revokes once: a second revocation, or the loser of two racing, is 409 CERTIFICATE_ALREADY_REVOKED', async () => {
    const { userId, certificateId, verificationHash } = await world.issued();
    const [a, b] = await Promise.all([world.revoke(userId, certificateId, { reason: 'one' }), world.revoke(userId, certificateId, { reason: 'two' })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    expectError(a.status === 409 ? a : b, 409, 'CERTIFICATE_ALREADY_REVOKED');
    const winner = a.status === 202 ? a : b;
    expect(await waitForTerminal(world.t, world.actor, winner.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    // By its token id too, and from another user of the client's.
    const { userId: other } = await world.user();
    expectError(await world.revoke(other, BigInt(verificationHash).toString(), { reason: 'three' }), 409, 'CERTIFICATE_ALREADY_REVOKED');
  });

  it('refuses a certificate whose issue is still in flight (409 CERTIFICATE_NOT_ISSUED)', async () => {
    const { userId } = await world.user();
    // Without a worker to send it, the issue stays ACCEPTED.
    const { createTestApp } = await import('../support/test-app.js');
    const { createMintingClient, createWallet } = await import('../support/operations.js');
    const idle = await createTestApp();
    try {
      const actor = await createMintingClient(idle, { certificates: true });
      await createWallet(idle, actor, userId);
      const issued = await api(idle, actor, userId).post('/api/v1/certificates', { ...fields, verificationHash: world.newHash() });
      expect(issued.status).toBe(202);
      const res = await api(idle, actor, userId).post(`/api/v1/certificates/${issued.body.certificateId}/revoke`, { reason: 'too soon' });
      expectError(res, 409, 'CERTIFICATE_NOT_ISSUED');
    } finally {
      await idle.close();
    }
  });

  it("lets no other client revoke it: another client's request is 404 CERTIFICATE_NOT_FOUND and the certificate stays valid", async () => {
    const { certificateId, verificationHash } = await world.issued();
    const { userId: stranger } = await world.user(world.other);
    expectError(await world.revoke(stranger, certificateId, { reason: 'not mine' }, world.other), 404, 'CERTIFICATE_NOT_FOUND');
    expectError(await world.revoke(stranger, BigInt(verificationHash).toString(), { reason: 'not mine' }, world.other), 404, 'CERTIFICATE_NOT_FOUND');
    expect((await world.get(`/api/v1/certificates/verify/${verificationHash}`)).body).toMatchObject({ valid: true });
  });

  it('dry-runs a revocation named by params.certificateId (and an issue) through the gas estimate, recording nothing', async () => {
    const { userId, certificateId } = await world.issued();
    const estimate = (body: object) => api(world.t, world.actor, userId).post('/api/v1/payments/gas-estimate', body);
    const revoke = await estimate({ operation: 'certificate_revoke', params: { certificateId, reason: 'dry run' } });
    expect(revoke.status).toBe(200);
    expect(revoke.body).toMatchObject({ operation: 'certificate_revoke', wouldAccept: true });
    const issue = await estimate({ operation: 'certificate_issue', params: { ...fields, verificationHash: world.newHash() } });
    expect(issue.body).toMatchObject({ operation: 'certificate_issue', wouldAccept: true });
    expectError(await estimate({ operation: 'certificate_revoke', params: { reason: 'dry run' } }), 400, 'VALIDATION_ERROR');
    expect((await world.get(`/api/v1/certificates/${certificateId}`)).body).toMatchObject({ status: 'issued', isValid: true });
  });

  it('refuses a missing reason (400) and an unknown certificate (404)', async () => {
    const { userId, certificateId } = await world.issued();
    expectError(await world.revoke(userId, certificateId, {}), 400, 'VALIDATION_ERROR');
    expectError(await world.revoke(userId, certificateId, { reason: '' }), 400, 'VALIDATION_ERROR');
    expectError(await world.revoke(userId, 'cert_00000000000000000000000000', { reason: 'x' }), 404, 'CERTIFICATE_NOT_FOUND');
  });

  it('reads a certificate revoked outside Chronos as invalid, and refuses to revoke it again (409)', async () => {
    const { userId, certificateId, verificationHash } = await world.issued();
    const contract = getAddress(
      (await world.t.ctx.db.selectFrom('clients').select('certificate_address').where('id', '=', world.actor.client.clientId).executeTakeFirstOrThrow())
        .certificate_address!,
    ) as Address;
    // The issuer's own signature, submitted straight to the contract by another account.
    const tokenId = BigInt(verificationHash);
    await withTestDeployer(async (deployer) => {
      const signature: Hex = await certificateIssuer(world.t.config.masterKey, world.actor.client.clientId).signMessage({
        message: { raw: revokeMessageHash({ contract, chainId: world.t.config.chain.chainId, sender: deployer.account.address, tokenId, reason: 'by hand' }) },
      });
      const hash = await deployer.writeContract({
        address: contract,
        abi: chronosCertificateAbi,
        functionName: 'revoke',
        args: [tokenId, 'by hand', signature],
      });
      expect((await world.t.ctx.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
    });
    expect((await world.get(`/api/v1/certificates/verify/${verificationHash}`)).body).toMatchObject({ valid: false });
    expect((await world.get(`/api/v1/certificates/${certificateId}`)).body).toMatchObject({ status: 'issued', isValid: false });
    expectError(await world.revoke(userId, certificateId, { reason: 'again' }), 409, 'CERTIFICATE_ALREADY_REVOKED');
  });
});
