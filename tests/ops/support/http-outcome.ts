// One HTTP request, classified by what the client saw — the distinction a graceful shutdown is judged on:
//   response  a complete HTTP response (status and the whole body);
//   refused   the connection was refused: nothing was sent, nothing can have happened;
//   reset     the connection failed after it was made, before any response;
//   partial   a response started but was cut off.
import http from 'node:http';

export type Outcome =
  | { kind: 'response'; status: number; body: any; startedAt: number; endedAt: number }
  | { kind: 'refused'; startedAt: number; endedAt: number }
  | { kind: 'reset' | 'partial'; error: string; startedAt: number; endedAt: number };

type WithoutTimes<T> = T extends unknown ? Omit<T, 'startedAt' | 'endedAt'> : never;

export function send(
  agent: http.Agent,
  url: string,
  {
    method,
    headers = {},
    body,
  }: {
    method: string;
    headers?: Record<string, string>;
    body?: unknown;
  },
): Promise<Outcome> {
  const startedAt = Date.now();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve) => {
    let responded = false;
    const done = (outcome: WithoutTimes<Outcome>) => resolve({ ...outcome, startedAt, endedAt: Date.now() } as Outcome);
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}) },
      },
      (res) => {
        responded = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => done({ kind: 'partial', error: String(e) }));
        res.on('close', () => {
          if (!res.complete) return done({ kind: 'partial', error: 'response cut off' });
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* not JSON: kept as text */
          }
          done({ kind: 'response', status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (responded) return; // reported by the response's own handlers
      done(error.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'reset', error: `${error.code ?? ''} ${error.message}`.trim() });
    });
    req.end(payload);
  });
}
