// An error the API answers with a documented status and code. Raised anywhere on the request path
// (routes, accept, policy); src/http/errors.ts turns it, and everything else, into the response.
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra fields for routes whose documented error shape differs. */
    readonly body?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const unauthorized = (message = 'Missing or invalid access token') => new AppError(401, 'UNAUTHORIZED', message);
export const forbidden = (message: string) => new AppError(403, 'FORBIDDEN', message);
export const validationError = (message: string) => new AppError(400, 'VALIDATION_ERROR', message);
