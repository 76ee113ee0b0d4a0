// The SDK's certificate calls on the real stack: issue and wait, read, verify, list page by page,
// revoke, and a typed 409 for a hash issued twice.
import { keccak256, toHex } from 'viem';
import { ChronosError, type Chronos } from '../../sdk/src/index.js';
import { createMintingClient, type Actor } from '../support/operations.js';
import { sdkFor, serveTestApp, type ServedApp } from './support.js';

let t: ServedApp;
let actor: Actor;
let chronos: Chronos;

beforeAll(async () => {
  t = await serveTestApp({ worker: true });
  actor = await createMintingClient(t, { certificates: true });
  chronos = sdkFor(t.url, actor.client);
});
afterAll(async () => {
  await t?.close();
});

const fields = { recipientName: 'Ada', courseTitle: 'Solidity', courseId: 'sol-1', instructorName: 'Grace' };

describe('the SDK certificates', () => {
  it('issues, reads, verifies, lists, revokes, and answers a second issue of the hash with a typed 409', async () => {
    const learner = chronos.user('sdk-learner');
    await learner.createWallet();
    const verificationHash = keccak256(toHex('sdk certificate 1'));
    const issued = await learner.certificates.issue({ ...fields, verificationHash });
    expect(issued).toMatchObject({ certificateId: expect.stringMatching(/^cert_/), verificationHash });
    expect(await issued.issue.wait({ timeoutMs: 60_000 })).toMatchObject({ status: 'CONFIRMED', type: 'certificate_issue' });
    expect(await chronos.certificates.get(issued.certificateId)).toMatchObject({
      status: 'issued',
      isValid: true,
      tokenId: BigInt(verificationHash).toString(),
    });
    expect(await chronos.certificates.verify(verificationHash)).toMatchObject({ valid: true, courseTitle: 'Solidity' });

    const second = await learner.certificates.issue({ ...fields, courseId: 'sol-2', verificationHash: keccak256(toHex('sdk certificate 2')) });
    const listed: string[] = [];
    for await (const certificate of chronos.certificates.list(learner.userId, { limit: 1 })) listed.push(certificate.certificateId);
    expect(listed).toEqual([second.certificateId, issued.certificateId]);

    const again = await learner.certificates.issue({ ...fields, verificationHash }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ChronosError);
    expect(again).toMatchObject({ code: 'CERTIFICATE_ALREADY_ISSUED', status: 409 });

    const revocation = await learner.certificates.revoke(issued.certificateId, { reason: 'mistake' });
    expect(await revocation.wait({ timeoutMs: 60_000 })).toMatchObject({ status: 'CONFIRMED', type: 'certificate_revoke' });
    expect(await chronos.certificates.verify(verificationHash)).toMatchObject({ valid: false });
    await second.issue.wait({ timeoutMs: 60_000 });
  });

  it('refuses a path value of "." or ".." (a user to list, a certificate id), which fetch would resolve out of the path, before sending anything', async () => {
    for (const userId of ['.', '..']) await expect(chronos.certificates.page(userId)).rejects.toMatchObject({ name: 'ChronosError', code: 'VALIDATION_ERROR' });
    // The same for every path value: a certificate id too.
    await expect(chronos.certificates.get('..')).rejects.toMatchObject({ name: 'ChronosError', code: 'VALIDATION_ERROR' });
  });
});
