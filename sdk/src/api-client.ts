// The generated, typed client (openapi-fetch over the paths of openapi.json) and how its answers become
// data or a ChronosError.
import createClient, { defaultPathSerializer, type Client } from 'openapi-fetch';
import { ChronosError, errorFromResponse } from './errors.js';
import type { paths } from './generated/openapi.js';

export type ApiClient = Client<paths>;

export function createApiClient(baseUrl: string, fetch: (request: Request) => Promise<Response>): ApiClient {
  return createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ''), fetch, pathSerializer: refusingDotSegments });
}

/**
 * fetch resolves a `.` or `..` path segment away (`/users/../certificates` is `/certificates`), so a
 * path value that is one would ask for another operation: refused before anything is sent.
 */
function refusingDotSegments(pathname: string, pathParams: Record<string, unknown>): string {
  for (const [name, value] of Object.entries(pathParams ?? {}))
    if (value === '.' || value === '..') throw new ChronosError(`${name} ${JSON.stringify(value)} cannot be named in a URL path`, { code: 'VALIDATION_ERROR' });
  return defaultPathSerializer(pathname, pathParams);
}

/** The body of a 2xx answer, or the API's error as a ChronosError. */
export function unwrap<Data>(result: { data?: Data; error?: unknown; response: Response }): { data: Data; response: Response } {
  if (!result.response.ok || result.data === undefined) throw errorFromResponse(result.response, result.error);
  return { data: result.data, response: result.response };
}
