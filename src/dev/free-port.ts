// Local services (anvil, alto, the paymaster, Postgres in tests) need loopback ports nobody else holds;
// the OS hands out a free one when asked to listen on port 0.
import { createServer, type Server } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (listen on 0, read the port, close). */
export async function getFreePort(): Promise<number> {
  const [port] = await getFreePorts(1);
  return port;
}

/**
 * Several distinct free ports. All listeners stay open until every port is known, so the OS cannot
 * hand the same port out twice within one call.
 */
export async function getFreePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      ports.push(await listenOnAnyPort(server));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}

function listenOnAnyPort(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('listening on port 0 gave no TCP address'));
      else resolve(address.port);
    });
  });
}
