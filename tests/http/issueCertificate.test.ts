// POST /api/v1/certificates and the reads, against the real stack: issue → CONFIRMED → the certificate
// reads issued and valid, verify by hash answers from the chain with the right recipient, the user's
// list pages; the same verificationHash twice is a 409 (also when two race); another client can read
// none of it; and the holder's transfer attempt reverts on-chain.
import { createWalletClient, getAddress, http, keccak256, parseEther, parseEventLogs, stringToHex, toHex, zeroAddress, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import request from 'supertest';
import { chronosCertificateAbi } from '../../src/chain/contracts/abi.js';
import { expectError } from '../support/errors.js';
import { waitForTerminal } from '../support/operations.js';
import { fields, useCertificateWorld } from '../certificates/certificate-world.js';

const world = useCertificateWorld();

const certificateOf = async (client = world.actor) =>
  (await world.t.ctx.db.selectFrom('clients').select('certificate_address').where('id', '=', client.client.clientId).executeTakeFirstOrThrow())
    .certificate_address as Address;

describe('issuing a certificate', () => {
  it('mints it to the user, reads issuing then issued with its tokenId and txHash, verifies valid, and sends certificate.minted', async () => {
    const { userId, address } = await world.user();
    const verificationHash = world.newHash();
    const res = await world.issue(userId, { ...fields, verificationHash });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      transactionId: expect.stringMatching(/^tx_/),
      status: 'ACCEPTED',
      certificateId: expect.stringMatching(/^cert_[0-9a-z]{26}$/),
      verificationHash,
    });
    const { certificateId, transactionId } = res.body;
    const pending = await world.get(`/api/v1/certificates/${certificateId}`);
    expect(pending.status).toBe(200);
    expect(pending.body).toMatchObject({ certificateId, tokenId: null, txHash: null, issuedAt: null, isValid: false });
    expect(['issuing', 'issued']).toContain(pending.body.status);

    expect(await waitForTerminal(world.t, world.actor, transactionId)).toMatchObject({ status: 'CONFIRMED', type: 'certificate_issue' });
    const tokenId = BigInt(verificationHash).toString();
    const issued = await world.get(`/api/v1/certificates/${certificateId}`);
    expect(issued.body).toEqual({
      certificateId,
      tokenId,
      recipient: address,
      userId,
      ...fields,
      verificationHash,
      dataHash: keccak256(stringToHex(JSON.stringify([fields.recipientName, fields.courseTitle, fields.courseId, fields.instructorName]))),
      contract: await certificateOf(),
      status: 'issued',
      transactionId,
      txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      issuedAt: expect.any(String),
      revocation: null,
      isValid: true,
      createdAt: expect.any(String),
    });
    // The same certificate by its token id.
    expect((await world.get(`/api/v1/certificates/${tokenId}`)).body).toEqual(issued.body);

    const verified = await world.get(`/api/v1/certificates/verify/${verificationHash}`);
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({
      valid: true,
      tokenId,
      recipient: address,
      courseTitle: fields.courseTitle,
      certificateId,
      dataHash: issued.body.dataHash,
      contract: issued.body.contract,
    });

    const onChain = await world.t.ctx.publicClient.readContract({
      address: issued.body.contract,
      abi: chronosCertificateAbi,
      functionName: 'ownerOf',
      args: [BigInt(tokenId)],
    });
    expect(onChain).toBe(address);
    const minted = await world.event('certificate.minted', certificateId);
    expect(minted.data).toMatchObject({ certificateId, tokenId, verificationHash, recipient: address, transactionId, userId, txHash: issued.body.txHash });
  });

  it('mints to `recipient` when given, listing it under the X-User-Id user', async () => {
    const { userId } = await world.user();
    const elsewhere = getAddress('0x4000000000000000000000000000000000000004');
    const res = await world.issue(userId, { ...fields, verificationHash: world.newHash(), recipient: elsewhere.toLowerCase() });
    expect(res.status).toBe(202);
    expect(await waitForTerminal(world.t, world.actor, res.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    const got = await world.get(`/api/v1/certificates/${res.body.certificateId}`);
    expect(got.body).toMatchObject({ recipient: elsewhere, userId, isValid: true });
  });

  it('answers 409 CERTIFICATE_ALREADY_ISSUED for a hash issued or being issued, and lets one of two concurrent issues through', async () => {
    const { userId } = await world.user();
    const verificationHash = world.newHash();
    const [a, b] = await Promise.all([world.issue(userId, { ...fields, verificationHash }), world.issue(userId, { ...fields, verificationHash })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    expectError(a.status === 409 ? a : b, 409, 'CERTIFICATE_ALREADY_ISSUED');
    const winner = a.status === 202 ? a : b;
    expect(await waitForTerminal(world.t, world.actor, winner.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    // Also from another user of the client's, and with the hash in upper case.
    const { userId: someoneElse } = await world.user();
    expectError(
      await world.issue(someoneElse, { ...fields, verificationHash: verificationHash.toUpperCase().replace('0X', '0x') }),
      409,
      'CERTIFICATE_ALREADY_ISSUED',
    );
    const rows = await world.t.ctx.db.selectFrom('transactions').select('status').where('certificate_hash', '=', verificationHash).execute();
    expect(rows).toEqual([{ status: 'CONFIRMED' }]);
  });

  it('issues a hash once across two API processes on one database: one 202, one 409', async () => {
    const { createPeerApp } = await import('../support/test-app.js');
    const peer = createPeerApp(world.t);
    try {
      const { userId } = await world.user();
      const body = { ...fields, verificationHash: world.newHash() };
      const viaPeer = request(peer.app).post('/api/v1/certificates').set('Authorization', `Bearer ${world.actor.token}`).set('X-User-Id', userId).send(body);
      const [a, b] = await Promise.all([world.issue(userId, body), viaPeer]);
      expect([a.status, b.status].sort()).toEqual([202, 409]);
      expectError(a.status === 409 ? a : b, 409, 'CERTIFICATE_ALREADY_ISSUED');
      const rows = await world.t.ctx.db.selectFrom('certificates').select('id').where('verification_hash', '=', body.verificationHash).execute();
      expect(rows).toHaveLength(1);
    } finally {
      await peer.close();
    }
  });

  it('replays an idempotent retry with the same certificate', async () => {
    const { userId } = await world.user();
    const body = { ...fields, verificationHash: world.newHash() };
    const first = await world.issue(userId, body, world.actor, { 'X-Idempotency-Key': `issue-${userId}` });
    const again = await world.issue(userId, body, world.actor, { 'X-Idempotency-Key': `issue-${userId}` });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('refuses bad input with VALIDATION_ERROR, writing nothing', async () => {
    const { userId } = await world.user();
    const before = await world.t.ctx.db
      .selectFrom('certificates')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    for (const body of [
      { ...fields, verificationHash: '0x1234' },
      { ...fields, verificationHash: `0x${'00'.repeat(32)}` },
      { ...fields, verificationHash: world.newHash(), recipient: zeroAddress },
      { ...fields, verificationHash: world.newHash(), recipient: '0x12' },
      { ...fields, courseTitle: '', verificationHash: world.newHash() },
      { recipientName: 'x', verificationHash: world.newHash() },
      { ...fields, verificationHash: world.newHash(), extra: true },
    ]) {
      expectError(await world.issue(userId, body), 400, 'VALIDATION_ERROR');
    }
    const after = await world.t.ctx.db
      .selectFrom('certificates')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('answers 409 CERTIFICATES_NOT_ENABLED for a client without its own contract, and 400 WALLET_ERROR for a user without a wallet', async () => {
    const { createMintingClient, createWallet } = await import('../support/operations.js');
    const bare = await createMintingClient(world.t);
    await createWallet(world.t, bare, 'u1');
    expectError(await world.issue('u1', { ...fields, verificationHash: world.newHash() }, bare), 409, 'CERTIFICATES_NOT_ENABLED');
    expectError(await world.get(`/api/v1/certificates/verify/${world.newHash()}`, bare), 409, 'CERTIFICATES_NOT_ENABLED');
    expectError(await world.issue('nobody', { ...fields, verificationHash: world.newHash() }), 400, 'WALLET_ERROR');
  });
});

describe('reading certificates', () => {
  it('verifies an unknown hash as invalid (200), and 404s an unknown id', async () => {
    const verified = await world.get(`/api/v1/certificates/verify/${world.newHash()}`);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ valid: false, tokenId: null, recipient: null, courseTitle: null, dataHash: null });
    expectError(await world.get('/api/v1/certificates/cert_00000000000000000000000000'), 404, 'CERTIFICATE_NOT_FOUND');
    expectError(await world.get('/api/v1/certificates/12345'), 404, 'CERTIFICATE_NOT_FOUND');
    expectError(await world.get('/api/v1/certificates/not-an-id'), 404, 'CERTIFICATE_NOT_FOUND');
    expectError(await world.get('/api/v1/certificates/verify/0x1234'), 400, 'VALIDATION_ERROR');
  });

  it('shows another client none of it: 404 by id or token id, invalid by hash (it is on another contract), and an empty list', async () => {
    const { userId, certificateId, verificationHash } = await world.issued();
    expectError(await world.get(`/api/v1/certificates/${certificateId}`, world.other), 404, 'CERTIFICATE_NOT_FOUND');
    expectError(await world.get(`/api/v1/certificates/${BigInt(verificationHash)}`, world.other), 404, 'CERTIFICATE_NOT_FOUND');
    expect((await world.get(`/api/v1/certificates/verify/${verificationHash}`, world.other)).body).toMatchObject({ valid: false, recipient: null });
    expect((await world.get(`/api/v1/users/${userId}/certificates`, world.other)).body).toEqual({ userId, certificates: [], cursor: null, hasMore: false });
  });

  it("lists a user's certificates newest first, a page at a time", async () => {
    const { userId } = await world.user();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await world.issue(userId, { ...fields, courseId: `course-${i}`, verificationHash: world.newHash() });
      expect(res.status).toBe(202);
      ids.push(res.body.certificateId);
    }
    const first = await world.get(`/api/v1/users/${userId}/certificates?limit=2`);
    expect(first.status).toBe(200);
    expect(first.body.certificates.map((c: { certificateId: string }) => c.certificateId)).toEqual([ids[2], ids[1]]);
    expect(first.body).toMatchObject({ userId, hasMore: true, cursor: ids[1] });
    const second = await world.get(`/api/v1/users/${userId}/certificates?limit=2&cursor=${first.body.cursor}`);
    expect(second.body).toMatchObject({ hasMore: false, cursor: null });
    expect(second.body.certificates.map((c: { certificateId: string; courseId: string }) => [c.certificateId, c.courseId])).toEqual([[ids[0], 'course-0']]);
    expectError(await world.get(`/api/v1/users/${userId}/certificates?cursor=nonsense`), 400, 'VALIDATION_ERROR');
    expectError(await world.get(`/api/v1/users/${userId}/certificates?limit=0`), 400, 'VALIDATION_ERROR');
  });

  // fetch and every URL parser read /users/%2e%2e/certificates as /certificates: it must not list user "..".
  it('reaches no operation through a dot segment, spelled or percent-encoded, yet lists a user whose id merely has dots', async () => {
    for (const segment of ['..', '.', '%2e%2e', '%2E', '.%2e', '%2e.']) expectError(await world.get(`/api/v1/users/${segment}/certificates`), 404, 'NOT_FOUND');
    expectError(await world.get('/api/v1/transactions/%2e%2e'), 404, 'NOT_FOUND');
    for (const userId of ['...', 'a..', '.a'])
      expect((await world.get(`/api/v1/users/${encodeURIComponent(userId)}/certificates`)).body).toEqual({
        userId,
        certificates: [],
        cursor: null,
        hasMore: false,
      });
  });
});

describe('a certificate is soulbound', () => {
  it("reverts its holder's transfer on-chain; the holder keeps it and it stays valid", async () => {
    // An EOA holder, so the test can send the transfer itself: a fresh key, given ETH for the gas.
    const holder = privateKeyToAccount(generatePrivateKey());
    await world.t.ctx.publicClient.request({ method: 'anvil_setBalance' as never, params: [holder.address, toHex(parseEther('1'))] as never });
    const { userId } = await world.user();
    const verificationHash = world.newHash();
    const res = await world.issue(userId, { ...fields, verificationHash, recipient: holder.address });
    expect(await waitForTerminal(world.t, world.actor, res.body.transactionId)).toMatchObject({ status: 'CONFIRMED' });
    const contract = await certificateOf();
    const wallet = createWalletClient({ account: holder, chain: world.t.ctx.publicClient.chain, transport: http(world.t.config.chain.rpcUrl) });
    const hash = await wallet.writeContract({
      address: contract,
      abi: chronosCertificateAbi,
      functionName: 'transferFrom',
      args: [holder.address, '0x4000000000000000000000000000000000000004', BigInt(verificationHash)],
      gas: 200_000n,
    });
    const receipt = await world.t.ctx.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('reverted');
    expect(parseEventLogs({ abi: chronosCertificateAbi, logs: receipt.logs })).toEqual([]);
    expect((await world.get(`/api/v1/certificates/verify/${verificationHash}`)).body).toMatchObject({ valid: true, recipient: holder.address });
  });
});
