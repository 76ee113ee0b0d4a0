// What every answer must look like, whatever was sent (README, Input and security): no 5xx, a status the operation
// documents or a generic refusal, JSON, and errors as `{ error, code }` without a stack trace.
import type { Response } from 'supertest';
import { GENERIC_REFUSALS, type DocumentedOperation } from './openapi-operations.js';
import { abbreviate } from './json-text.js';

/** 431: headers over Node's 16 KiB limit, answered by the server before Express sees the request. */
const SERVER_REFUSALS = [431];

/** GET /transactions/{id} documents its 400 and 404 as `{ error: CODE, message }`; Chronos adds `code`. */
const CODE_AS_ERROR: Record<string, number[]> = { getTransactionStatus: [400, 404] };

/** Operations whose success is a file in another format (their errors are still JSON). */
const FILE_SUCCESS: Record<string, RegExp> = { exportTransactions: /^(text\/csv|application\/x-ndjson)\b/ };

/** Problems with the answer, empty when it is fine. `op` is the operation the request reached, if any. */
export function responseProblems(op: DocumentedOperation | undefined, res: Response): string[] {
  const problems: string[] = [];
  const allowed = new Set([...(op?.statuses ?? []).filter((s) => s < 500), ...GENERIC_REFUSALS, ...SERVER_REFUSALS]);
  if (res.status >= 500) problems.push(`a ${res.status}`);
  else if (!allowed.has(res.status)) problems.push(`status ${res.status} is not documented for this operation (${[...allowed].join(', ')})`);
  const contentType = res.status < 300 && op && FILE_SUCCESS[op.operationId] ? FILE_SUCCESS[op.operationId] : /^application\/json\b/;
  if (!contentType.test(String(res.headers['content-type']))) problems.push(`Content-Type ${res.headers['content-type']} is not JSON`);
  if (/\bat .+\.(ts|js):\d+|node_modules|<html/i.test(res.text ?? '')) problems.push('the body shows a stack trace or HTML');
  if (res.status >= 400) {
    const body = res.body as Record<string, unknown>;
    if (typeof body?.error !== 'string' || body.error.length === 0) problems.push('no `error` message');
    if (typeof body?.code !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(body.code)) problems.push('no upper-case `code`');
    if (op && CODE_AS_ERROR[op.operationId]?.includes(res.status) && (body.error !== body.code || typeof body.message !== 'string')) {
      problems.push('not in the documented `{ error: CODE, message, code }` shape');
    }
  }
  return problems.map((p) => `${p}: ${res.status} ${abbreviate(res.text ?? '', 300)}`);
}
