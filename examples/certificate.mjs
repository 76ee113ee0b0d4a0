// Issue a certificate to a user with the SDK, verify it by its hash as a third party would (the answer
// is read from the chain), then revoke it and verify again. The hash is derived from the user, so a
// second run for the same user reaches the same certificate (the issue is idempotent).
//   node examples/certificate.mjs alice
import { keccak256, stringToHex } from 'viem';
import { chronos } from './dev-client.mjs';

const [userId = 'alice'] = process.argv.slice(2);
const learner = chronos.user(userId);
await learner.createWallet();

const verificationHash = keccak256(stringToHex(`certificate of ${userId} for course-123`));
const issued = await learner.certificates.issue({
  recipientName: 'Alice',
  courseTitle: 'Web3 Development',
  courseId: 'course-123',
  instructorName: 'Jane Smith',
  verificationHash,
  idempotencyKey: `certificate-${userId}`,
});
console.log(JSON.stringify(await issued.issue.wait({ timeoutMs: 120_000 })));
const { valid, courseTitle } = await chronos.certificates.verify(verificationHash);
console.log(JSON.stringify({ valid, courseTitle }));

const revocation = await learner.certificates.revoke(issued.certificateId, { reason: 'Issued in error', idempotencyKey: `revoke-${userId}` });
console.log(JSON.stringify(await revocation.wait({ timeoutMs: 120_000 })));
const certificate = await chronos.certificates.get(issued.certificateId);
console.log(JSON.stringify({ status: certificate.status, isValid: certificate.isValid, reason: certificate.revocation?.reason }));
