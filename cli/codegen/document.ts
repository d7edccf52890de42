/** The API's own OpenAPI document, as GET /openapi.json serves it, built in process (serving it touches no service). */
import { createApi } from '../../shared/http/app.js';
import type { Platform } from '../../shared/platform.js';

/** The served document (JSON), with `servers` naming `origin`. */
export async function openApiDocument(origin = 'http://127.0.0.1:3000'): Promise<Record<string, unknown>> {
  const api = createApi({} as Platform, { healthChecks: {}, clientAddress: () => undefined });
  const res = await api.request(new URL('/openapi.json', origin));
  return (await res.json()) as Record<string, unknown>;
}
