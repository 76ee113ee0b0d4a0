// A pino destination that keeps every line, for tests that read what the application logged.
import { Writable } from 'node:stream';

export type CapturedLogs = { destination: Writable; lines: string[]; text(): string };

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { destination, lines, text: () => lines.join('\n') };
}
