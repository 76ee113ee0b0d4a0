// A deliberately faulty stand-in for the bundler, the paymaster or the chain RPC: a JSON-RPC proxy in
// front of the real one that lets a test refuse, swallow or delay chosen calls, or take the whole
// service down (connections refused) and bring it back on the same port, or let it fail every request
// while counting them (to see that callers retried during an outage), or answer at the HTTP level (a
// 429 with Retry-After, a 503), as a rate-limiting provider does. Everything else goes through. Each
// call is recorded with when it arrived and what HTTP status it got, for ordering assertions.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RpcRequest = { jsonrpc: '2.0'; id: number | string; method: string; params?: unknown[] };
export type RpcReply = { result: unknown } | { error: { code: number; message: string; data?: unknown } } | HttpReply;
/** An answer at the HTTP level instead of JSON-RPC (for a batch, the first such answer is the batch's). */
export type HttpReply = { http: { status: number; headers?: Record<string, string>; body?: string } };
/** A call as it arrived (Date.now()), and the HTTP status it was answered with. */
export type RecordedCall = { call: RpcRequest; at: number; status: number };

/** Return a reply to answer the call yourself, or undefined to forward it to the real service. */
export type Interceptor = (request: RpcRequest) => Promise<RpcReply | undefined> | RpcReply | undefined;

export type RpcProxy = {
  url: string;
  calls: RpcRequest[];
  /** Every call answered (not those dropped while `failing`), in arrival order. */
  recorded: RecordedCall[];
  intercept: Interceptor | undefined;
  /** While true, every request is read, recorded in `failedCalls`, and its connection dropped unanswered. */
  failing: boolean;
  failedCalls: RpcRequest[];
  /** Stops listening and cuts open connections, as if the service were stopped. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
};

export async function startRpcProxy(target: string): Promise<RpcProxy> {
  let server: Server | undefined;
  let port = 0;
  const sockets = new Set<Socket>();
  const proxy: RpcProxy = {
    url: '',
    calls: [],
    recorded: [],
    intercept: undefined,
    failing: false,
    failedCalls: [],
    down: async () => {
      if (!server) return;
      const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server = undefined;
      await closing;
    },
    up: async () => {
      if (!server) await listen();
    },
    close: async () => proxy.down(),
  };
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as RpcRequest | RpcRequest[];
        if (proxy.failing) {
          proxy.failedCalls.push(...(Array.isArray(body) ? body : [body]));
          return void req.socket.destroy();
        }
        const answer = async (call: RpcRequest): Promise<unknown> => {
          const at = Date.now();
          proxy.calls.push(call);
          const entry: RecordedCall = { call, at, status: 200 };
          proxy.recorded.push(entry);
          const own = await proxy.intercept?.(call);
          if (own && 'http' in own) {
            entry.status = own.http.status;
            return own;
          }
          if (own) return { jsonrpc: '2.0', id: call.id, ...own };
          const forwarded = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(call) });
          return forwarded.json();
        };
        try {
          const replies = Array.isArray(body) ? await Promise.all(body.map(answer)) : [await answer(body)];
          const atHttpLevel = replies.find((r): r is HttpReply => typeof r === 'object' && r !== null && 'http' in r);
          if (atHttpLevel) {
            const { status, headers = {}, body: text = '' } = atHttpLevel.http;
            return void res.writeHead(status, headers).end(text);
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array.isArray(body) ? replies : replies[0]));
        } catch (error) {
          res.writeHead(502).end(String(error));
        }
      });
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        proxy.url = `http://127.0.0.1:${port}`;
        resolve();
      });
    });
  await listen();
  return proxy;
}
