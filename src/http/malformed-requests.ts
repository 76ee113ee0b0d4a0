// Requests Node's HTTP parser refuses before Express sees them (a bare CR or LF or a NUL in a header,
// obs-fold continuation lines, headers over 16 KiB, a conflicting Content-Length) would otherwise get
// a status line with no body. They get the same JSON error shape as everything else (README, Input and security).
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

const ANSWERS: Record<string, [status: number, reason: string, code: string, message: string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'HEADERS_TOO_LARGE', 'Request headers are too large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large', 'PAYLOAD_TOO_LARGE', 'Request body is too large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request was not received in time'],
};
const MALFORMED: [number, string, string, string] = [400, 'Bad Request', 'VALIDATION_ERROR', 'Malformed HTTP request'];

export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // As Node's own handler: answer only if the client can still read and no response has started on
    // this connection (an answer in the middle of one would corrupt it).
    const inFlight = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) return void socket.destroy();
    const [status, reason, code, message] = ANSWERS[error.code ?? ''] ?? MALFORMED;
    const body = JSON.stringify({ error: message, code });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
