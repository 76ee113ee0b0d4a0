// HTTP written byte for byte on a TCP socket: what Node's HTTP client refuses to send (CR, LF or NUL
// in a header, obs-fold continuation lines, a repeated header exactly as given).
import { connect } from 'node:net';

export type RawAnswer = { status: number; headers: Record<string, string>; body: string; json: Record<string, any> | undefined };

/**
 * Sends `head` (request line and header lines, without the blank line; Content-Length is the caller's
 * to write) and `body`; resolves with the parsed answer once the server closes the connection.
 */
export function sendRaw(origin: string, head: string, body = ''): Promise<RawAnswer> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [headText, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...headerLines] = headText.split('\r\n');
      const headers = Object.fromEntries(headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const payload = rest.join('\r\n\r\n');
      let json: Record<string, any> | undefined;
      try {
        json = JSON.parse(payload);
      } catch {
        /* not JSON */
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: payload, json });
    });
    // One request per connection, so the answer ends when the server closes it.
    socket.write(`${head}\r\nConnection: close\r\n\r\n${body}`, 'latin1');
  });
}
