/**
 * The signed-in session. The access token (15 minutes) lives in memory only: no script of
 * another origin, and no URL, ever sees it. The refresh token (each works once: the API rotates
 * them) is kept in this origin's localStorage, so the session survives a reload and is shared by
 * the console's tabs; the same-origin policy keeps other origins' scripts from it, and it never
 * appears in a URL. (An HttpOnly cookie would also hide it from this origin's own scripts, but the
 * API takes refresh tokens in a JSON body, and a cookie would bring CSRF defences with it.)
 *
 * A refresh runs under a Web Lock, so two tabs never spend the same refresh token: the second
 * reads the token the first one stored. The access token is renewed a minute before it expires,
 * and whenever the API answers 401; when the refresh token is refused the session ends and the
 * console returns to sign-in.
 */
import { apiUrl } from './config.js';
import type { TokenSet } from './types.js';

const REFRESH_KEY = 'containerizer.refreshToken';
const LOCK = 'containerizer.refresh';
/** Renew this long (ms) before the access token expires. */
const EARLY_MS = 60_000;

let access: { token: string; expiresAt: number } | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<string | undefined> | undefined;
const listeners = new Set<(signedIn: boolean) => void>();

/** Called with false when the session ends (signed out, or its refresh token refused). */
export function onSessionChange(listener: (signedIn: boolean) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** True while an access token is held that is not about to expire (just signed in or refreshed). */
export const isSignedIn = () => access !== undefined && access.expiresAt - Date.now() > EARLY_MS / 2;

/** True when a refresh token is kept (the session may be resumed). */
export const hasSession = () => access !== undefined || localStorage.getItem(REFRESH_KEY) !== null;

function keep(tokens: TokenSet): string {
  localStorage.setItem(REFRESH_KEY, tokens.refreshToken);
  access = { token: tokens.accessToken, expiresAt: Date.now() + tokens.expiresIn * 1000 };
  clearTimeout(timer);
  timer = setTimeout(() => void refresh(), Math.max(tokens.expiresIn * 1000 - EARLY_MS, 5_000));
  listeners.forEach((listener) => listener(true));
  return tokens.accessToken;
}

/** Forgets both tokens (signing out, or a refused refresh). */
export function end(): void {
  access = undefined;
  clearTimeout(timer);
  localStorage.removeItem(REFRESH_KEY);
  listeners.forEach((listener) => listener(false));
}

/** A problem from /auth: its status and document, for the sign-in form. */
export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string; errors?: { field: string; message: string }[] },
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

async function postAuth<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`${apiUrl()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new AuthError(res.status, json);
  return json as T;
}

/** Signs in; throws AuthError (401 wrong credentials, 429 too many attempts). */
export async function signIn(email: string, password: string): Promise<void> {
  keep(await postAuth<TokenSet>('/auth/login', { email, password }));
}

/** Registers, then signs in; throws AuthError (403 closed or restricted, 409 taken). */
export async function register(email: string, password: string, inviteCode?: string): Promise<void> {
  await postAuth('/auth/register', { email, password, ...(inviteCode && { inviteCode }) });
  await signIn(email, password);
}

/** Trades the kept refresh token for a new pair; undefined (and the session ended) when it is refused. */
export function refresh(): Promise<string | undefined> {
  refreshing ??= withLock(async () => {
    const refreshToken = localStorage.getItem(REFRESH_KEY);
    if (!refreshToken) return undefined;
    try {
      return keep(await postAuth<TokenSet>('/auth/refresh', { refreshToken }));
    } catch (err) {
      // A refused token ends the session; a network failure or a 429 leaves it for the next try.
      if (err instanceof AuthError && (err.status === 400 || err.status === 401)) end();
      return undefined;
    }
  }).finally(() => (refreshing = undefined));
  return refreshing;
}

/** A valid access token, refreshed first when it is (nearly) expired; undefined when signed out. */
export async function accessToken(): Promise<string | undefined> {
  return isSignedIn() ? access!.token : refresh();
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  // `await` flattens the lock's Promise<Promise<T>> (the callback's own promise) whichever DOM typings describe it.
  return navigator.locks ? await navigator.locks.request(LOCK, work) : work();
}
