// Token scopes: 'wallet' for wallets and balances, one per operation type (its definition's `scope`),
// and 'payments' for the payment reads (tokens, gas estimates) beside the payment operations.
import { OPERATION_SCOPES } from '../operations/index.js';

export const SCOPES = [...new Set(['wallet', ...OPERATION_SCOPES, 'payments'] as const)];
export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/** Parses "wallet,mint" (CLI) into scopes, throwing on an unknown name. */
export function parseScopes(list: string): Scope[] {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !isScope(n));
  if (unknown.length) throw new Error(`unknown scope(s): ${unknown.join(', ')} (known: ${SCOPES.join(', ')})`);
  return [...new Set(names)] as Scope[];
}
