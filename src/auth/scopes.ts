// Token scopes: 'wallet' for wallets and balances, and one per operation type (its definition's `scope`).
import { OPERATION_SCOPES } from '../operations/index.js';

export const SCOPES = ['wallet', ...OPERATION_SCOPES] as const;
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
