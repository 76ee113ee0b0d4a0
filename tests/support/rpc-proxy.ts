// A deliberately faulty stand-in for the bundler or the paymaster: a JSON-RPC proxy in front of the
// real one that lets a test refuse, swallow or delay chosen calls. Everything else goes through.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RpcRequest = { jsonrpc: '2.0'; id: number | string; method: string; params?: unknown[] };
export type RpcReply = { result: unknown } | { error: { code: number; message: string; data?: unknown } };

/** Return a reply to answer the call yourself, or undefined to forward it to the real service. */
export type Interceptor = (request: RpcRequest) => Promise<RpcReply | undefined> | RpcReply | undefined;

export type RpcProxy = { url: string; calls: RpcRequest[]; intercept: Interceptor | undefined; close(): Promise<void> };

export async function startRpcProxy(target: string): Promise<RpcProxy> {
  const proxy: RpcProxy = { url: '', calls: [], intercept: undefined, close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = JSON.parse(raw) as RpcRequest | RpcRequest[];
    const answer = async (call: RpcRequest) => {
      proxy.calls.push(call);
      const own = await proxy.intercept?.(call);
      if (own) return { jsonrpc: '2.0', id: call.id, ...own };
      const forwarded = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(call) });
      return forwarded.json();
    };
    try {
      const reply = Array.isArray(body) ? await Promise.all(body.map(answer)) : await answer(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return proxy;
}
