import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths whose values must never reach a log line, wherever they appear in a logged object. */
const REDACT = [
  'clientSecret', '*.clientSecret', 'webhookSecret', '*.webhookSecret', 'secret', '*.secret',
  'privateKey', '*.privateKey', 'signerPrivateKey', '*.signerPrivateKey', 'token', '*.token',
  'authorization', '*.authorization', 'req.headers.authorization', 'headers.authorization',
  'masterKey', '*.masterKey', 'jwtSecret', '*.jwtSecret',
];

export function createLogger({ level }: { level: string }): Logger {
  return pino({ level, base: { service: 'chronos' }, redact: { paths: REDACT, censor: '[redacted]' } });
}
