/**
 * The CLI's API client: openapi-fetch over the types generated from the API's own OpenAPI
 * document (api-types.ts). It signs each request with the profile's access token, refreshing it
 * unnoticed (before it expires, and once on a 401), and saves the rotated tokens.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './api-types.js';
import { ApiError, CliError, type Problem } from './errors.js';
import { saveProfile, type Target } from './profiles.js';

export type Schemas = components['schemas'];

/** Refresh this long (ms) before the access token expires, so a request never carries a dying one. */
const REFRESH_MARGIN_MS = 30_000;

/** A signed-in (or not) connection to one API. */
export class Session {
  readonly client: Client<paths>;
  private refreshing?: Promise<boolean>;

  constructor(readonly target: Target) {
    this.client = createClient<paths>({ baseUrl: target.profile.api.replace(/\/+$/, ''), fetch: (request) => this.send(request) });
  }

  /** The API's base URL. */
  get api(): string {
    return this.target.profile.api.replace(/\/+$/, '');
  }

  /** fetch with the bearer token; a 401 is retried once after a refresh. Network failures become a CliError naming the API. */
  async send(request: Request): Promise<Response> {
    const retry = request.clone();
    const first = await this.sendSigned(request, await this.accessToken());
    if (first.status !== 401 || this.target.fixedToken || !this.target.profile.refreshToken) return first;
    if (!(await this.refresh())) return first;
    return this.sendSigned(retry, this.target.profile.accessToken);
  }

  private async sendSigned(request: Request, token: string | undefined): Promise<Response> {
    if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
    try {
      return await fetch(request);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new CliError(`cannot reach the API at ${this.api}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
  }

  /** The token to send now (refreshed first when about to expire); undefined when signed out. */
  async accessToken(): Promise<string | undefined> {
    const { profile, fixedToken } = this.target;
    if (fixedToken) return fixedToken;
    if (profile.refreshToken && profile.expiresAt !== undefined && profile.expiresAt - REFRESH_MARGIN_MS < Date.now()) await this.refresh();
    return profile.accessToken;
  }

  /** Trades the refresh token for a new pair (each refresh token works once) and saves it; false when refused. */
  private refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const { profile } = this.target;
      const res = await fetch(`${this.api}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: profile.refreshToken }),
      }).catch(() => undefined);
      if (!res?.ok) return false;
      await this.signedIn((await res.json()) as Schemas['TokenSet']);
      return true;
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Keeps a new token pair in the profile (and on disk). */
  async signedIn(tokens: Schemas['TokenSet'], email?: string): Promise<void> {
    const profile = this.target.profile;
    Object.assign(profile, {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: Date.now() + tokens.expiresIn * 1000,
      ...(email && { email }),
    });
    await saveProfile(this.target.name, profile);
  }
}

/** An openapi-fetch result's data, or an ApiError with the problem document. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw problemError(result.response, result.error);
  return result.data as T;
}

/** The ApiError for a refused response whose body (if any) was read as `body`. */
export function problemError(response: Response, body: unknown): ApiError {
  const problem: Problem = body && typeof body === 'object' ? (body as Problem) : { title: response.statusText };
  return new ApiError(response.status, problem, response.headers.get('retry-after'));
}
