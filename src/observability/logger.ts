// JSON logs (pino). Secrets never reach a line, by two independent means:
//   1. `redact` blanks the fields known to hold them (credentials in bodies, Authorization headers);
//   2. every finished line is scrubbed of anything shaped like a client secret, webhook secret or JWT,
//      and of the exact values of this process's own secrets (MASTER_KEY, JWT_SECRET,
//      DEPLOYER_PRIVATE_KEY) — wherever they hide: an error message, a cause, a library's debug output.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Paths whose values must never reach a log line, wherever they appear in a logged object. */
const REDACT = [
  'clientSecret',
  '*.clientSecret',
  'body.clientSecret',
  'req.body.clientSecret',
  'webhookSecret',
  '*.webhookSecret',
  'webhook_secret',
  '*.webhook_secret',
  'previous_webhook_secret',
  '*.previous_webhook_secret',
  'secret',
  '*.secret',
  'secrets',
  '*.secrets',
  'secret_hash',
  '*.secret_hash',
  'privateKey',
  '*.privateKey',
  'signerPrivateKey',
  '*.signerPrivateKey',
  'ownerPrivateKey',
  '*.ownerPrivateKey',
  'token',
  '*.token',
  'masterKey',
  '*.masterKey',
  'jwtSecret',
  '*.jwtSecret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'headers.Authorization',
  '*.headers.Authorization',
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

/** Every JSON string of a line, left to right, with the colon that follows it when it is a key. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

function scrub(line: string, exact: ExactValues): string {
  let out = line;
  for (const shape of SECRET_SHAPES) out = out.replace(shape, '[redacted]');
  if (exact.long) out = out.replace(exact.long, '[redacted]');
  // A short secret ("30", "msg") also spells parts of the line's own JSON — a level, a key — so it is
  // scrubbed only inside string values, where it can hide (a message, an error, a URL), and the line
  // stays valid JSON.
  if (exact.short) {
    const short = exact.short;
    out = out.replace(JSON_STRING, (string, keyColon?: string) => (keyColon ? string : string.replace(short, '[redacted]')));
  }
  return out;
}

/** Secrets shorter than this could also spell JSON structure; they are scrubbed within string values only. */
const SHORT_SECRET_LENGTH = 16;

type ExactValues = { long?: RegExp; short?: RegExp };

/** The exact values to scrub, as patterns; a 0x key also matches without its prefix, in any letter case. */
function exactValuePattern(secrets: (string | undefined)[]): ExactValues {
  const long = new Set<string>();
  const short = new Set<string>();
  for (const secret of secrets) {
    // However short: a short database password is still a password. (It may blank the same letters
    // elsewhere in a message too; an unreadable word is the lesser harm.)
    if (!secret) continue;
    const forms = [secret, JSON.stringify(secret).slice(1, -1)]; // the second: as it appears inside a JSON string
    if (/^0x[0-9a-fA-F]+$/.test(secret)) forms.push(secret.slice(2));
    for (const form of forms) (form.length < SHORT_SECRET_LENGTH ? short : long).add(form);
  }
  return { long: patternOf(long), short: patternOf(short) };
}

function patternOf(values: Set<string>): RegExp | undefined {
  if (!values.size) return undefined;
  const escaped = [...values].sort((a, b) => b.length - a.length).map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(escaped.join('|'), 'gi');
}
