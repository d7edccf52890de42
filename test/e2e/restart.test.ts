/**
 * A restart loses no run: the server is killed (SIGKILL) mid-run and started again on the
 * same data directory; it reconciles the runs the first process left active.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { containerOf, gatedScript, openGate, waitForRelease } from '../support/docker.js';
import { PASSWORD, sampleApp, waitFor } from '../support/fixtures.js';
import { Client, signedIn, startServer, tempDataDir, waitForStatus, waitForTerminal, type RunningServer } from '../support/server.js';

describe('restart', () => {
  const dataDir = tempDataDir();
  let server: RunningServer | undefined;
  afterAll(() => server?.stop());

  // Two server starts and three runs: a generous budget for a loaded machine; every wait inside has its own deadline.
  it(
    'follows runs that outlive the process, settles runs that finished while it was down, and fails runs whose container vanished',
    {
      timeout: 300_000,
    },
    async () => {
      server = await startServer({ dataDir });
      const alice = await signedIn(server.url);
      // Each run prints "begin", then waits for the test to open its gate: it ends when the test says, not on a timer.
      const { body: app } = await alice.post('/apps', sampleApp({ name: 'survivor', command: gatedScript(['begin', 'done']) }));
      const start = async () => (await alice.post(`/apps/${app.appId}/runs`)).body.runId as string;
      const finishesWhileDown = await start();
      const outlivesRestart = await start();
      const vanishes = await start();
      for (const id of [finishesWhileDown, outlivesRestart, vanishes]) await waitForStatus(alice, id, 'RUNNING');

      await server.stop('SIGKILL');
      await (await containerOf(vanishes)).remove({ force: true });
      await openGate(finishesWhileDown, 1);
      await (await containerOf(finishesWhileDown)).wait();

      server = await startServer({ dataDir });
      const again = new Client(server.url, alice.token); // tokens survive: the secret is kept in the data dir
      const settled = await waitForTerminal(again, finishesWhileDown);
      expect(settled).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
      const logs = await waitFor(async () => {
        const { events } = (await again.get(`/runs/${finishesWhileDown}/logs`)).body;
        return events.length >= 2 ? events : undefined;
      });
      expect(logs.map((e: { message: string }) => e.message)).toEqual(['begin', 'done']);

      const lost = await waitForTerminal(again, vanishes);
      expect(lost.status).toBe('FAILED');
      expect(lost.stoppedReason).toContain('task disappeared');

      expect((await again.get(`/runs/${outlivesRestart}`)).body.status).toBe('RUNNING');
      await openGate(outlivesRestart, 1);
      const followed = await waitForTerminal(again, outlivesRestart);
      expect(followed).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
      const history = (await again.get(`/runs/${outlivesRestart}/history`)).body.history.map((h: { status: string }) => h.status);
      expect(history).toEqual(['PENDING', 'PROVISIONING', 'RUNNING', 'SUCCEEDED']);
      await waitForRelease(outlivesRestart);
    },
  );

  it('keeps accounts, apps and history across a clean restart', async () => {
    const dir = tempDataDir();
    let s = await startServer({ dataDir: dir });
    const bob = await signedIn(s.url, 'bob-restart@example.com');
    const { body: app } = await bob.post('/apps', sampleApp({ name: 'kept', command: ['true'] }));
    const runId = (await bob.post(`/apps/${app.appId}/runs`)).body.runId;
    await waitForTerminal(bob, runId);
    await s.stop();
    s = await startServer({ dataDir: dir });
    try {
      const relogin = await new Client(s.url).post('/auth/login', { email: 'bob-restart@example.com', password: PASSWORD });
      const bob2 = new Client(s.url, relogin.body.accessToken);
      expect((await bob2.get(`/apps/${app.appId}`)).body.name).toBe('kept');
      expect((await bob2.get(`/runs/${runId}`)).body.status).toBe('SUCCEEDED');
    } finally {
      await s.stop();
    }
  });
});
