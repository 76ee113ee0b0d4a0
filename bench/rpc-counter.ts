// A counting JSON-RPC proxy between Chronos and anvil: every call (batched ones one by one) is
// counted by method, then forwarded unchanged.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RpcCounter = {
  url: string;
  counts: Record<string, number>;
  total(): number;
  reset(): void;
  close(): Promise<void>;
};

export async function startRpcCounter(target: string): Promise<RpcCounter> {
  const counter: RpcCounter = {
    url: '',
    counts: {},
    total: () => Object.values(counter.counts).reduce((a, b) => a + b, 0),
    reset: () => {
      counter.counts = {};
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    try {
      const body = JSON.parse(raw.toString('utf8')) as { method?: string } | { method?: string }[];
      for (const call of Array.isArray(body) ? body : [body]) {
        const method = call.method ?? '?';
        counter.counts[method] = (counter.counts[method] ?? 0) + 1;
      }
      const forwarded = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
      res.writeHead(forwarded.status, { 'content-type': 'application/json' }).end(Buffer.from(await forwarded.arrayBuffer()));
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  counter.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return counter;
}
