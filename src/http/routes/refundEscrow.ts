import { operationRoute } from '../operation-route.js';
import { operations } from '../../operations/index.js';

export const refundEscrow = operationRoute(operations.escrow_refund);
