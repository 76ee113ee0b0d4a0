// JSON logs (pino). Secrets never reach a line, by two independent means:
//   1. `redact` blanks the fields known to hold them (credentials in bodies, Authorization headers);
//   2. every finished line is scrubbed of anything shaped like a client secret, webhook secret or JWT,
//      and of the exact values of this process's own secrets (MASTER_KEY, JWT_SECRET,
//      DEPLOYER_PRIVATE_KEY) — wherever they hide: an error message, a cause, a library's debug output.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths whose values must never reach a log line, wherever they appear in a logged object. */
const REDACT = [
  'clientSecret', '*.clientSecret', 'body.clientSecret', 'req.body.clientSecret',
  'webhookSecret', '*.webhookSecret', 'webhook_secret', '*.webhook_secret', 'previous_webhook_secret', '*.previous_webhook_secret',
  'secret', '*.secret', 'secrets', '*.secrets', 'secret_hash', '*.secret_hash',
  'privateKey', '*.privateKey', 'signerPrivateKey', '*.signerPrivateKey', 'ownerPrivateKey', '*.ownerPrivateKey',
  'token', '*.token', 'masterKey', '*.masterKey', 'jwtSecret', '*.jwtSecret',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'req.headers.authorization',
  'headers.Authorization', '*.headers.Authorization',
];

/** Shapes of secrets Chronos issues or accepts (src/auth/secrets.ts), and of JWTs. */
const SECRET_SHAPES: RegExp[] = [
  /\bsk_[A-Za-z0-9_-]{40,}/g,
  /\bwhsec_[A-Za-z0-9+/]{40,}={0,2}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/g,
];

export type CreateLoggerParameters = {
  level: string;
  /** Values that must never appear in a log line, e.g. the configured MASTER_KEY and JWT_SECRET. */
  secrets?: (string | undefined)[];
  /** Where lines go; stdout unless given (tests read the lines back). */
  destination?: DestinationStream;
};

export function createLogger({ level, secrets = [], destination }: CreateLoggerParameters): Logger {
  const exact = exactValuePattern(secrets);
  const options = {
    level,
    base: { service: 'chronos' },
    redact: { paths: REDACT, censor: '[redacted]' },
    hooks: { streamWrite: (line: string) => scrub(line, exact) },
  };
  return pino(options, destination ?? bufferedStdout());
}

const FLUSH_EVERY_MS = 100;

/**
 * Stdout written in blocks rather than a system call per line (one per request adds up under load),
 * and at least every 100 ms so a tail stays live. pino flushes the buffer when the process exits, a
 * crash included; only a SIGKILL can lose the last lines.
 */
function bufferedStdout(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const timer = setInterval(() => {
    try {
      stream.flush();
    } catch {
      clearInterval(timer); // destroyed: the process is ending
    }
  }, FLUSH_EVERY_MS).unref();
  return stream;
}

function scrub(line: string, exact: RegExp | undefined): string {
  let out = line;
  for (const shape of SECRET_SHAPES) out = out.replace(shape, '[redacted]');
  return exact ? out.replace(exact, '[redacted]') : out;
}

/** One pattern for all exact values; a 0x key also matches without its prefix, in any letter case. */
function exactValuePattern(secrets: (string | undefined)[]): RegExp | undefined {
  const values = new Set<string>();
  for (const secret of secrets) {
    // However short: a short database password is still a password. (It may blank the same letters
    // elsewhere in a line too; an unreadable word is the lesser harm.)
    if (!secret) continue;
    values.add(secret);
    values.add(JSON.stringify(secret).slice(1, -1)); // as it appears inside a JSON string
    if (/^0x[0-9a-fA-F]+$/.test(secret)) values.add(secret.slice(2));
  }
  if (!values.size) return undefined;
  const escaped = [...values].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(escaped.join('|'), 'gi');
}
