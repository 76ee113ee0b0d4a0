import { operationRoute } from '../operation-route.js';
import { operations } from '../../operations/index.js';

export const releaseEscrow = operationRoute(operations.escrow_release);
