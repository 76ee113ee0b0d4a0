import { resolveWebhookTarget } from '../webhooks/url-safety.js';

/** A webhook destination must be an absolute http(s) URL without credentials. */
export function checkWebhookUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`webhook URL '${value}' is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('webhook URL must use http or https');
  if (url.username || url.password) throw new Error('webhook URL must not contain credentials');
  return url.toString();
}

/**
 * checkWebhookUrl, and unless private targets are allowed, a host that resolves (now) to public
 * addresses only: refusing at registration what every delivery would refuse anyway.
 */
export async function checkWebhookDestination(value: string, { allowPrivateTargets }: { allowPrivateTargets: boolean }): Promise<string> {
  const url = checkWebhookUrl(value);
  if (!allowPrivateTargets) await resolveWebhookTarget(url, { allowPrivateTargets });
  return url;
}

/**
 * Where the embedded default runs, loopback receivers are the point (it allows them at delivery too);
 * anywhere else only WEBHOOK_ALLOW_PRIVATE_TARGETS=true allows private, loopback and link-local targets.
 */
export function allowsPrivateWebhookTargets({ embedded, env }: { embedded: boolean; env: Record<string, string | undefined> }): boolean {
  return embedded || ['true', '1'].includes(env.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? '');
}
