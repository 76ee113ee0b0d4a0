// The client's access token, fetched once and shared by every call until shortly before it expires.
import { ChronosError } from './errors.js';
import type { Authorizer } from './transport.js';

export type Credentials = {
  clientId: string;
  /** The secret, or a function reading it from your secret store (called on every token request, so a rotated secret is picked up). */
  clientSecret: string | (() => string | Promise<string>);
};

type IssuedToken = { token: string; expiresIn: number };
type RequestToken = (credentials: { clientId: string; clientSecret: string }) => Promise<IssuedToken>;

export class AccessTokens implements Authorizer {
  private current: { token: string; refreshAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly credentials: Credentials,
    private readonly requestToken: RequestToken,
  ) {}

  token(): Promise<string> {
    if (this.current && Date.now() < this.current.refreshAt) return Promise.resolve(this.current.token);
    // Concurrent calls share one token request.
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  stale(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async fetch(): Promise<string> {
    const { clientId, clientSecret } = this.credentials;
    const secret = typeof clientSecret === 'function' ? await clientSecret() : clientSecret;
    const requestedAt = Date.now();
    let issued: IssuedToken;
    try {
      issued = await this.requestToken({ clientId, clientSecret: secret });
    } catch (error) {
      if (error instanceof ChronosError && error.status === 401) {
        throw new ChronosError(
          `Chronos refused the credentials of client ${clientId} (${error.code}): check clientSecret; a rotated secret replaces the old one`,
          {
            code: error.code,
            status: error.status,
            requestId: error.requestId,
            cause: error,
          },
        );
      }
      throw error;
    }
    // Renewed a minute early (a tenth of the lifetime for short ones), so a call never carries a token that expires on its way.
    const lifetimeMs = issued.expiresIn * 1000;
    this.current = { token: issued.token, refreshAt: requestedAt + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
    return issued.token;
  }
}
