import { operationRoute } from '../operation-route.js';
import { operations } from '../../operations/index.js';

export const revokeCertificate = operationRoute(operations.certificate_revoke);
