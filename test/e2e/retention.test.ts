/**
 * Retention in dev mode, on the real server (in process, so the test can move the clock) with
 * dynalite and Docker: an expired run is never listed, and the start-up sweep deletes it with
 * its results, metric points and log file; a run kept forever stays.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../local/config.js';
import { startServer, type LocalServer } from '../../local/server.js';
import { waitForRelease } from '../support/docker.js';
import { PASSWORD, sampleApp, waitFor } from '../support/fixtures.js';
import { Client, signedIn, tempDataDir, waitForTerminal } from '../support/server.js';

const DAY_MS = 86_400_000;

async function logIn(url: string, email: string): Promise<Client> {
  const client = new Client(url);
  client.token = (await client.post('/auth/login', { email, password: PASSWORD })).body.accessToken;
  return client;
}

describe('retention', () => {
  let server: LocalServer | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await server?.close();
  });

  async function finishedRun(alice: Client, retentionDays: number): Promise<{ appId: string; runId: string }> {
    const script = `echo "kept $RETENTION"; echo '{"score": ${retentionDays + 1}}' > "$CONTAINERIZER_RESULT_FILE"`;
    const app = (
      await alice.post(
        '/apps',
        sampleApp({ command: [], retentionDays, env: { RETENTION: String(retentionDays) }, script: { language: 'sh', source: script } }),
      )
    ).body;
    expect(app.retentionDays).toBe(retentionDays);
    const { runId } = (await alice.post(`/apps/${app.appId}/runs`)).body;
    await waitForTerminal(alice, runId);
    await waitForRelease(runId);
    await waitFor(async () => ((await alice.get(`/runs/${runId}`)).body.result ? true : undefined), 30_000, 'the result file');
    return { appId: app.appId, runId };
  }

  it('hides an expired run from every listing at once and deletes it, its results and its log file at the next start', async () => {
    const dataDir = tempDataDir();
    const config = { ...loadConfig({ DATA_DIR: dataDir, JWT_SECRET: 'retention-test-secret-0123456789-abcdef' }), port: 0 };
    const logFile = (runId: string) => join(dataDir, 'logs', `${runId}.log`);
    server = await startServer(config);
    const email = `retention-${Date.now()}@example.com`;
    let alice = await signedIn(server.url, email);
    const expiring = await finishedRun(alice, 1);
    const forever = await finishedRun(alice, 0);
    expect(existsSync(logFile(expiring.runId))).toBe(true);
    const listed = async () => (await alice.get('/runs')).body.items.map((r: { runId: string }) => r.runId);
    expect(await listed()).toEqual([forever.runId, expiring.runId]);

    // Two days on: past the 1-day retention. Tokens are time-bound too, so sign in again.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 2 * DAY_MS);
    alice = await logIn(server.url, email);
    expect(await listed()).toEqual([forever.runId]);
    expect((await alice.get(`/runs?appId=${expiring.appId}`)).body.items).toEqual([]);
    expect((await alice.get(`/apps/${expiring.appId}/metrics?name=score`)).body.items).toEqual([]);

    // Dynalite has no TTL: the sweep at start-up deletes what expired.
    await server.close();
    server = await startServer(config);
    alice = await logIn(server.url, email);
    expect(existsSync(logFile(expiring.runId))).toBe(false);
    expect((await alice.get(`/runs/${expiring.runId}`)).status).toBe(404);
    expect((await alice.get(`/runs/${expiring.runId}/history`)).status).toBe(404);
    expect(await listed()).toEqual([forever.runId]);
    expect(existsSync(logFile(forever.runId))).toBe(true);
    expect((await alice.get(`/runs/${forever.runId}`)).body.result).toEqual({ score: 1 });
    expect((await alice.get(`/apps/${forever.appId}/metrics?name=score`)).body.items).toHaveLength(1);
  });
});
