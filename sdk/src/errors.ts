// One error class for everything the SDK can throw about a call, so a caller branches on `code` (the
// API's machine-readable codes, plus NETWORK_ERROR and INVALID_CREDENTIALS from the SDK itself).

export type ChronosErrorDetails = {
  /** The API's `code` (e.g. INSUFFICIENT_BALANCE), or NETWORK_ERROR when no answer came back. */
  code: string;
  /** The HTTP status; undefined when the request never got an answer. */
  status?: number;
  /** The `X-Request-Id` the API answered with: quote it when asking the operator about a call. */
  requestId?: string;
  /** Seconds the API asked to wait (`Retry-After`) before trying again, when it said. */
  retryAfter?: number;
  cause?: unknown;
};

export class ChronosError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly retryAfter: number | undefined;

  constructor(message: string, { code, status, requestId, retryAfter, cause }: ChronosErrorDetails) {
    super(message, { cause });
    this.name = 'ChronosError';
    this.code = code;
    this.status = status;
    this.requestId = requestId;
    this.retryAfter = retryAfter;
  }
}

/** The API's error body (`{ error, code }`) and headers, as one ChronosError. */
export function errorFromResponse(response: Response, body: unknown): ChronosError {
  const fields = typeof body === 'object' && body !== null ? (body as { error?: unknown; code?: unknown }) : {};
  const message = typeof fields.error === 'string' ? fields.error : `${response.status} ${response.statusText}`.trim();
  return new ChronosError(message, {
    code: typeof fields.code === 'string' ? fields.code : `HTTP_${response.status}`,
    status: response.status,
    requestId: response.headers.get('x-request-id') ?? undefined,
    retryAfter: retryAfterSeconds(response.headers),
  });
}

/** `Retry-After` as seconds: either form the HTTP spec allows (delta-seconds or an HTTP date). */
export function retryAfterSeconds(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
