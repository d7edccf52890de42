/**
 * The benchmarks' HTTP client of a dev-mode server: JSON in and out, a 4xx/5xx thrown with its
 * problem document, and a fresh account to call as.
 */

/** A call to the API at `url`; `token` is sent as the bearer token (an access token, or a run token). @throws Error on a 4xx/5xx. */
export type Call = (method: string, path: string, body?: unknown, token?: string) => Promise<any>;

/** The JSON client of the API at `url`. */
export function jsonClient(url: string): Call {
  return async (method, path, body, token) => {
    const res = await fetch(url + path, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
}

/** Registers `email` and signs in; returns its access token. */
export async function signUp(call: Call, email: string): Promise<string> {
  const credentials = { email, password: 'bench-password' };
  await call('POST', '/auth/register', credentials);
  return (await call('POST', '/auth/login', credentials)).accessToken;
}
