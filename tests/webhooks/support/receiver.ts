// A real webhook endpoint on loopback for tests: records every request and answers as the test says
// (a status, headers, or never), and checks deliveries the way a client backend would, with the
// `standardwebhooks` package and the client's secret.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type ReceivedRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  receivedAt: number;
  /** Set when the sender closed the connection before this receiver answered. */
  abandoned: boolean;
};

export type Answer =
  | {
      status: number;
      headers?: Record<string, string>;
      body?: string;
      delayMs?: number;
      /** Answers only once this settles: the test does something while the sender waits. */
      after?: Promise<unknown>;
    }
  | 'hang';

export type Receiver = {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  url(path?: string): string;
  received: ReceivedRequest[];
  /** How to answer requests to `path`: `decide` gets each with its 0-based index on that path. 200 unless set. */
  answerOn(path: string, decide: (request: ReceivedRequest, index: number) => Answer): void;
  /** Resolves with the requests once at least `count` have arrived (to `path`, if given). */
  waitFor(count: number, options?: { path?: string; timeoutMs?: number }): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const answers = new Map<string, (request: ReceivedRequest, index: number) => Answer>();
  const receiver: Receiver = {
    origin: '',
    received: [],
    answerOn: (path, decide) => void answers.set(path, decide),
    url: (path = '/hooks') => `${receiver.origin}${path}`,
    async waitFor(count, { path, timeoutMs = 30_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const matching = receiver.received.filter((r) => path === undefined || r.path === path);
        if (matching.length >= count) return matching;
        if (Date.now() > deadline) throw new Error(`receiver got ${matching.length} of ${count} requests${path ? ` to ${path}` : ''} in ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: async () => {},
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: ReceivedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      receivedAt: Date.now(),
      abandoned: false,
    };
    const index = receiver.received.filter((r) => r.path === request.path).length;
    receiver.received.push(request);
    res.on('close', () => {
      if (!res.writableFinished) request.abandoned = true;
      hanging.delete(res);
    });
    const answer = answers.get(request.path)?.(request, index) ?? { status: 200 };
    if (answer === 'hang') return void hanging.add(res);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (answer.after) await answer.after;
    res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return receiver;
}

/** Verifies a received request exactly as the README tells receivers to; returns the parsed event. */
export function verifyWebhook(request: Pick<ReceivedRequest, 'body' | 'headers'>, secret: string): Record<string, any> {
  return new Webhook(secret).verify(request.body, signedHeaders(request.headers)) as Record<string, any>;
}

export function signedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return {
    'webhook-id': String(headers['webhook-id']),
    'webhook-timestamp': String(headers['webhook-timestamp']),
    'webhook-signature': String(headers['webhook-signature']),
  };
}
