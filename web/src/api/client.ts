/**
 * Calls to the API with the session's bearer token. A 401 is retried once after a refresh (the
 * token may have expired in between); a second 401 ends the session. Failures are ApiError with
 * the API's problem document, so forms can show `errors` beside their fields.
 */
import { apiUrl } from './config.js';
import { accessToken, end, refresh } from './session.js';
import type { Problem } from './types.js';

/** A 4xx/5xx answer of the API, with its problem document. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title);
  }
  /** The messages of the problem's errors about `field` or one of its parts (`env`, `env.KEY`, `retry.maxAttempts`). */
  fieldErrors(field: string): string[] {
    return (this.problem.errors ?? []).filter((e) => e.field === field || e.field.startsWith(`${field}.`)).map((e) => e.message);
  }
}

export interface CallOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The response, after auth; `url` is a path on the API. */
export async function send(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const attempt = async (token: string | undefined) => {
    const isRaw = options.body instanceof Blob || typeof options.body === 'string';
    return fetch(`${apiUrl()}${path}`, {
      method,
      signal: options.signal,
      headers: {
        accept: 'application/json',
        ...(options.body !== undefined && !isRaw && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : isRaw ? (options.body as BodyInit) : JSON.stringify(options.body),
    });
  };
  let res = await attempt(await accessToken());
  if (res.status === 401) {
    const token = await refresh();
    if (!token) {
      end();
      return res;
    }
    res = await attempt(token);
    if (res.status === 401) end();
  }
  return res;
}

/** The parsed JSON body (undefined for 204), or ApiError. */
export async function call<T>(method: string, path: string, options?: CallOptions): Promise<T> {
  const res = await send(method, path, options);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const body = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, body ?? { title: res.statusText, status: res.status });
  return body as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => call<T>('GET', path, { signal });
export const post = <T>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, { body, headers });
export const patch = <T>(path: string, body: unknown, headers?: Record<string, string>) => call<T>('PATCH', path, { body, headers });
export const del = (path: string) => call<void>('DELETE', path);

/** A query string of the defined values (`?a=1&b=x`, or ''). */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Every item of a cursor-paged listing, up to `max`. */
export async function all<T>(path: string, max = 1000): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get<{ items: T[]; nextCursor?: string }>(`${path}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < max);
  return items;
}
