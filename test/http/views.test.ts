/** The run view: what GET /runs/{runId} and friends may show of a stored run. */
import { describe, expect, it } from 'vitest';
import { runView } from '../../shared/http/views.js';
import { sampleRun } from '../support/fixtures.js';

describe('runView', () => {
  it('masks secret-looking env values and drops the history and the stop request', () => {
    const run = sampleRun({
      env: { GREETING: 'hi', DB_PASSWORD: 's3cret', API_TOKEN: 't0ken' },
      stopRequest: { status: 'STOPPED', reason: 'stopped by user-1', at: '2030-01-01T00:00:04.000Z' },
    });
    const view = runView(run);
    expect(view.env).toEqual({ GREETING: 'hi', DB_PASSWORD: '****', API_TOKEN: '****' });
    expect(view).not.toHaveProperty('history');
    expect(view).not.toHaveProperty('stopRequest');
    const { history: _history, stopRequest: _stopRequest, env: _env, ...rest } = run;
    expect(view).toMatchObject(rest);
  });

  it("masks the sidecars' secret-looking env values too", () => {
    const db = { name: 'db', image: 'postgres:16', essential: true, env: { POSTGRES_PASSWORD: 'pw', POSTGRES_DB: 'tools' } };
    const view = runView(sampleRun({ sidecars: [db, { name: 'cache', image: 'redis:7', essential: false }] }));
    expect(view.sidecars).toEqual([
      { ...db, env: { POSTGRES_PASSWORD: '****', POSTGRES_DB: 'tools' } },
      { name: 'cache', image: 'redis:7', essential: false },
    ]);
  });

  it('leaves the stored run as it was', () => {
    const run = sampleRun({ env: { SECRET_KEY: 'k' } });
    runView(run);
    expect(run.env).toEqual({ SECRET_KEY: 'k' });
    expect(run.history).toHaveLength(4);
  });
});
