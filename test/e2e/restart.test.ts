/**
 * A restart loses no run: the server is killed (SIGKILL) mid-run and started again on the
 * same data directory; it reconciles the runs the first process left active.
 */
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { Client, IMAGE, signedIn, startServer, tempDataDir, waitFor, waitForTerminal, type RunningServer } from '../support/server.js';

describe('restart', () => {
  const dataDir = tempDataDir();
  const docker = new Docker();
  let server: RunningServer | undefined;
  afterAll(() => server?.stop());

  it('follows runs that outlive the process, settles runs that finished while it was down, and fails runs whose container vanished', async () => {
    server = await startServer({ dataDir });
    const alice = await signedIn(server.url);
    const { body: app } = await alice.post('/apps', { name: 'survivor', image: IMAGE, command: ['sh', '-c', 'echo begin; sleep "$PAUSE"; echo done'] });
    const start = async (pause: number) => (await alice.post(`/apps/${app.appId}/runs`, { env: { PAUSE: String(pause) } })).body.runId as string;
    const finishesWhileDown = await start(1);
    const outlivesRestart = await start(8);
    const vanishes = await start(600);
    for (const id of [finishesWhileDown, outlivesRestart, vanishes]) {
      await waitFor(async () => ((await alice.get(`/runs/${id}`)).body.status === 'RUNNING' ? true : undefined));
    }

    await server.stop('SIGKILL');
    const containerOf = async (runId: string) => (await docker.listContainers({ all: true, filters: { label: [`containerizer.runId=${runId}`] } }))[0]!;
    await docker.getContainer((await containerOf(vanishes)).Id).remove({ force: true });
    await docker.getContainer((await containerOf(finishesWhileDown)).Id).wait();

    server = await startServer({ dataDir });
    const again = new Client(server.url, alice.token); // tokens survive: the secret is kept in the data dir
    const settled = await waitForTerminal(again, finishesWhileDown);
    expect(settled).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
    expect((await again.get(`/runs/${finishesWhileDown}/logs`)).body.events.map((e: { message: string }) => e.message)).toEqual(['begin', 'done']);

    const lost = await waitForTerminal(again, vanishes);
    expect(lost.status).toBe('FAILED');
    expect(lost.stoppedReason).toContain('task disappeared');

    expect((await again.get(`/runs/${outlivesRestart}`)).body.status).toBe('RUNNING');
    const followed = await waitForTerminal(again, outlivesRestart);
    expect(followed).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
    const history = (await again.get(`/runs/${outlivesRestart}/history`)).body.history.map((h: { status: string }) => h.status);
    expect(history).toEqual(['PENDING', 'PROVISIONING', 'RUNNING', 'SUCCEEDED']);
    await waitFor(async () =>
      (await docker.listContainers({ all: true, filters: { label: [`containerizer.runId=${outlivesRestart}`] } })).length === 0 ? true : undefined,
    );
  });

  it('keeps accounts, apps and history across a clean restart', async () => {
    const dir = tempDataDir();
    let s = await startServer({ dataDir: dir });
    const bob = await signedIn(s.url, 'bob-restart@example.com');
    const { body: app } = await bob.post('/apps', { name: 'kept', image: IMAGE, command: ['true'] });
    const runId = (await bob.post(`/apps/${app.appId}/runs`)).body.runId;
    await waitForTerminal(bob, runId);
    await s.stop();
    s = await startServer({ dataDir: dir });
    try {
      const relogin = await new Client(s.url).post('/auth/login', { email: 'bob-restart@example.com', password: 'correct horse battery' });
      const bob2 = new Client(s.url, relogin.body.accessToken);
      expect((await bob2.get(`/apps/${app.appId}`)).body.name).toBe('kept');
      expect((await bob2.get(`/runs/${runId}`)).body.status).toBe('SUCCEEDED');
    } finally {
      await s.stop();
    }
  });
});
