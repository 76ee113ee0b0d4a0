// The guide shown collapsed above the reference on /docs. openapi.json's own introduction is part of
// the contract and stays as it is; this text says the same things as the README (sections named in
// brackets), so a reader of /docs is not told something the service does not do.

export const DOCS_SUMMARY = `Gasless ERC-20 tokens for your users: a smart account per user, mints, transfers and claims
with every fee sponsored, each outcome reported by signed webhook and by polling. The contract is
[openapi.json](../openapi.json); the README is the full user documentation.`;

export const DOCS_GUIDE_TITLE = 'Guide: authentication, the async flow, statuses, errors, rate limits';

export const DOCS_GUIDE = `### Authentication
An operator registers your backend (\`chronos clients create\`) and gives you a \`clientId\` and
\`clientSecret\`. Exchange them at \`POST /api/v1/auth/token\` for an access token valid for an hour
(cache it; do not fetch one per call), then send \`Authorization: Bearer <token>\` and, to name your
end user, \`X-User-Id\` (1–256 printable ASCII characters) on every call.

### The async flow (README "How an operation travels")
\`mint/execute\`, \`wallet/transfer\`, \`wallet/transfers\` and \`claims/execute\` answer \`202 { transactionId, status: "ACCEPTED" }\`
once everything checkable before the chain has been checked. Send \`X-Idempotency-Key\` on each: the
same key and request replay the original 202 (\`Idempotent-Replayed: true\`), a different request
with the same key is \`409 IDEMPOTENCY_CONFLICT\`. The terminal status arrives by signed webhook;
\`GET /api/v1/transactions/{transactionId}\` tells it too: poll it no faster than its \`Retry-After\`
(1 s while \`ACCEPTED\`/\`SUBMITTING\`, 3 s while \`SUBMITTED\`), and stop at a terminal status.

| status | terminal | meaning |
|---|---|---|
| \`ACCEPTED\` | no | stored with its job; nothing sent yet |
| \`SUBMITTING\` | no | building, sponsoring, signing, storing and sending the UserOperation |
| \`SUBMITTED\` | no | the bundler has it; waiting for inclusion |
| \`CONFIRMED\` | yes | included and executed |
| \`REVERTED\` | yes | included, but the execution reverted |
| \`FAILED\` | yes | could not be included (\`SIMULATION_REVERTED\`, \`PAYMASTER_REJECTED\`, \`BUNDLER_REJECTED\`) |
| \`EXPIRED\` | yes | not included before its deadline, and inclusion was made impossible |

### Errors (README "API")
Every error is JSON \`{ "error": "<message>", "code": "<CODE>" }\`, never HTML or a stack trace; each
operation below lists its codes. \`500 INTERNAL_ERROR\` is a bug: the detail is logged with the
request id, never returned. \`503 SERVICE_UNAVAILABLE\` means Postgres or the chain is unreachable:
retry after \`Retry-After\`.

### Rate limits and quotas (README "Limits")
Each client's requests are counted per category over a sliding window: \`general\` 100 per minute,
\`minting\` 10 per minute, \`external\` (\`/webhooks/*\`) 30 per minute, \`auth\` 5 per 5 minutes, unless
raised for your client. Every answer carries \`X-RateLimit-Limit\`, \`X-RateLimit-Remaining\` and
\`X-RateLimit-Reset\` (unix seconds when the window is completely free); from 80 % \`X-RateLimit-Warning\`,
from 90 % a 500 ms delay (\`X-RateLimit-Delayed\`), at 100 % \`429 RATE_LIMITED\` with \`Retry-After\`.
A client may also give its users quotas per day, week and month: over one, \`429 QUOTA_EXCEEDED\`.

### Webhooks (README "Webhooks")
Terminal statuses are POSTed to your webhook URL, signed the Standard Webhooks way (verify
\`webhook-signature\` on the raw body with your \`whsec_…\` secret), delivered at least once:
de-duplicate on the event \`id\`.`;
