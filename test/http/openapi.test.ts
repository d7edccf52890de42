/**
 * The OpenAPI document is a contract: restructuring the HTTP layer must not change it.
 * The committed snapshot is the document as served; update it only for a deliberate API change.
 */
import { describe, expect, it } from 'vitest';
import { createApi } from '../../shared/http/app.js';
import type { Platform } from '../../shared/platform.js';

describe('GET /openapi.json', () => {
  it('serves the committed OpenAPI document, byte for byte', async () => {
    // Serving the document touches no service, so an empty platform is enough.
    const api = createApi({} as Platform, { healthChecks: {}, clientAddress: () => undefined });
    const res = await api.request('/openapi.json');
    expect(res.status).toBe(200);
    const text = JSON.stringify(await res.json(), null, 2) + '\n';
    await expect(text).toMatchFileSnapshot('./openapi.snapshot.json');
  });
});
