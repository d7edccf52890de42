/**
 * Where the API is. Dev mode serves the console from the API's own origin, so by default both
 * are `location.origin`. The cloud's CloudFront distribution serves a `config.json` beside the
 * bundle (written by the stack: infra/console.ts) naming the HTTP API and the streaming log-follow
 * function URL, which API Gateway's buffering makes necessary for live logs.
 */
export interface ConsoleConfig {
  /** Base URL of the API, without a trailing slash. */
  apiUrl: string;
  /** Base URL of the live log follow (GET /runs/{runId}/logs as SSE), without a trailing slash. */
  followUrl: string;
}

const trim = (url: string) => url.replace(/\/+$/, '');

let config: ConsoleConfig = { apiUrl: location.origin, followUrl: location.origin };

/** Reads config.json when there is one; keeps the same-origin default otherwise. */
export async function loadConfig(): Promise<void> {
  try {
    const res = await fetch('/config.json', { cache: 'no-store', headers: { accept: 'application/json' } });
    if (!res.ok || !(res.headers.get('content-type') ?? '').startsWith('application/json')) return;
    const body = (await res.json()) as Partial<ConsoleConfig>;
    if (typeof body.apiUrl === 'string') config = { apiUrl: trim(body.apiUrl), followUrl: trim(body.followUrl ?? body.apiUrl) };
  } catch {
    // No config.json: the API is on this origin.
  }
}

export const apiUrl = () => config.apiUrl;
export const followUrl = () => config.followUrl;
