import { operationRoute } from '../operation-route.js';
import { operations } from '../../operations/index.js';

export const fundEscrow = operationRoute(operations.escrow_fund);
