// A TCP proxy that can be taken down and brought back, standing in for a restart of what it fronts
// (Postgres): down, it cuts every open connection and refuses new ones. It counts the connections it
// was asked for and those it could not reach its target for (the target itself stopped), so a test can
// see that clients kept retrying while the target was away.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type TcpProxy = {
  port: number;
  /** Connections clients opened through the proxy, and those whose target refused or dropped them at once. */
  connections: number;
  unreachable: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
};

export async function startTcpProxy({ targetHost, targetPort }: { targetHost: string; targetPort: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let port = 0;
  let server: Server | undefined;
  const counts = { connections: 0, unreachable: 0 };
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        counts.connections++;
        const upstream = connect(targetPort, targetHost);
        upstream.once('error', () => {
          if (!upstream.bytesRead) counts.unreachable++;
        });
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      sockets.clear();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await listen();
  return {
    get port() {
      return port;
    },
    get connections() {
      return counts.connections;
    },
    get unreachable() {
      return counts.unreachable;
    },
    down: stop,
    up: async () => {
      if (!server) await listen();
    },
    close: stop,
  };
}
