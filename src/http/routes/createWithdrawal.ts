import { operationRoute } from '../operation-route.js';
import { operations } from '../../operations/index.js';

export const createWithdrawal = operationRoute(operations.withdrawal);
