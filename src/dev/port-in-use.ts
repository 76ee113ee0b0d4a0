// A port someone else holds is the most common reason a start fails: say which port, who holds it when
// we can tell, and which variable picks another, in one line.
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename } from 'node:path';

export class PortInUseError extends Error {
  override name = 'PortInUseError';

  constructor(
    readonly port: number,
    readonly variable: string,
    holder: string | undefined,
  ) {
    super(
      `port ${port} is already in use${holder ? ` by ${holder}` : ''}: stop that process, or set ${variable} to another port`
        + (holder ? '' : ` (to see who holds it: ss -ltnp 'sport = :${port}' or lsof -i :${port})`),
    );
  }

  static async describe(port: number, variable: string): Promise<PortInUseError> {
    return new PortInUseError(port, variable, await findPortHolder(port).catch(() => undefined));
  }
}

export type PortCheck = { port: number; host: string; variable: string };

/**
 * Fails on the first port of the list someone already listens on. Checked before anything starts, so
 * nothing half-started needs stopping and no client of ours talks to another program on that port.
 */
export async function assertPortsFree(checks: readonly PortCheck[]): Promise<void> {
  for (const { port, host, variable } of checks) {
    if (port === 0) continue;
    const free = await new Promise<boolean>((resolve, reject) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
      server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (!free) throw await PortInUseError.describe(port, variable);
  }
}

/**
 * "anvil (pid 4242)" for the process listening on a TCP port, from /proc (Linux). Undefined elsewhere
 * or when that process belongs to a user whose file descriptors we may not read.
 */
export async function findPortHolder(port: number): Promise<string | undefined> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const row of text.split('\n').slice(1)) {
      const fields = row.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; state 0A is LISTEN; field 9 is the socket's inode.
      if (fields.length > 9 && fields[3] === '0A' && parseInt(fields[1].split(':')[1], 16) === port) inodes.add(fields[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of (await readdir('/proc').catch(() => [])).filter((name) => /^\d+$/.test(name))) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (inodes.has(target.match(/^socket:\[(\d+)\]$/)?.[1] ?? '')) {
        return `${await processName(pid)} (pid ${pid})`;
      }
    }
  }
  return undefined;
}

/** The command's name; for node (whose main thread calls itself MainThread) the script it runs. */
async function processName(pid: string): Promise<string> {
  const name = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => 'a process')).trim();
  if (name !== 'node' && name !== 'MainThread') return name;
  const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter(Boolean);
  const script = args.slice(1).find((arg) => !arg.startsWith('-') && /\.[cm]?[jt]s$/.test(arg));
  return script ? `node ${basename(script)}` : 'node';
}
