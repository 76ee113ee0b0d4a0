import { allowsPrivateWebhookTargets, checkWebhookDestination } from '../../../admin/webhook-url.js';
import type { AdminEnvironment } from '../../admin-environment.js';

/** Refuses, before anything is stored, a webhook URL that every delivery would refuse. */
export function checkDestination(env: AdminEnvironment, url: string): Promise<string> {
  return checkWebhookDestination(url, { allowPrivateTargets: allowsPrivateWebhookTargets({ embedded: env.embedded, env: process.env }) });
}
