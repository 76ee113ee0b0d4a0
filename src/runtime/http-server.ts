// An HTTP server that shuts down without cutting anyone off. On close it stops listening (new
// connections are refused) and closes idle keep-alive connections; requests already in progress
// finish, and their responses — and those of requests still arriving on open connections — carry
// `Connection: close`, so each connection ends right after its last response instead of lingering
// for the keep-alive timeout.
import { createServer, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerMalformedRequests } from '../http/malformed-requests.js';

export type RunningServer = {
  url: string;
  server: Server;
  /** Resolves once every in-flight request has been answered and every connection closed. */
  close(): Promise<void>;
  /** Cuts every connection at once (the grace period is over). */
  closeAllConnections(): void;
};

export async function listen(handler: RequestListener, { port, host }: { port: number; host: string }): Promise<RunningServer> {
  const server = createServer(handler);
  answerMalformedRequests(server);
  // Longer than the idle timeout of common load balancers (60 s), so they never reuse a connection we closed.
  server.keepAliveTimeout = 65_000;
  const inFlight = new Set<ServerResponse>();
  let draining = false;
  // Prepended: it must run before the application could send headers.
  server.prependListener('request', (_req, res) => {
    if (draining) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      // A response whose headers went out before draining kept its connection alive: close it now.
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: actualPort } = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${actualPort}`,
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        draining = true;
        for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
        // Stops listening and closes the connections that are idle right now.
        server.close(() => resolve());
      });
      return closing;
    },
    closeAllConnections: () => server.closeAllConnections(),
  };
}
