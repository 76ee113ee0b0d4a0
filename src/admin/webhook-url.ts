/** A webhook destination must be an absolute http(s) URL without credentials. */
export function checkWebhookUrl(value: string): string {
  let url: URL;
  try { url = new URL(value); } catch { throw new Error(`webhook URL '${value}' is not a valid URL`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('webhook URL must use http or https');
  if (url.username || url.password) throw new Error('webhook URL must not contain credentials');
  return url.toString();
}
