// The registry of on-chain operation types.
import type { OperationType } from '../db/schema.js';
import type { OperationDefinition } from './types.js';
import { mint } from './mint.js';
import { transfer } from './transfer.js';
import { claim } from './claim.js';

export const operations: Record<OperationType, OperationDefinition<any>> = { mint, transfer, claim };
