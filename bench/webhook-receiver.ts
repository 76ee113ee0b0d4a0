// The client backend's webhook endpoint, on loopback: notes when each event arrived (when its request
// headers were read, before the body) and lets the end-to-end phase wait for a transaction's event.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type WebhookArrival = { receivedAt: number; event: string; status: string; transactionId: string };

export type WebhookReceiver = {
  url: string;
  arrivals: Map<string, WebhookArrival>;
  /** Resolves with the transaction's first terminal event, or undefined after timeoutMs. */
  waitFor(transactionId: string, timeoutMs: number): Promise<WebhookArrival | undefined>;
  close(): Promise<void>;
};

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const arrivals = new Map<string, WebhookArrival>();
  const waiting = new Map<string, (arrival: WebhookArrival) => void>();
  const server: Server = createServer((req, res) => {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(204).end();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event: string; data?: { transactionId?: string; status?: string } };
        const transactionId = body.data?.transactionId;
        if (!transactionId || arrivals.has(transactionId) || body.event === 'transaction.stalled') return;
        const arrival = { receivedAt, event: body.event, status: body.data?.status ?? '', transactionId };
        arrivals.set(transactionId, arrival);
        waiting.get(transactionId)?.(arrival);
        waiting.delete(transactionId);
      } catch {
        /* not an event */
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals,
    waitFor(transactionId, timeoutMs) {
      const known = arrivals.get(transactionId);
      if (known) return Promise.resolve(known);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(transactionId);
          resolve(undefined);
        }, timeoutMs);
        waiting.set(transactionId, (arrival) => {
          clearTimeout(timer);
          resolve(arrival);
        });
      });
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
