// The generated, typed client (openapi-fetch over the paths of openapi.json) and how its answers become
// data or a ChronosError.
import createClient, { type Client } from 'openapi-fetch';
import { errorFromResponse } from './errors.js';
import type { paths } from './generated/openapi.js';

export type ApiClient = Client<paths>;

export function createApiClient(baseUrl: string, fetch: (request: Request) => Promise<Response>): ApiClient {
  return createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ''), fetch });
}

/** The body of a 2xx answer, or the API's error as a ChronosError. */
export function unwrap<Data>(result: { data?: Data; error?: unknown; response: Response }): { data: Data; response: Response } {
  if (!result.response.ok || result.data === undefined) throw errorFromResponse(result.response, result.error);
  return { data: result.data, response: result.response };
}
