import type { ClientTokenView } from '../../../admin/client-tokens.js';

/** One line per token, its own first. */
export function tokenLines(clientId: string, tokens: ClientTokenView[]): string[] {
  const limit = (t: ClientTokenView) => (t.minAmount === null && t.maxAmount === null ? 'no limits' : `limits ${t.minAmount ?? '-'}/${t.maxAmount ?? '-'}`);
  return [`tokens of ${clientId}:`, ...tokens.map((t) => `  ${t.address}  ${t.symbol || '(own)'}${t.own ? '  (own, the default)' : ''}  ${limit(t)}`)];
}
