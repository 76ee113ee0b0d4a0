// The SDK against the real local stack: a test app (its own database, the shared chain, bundler and
// paymaster) served on a loopback port, since the SDK speaks HTTP like any client backend.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Chronos, type ChronosOptions } from '../../sdk/src/index.js';
import { createTestApp, type TestApp, type TestClient } from '../support/test-app.js';

export type ServedApp = TestApp & { url: string };

export async function serveTestApp(options: Parameters<typeof createTestApp>[0] = {}): Promise<ServedApp> {
  const t = await createTestApp(options);
  const server: Server = createServer(t.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    ...t,
    url,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await t.close();
    },
  };
}

export type RecordedRequest = { method: string; path: string; status?: number; retryAfter: string | null; at: number };

/** A fetch that records every request the SDK sends (and the status it got), for counting polls and retries. */
export function recordingFetch(): { fetch: (request: Request) => Promise<Response>; requests: RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  return {
    requests,
    fetch: async (request) => {
      const entry: RecordedRequest = { method: request.method, path: new URL(request.url).pathname, retryAfter: null, at: Date.now() };
      requests.push(entry);
      const response = await fetch(request);
      entry.status = response.status;
      entry.retryAfter = response.headers.get('retry-after');
      return response;
    },
  };
}

export function sdkFor(url: string, client: TestClient, options: Partial<ChronosOptions> = {}): Chronos {
  return new Chronos({ baseUrl: url, clientId: client.clientId, clientSecret: client.clientSecret, ...options });
}
