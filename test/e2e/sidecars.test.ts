/**
 * Runs of several containers over real HTTP on the real Docker engine: a sidecar with a health
 * check, a main container started once it is HEALTHY that reaches it on localhost, and the ways
 * such a run fails, stops and survives a restart of the server.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../local/docker/docker-events.js';
import { RUN_NETWORK } from '../../local/docker/run-network.js';
import { TASK_LABELS } from '../../local/docker/task-members.js';
import { containersOf, docker, waitForRelease } from '../support/docker.js';
import { sampleApp, waitFor, type AppCreateBody } from '../support/fixtures.js';
import { Client, signedIn, startServer, tempDataDir, waitForStatus, waitForTerminal, type RunningServer } from '../support/server.js';

/** busybox httpd serving one page on localhost:8080, in the foreground. */
const WEB = {
  name: 'web',
  image: 'containerizer/busybox:latest',
  command: ['sh', '-c', 'mkdir -p /www && echo hello from web > /www/index.html && exec httpd -f -p 8080 -h /www'],
};
/** Healthy once the page answers; ECS's smallest interval (5 s). */
const WEB_HEALTHY = {
  command: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:8080/ || exit 1'],
  intervalSeconds: 5,
  timeoutSeconds: 2,
  retries: 3,
  startPeriodSeconds: 0,
};
const FETCH = ['wget', '-q', '-O', '-', 'http://localhost:8080/'];

/** Runs `cmd` in the run's container `name` and waits for it to exit 0. */
async function execIn(runId: string, name: string, cmd: string[]): Promise<void> {
  const [info] = await docker.listContainers({ all: true, filters: { label: [`${LABELS.runId}=${runId}`, `${TASK_LABELS.container}=${name}`] } });
  if (!info) throw new Error(`run ${runId} has no container "${name}"`);
  const exec = await docker.getContainer(info.Id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise<void>((resolve, reject) => stream.on('end', resolve).on('error', reject).resume());
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) throw new Error(`${cmd.join(' ')} in "${name}" of run ${runId} exited with ${ExitCode}`);
}

describe('runs with sidecars', () => {
  let server: RunningServer;
  let alice: Client;

  async function start(body: Partial<AppCreateBody>): Promise<string> {
    const app = await alice.post('/apps', sampleApp(body));
    expect(app.status).toBe(201);
    const run = await alice.post(`/apps/${app.body.appId}/runs`);
    expect(run.status).toBe(202);
    return run.body.runId;
  }

  beforeAll(async () => {
    server = await startServer();
    alice = await signedIn(server.url);
  });
  afterAll(() => server.stop());

  it('starts the main container once its sidecar is HEALTHY; it reaches it on localhost; every container is recorded, logged and removed', async () => {
    const runId = await start({
      command: FETCH,
      dependsOn: [{ containerName: 'web', condition: 'HEALTHY' }],
      sidecars: [{ ...WEB, healthCheck: WEB_HEALTHY }],
    });
    const done = await waitForTerminal(alice, runId);
    expect(done).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
    expect(done.containers).toEqual([
      { name: 'app', lastStatus: 'STOPPED', exitCode: 0 },
      { name: 'web', lastStatus: 'STOPPED', exitCode: 143, healthStatus: 'HEALTHY' },
    ]);
    await waitForRelease(runId);
    const { body: logs } = await alice.get(`/runs/${runId}/logs`);
    expect(logs.events).toContainEqual({ timestamp: expect.any(Number), container: 'app', stream: 'stdout', message: 'hello from web' });
    const { body: onlyApp } = await alice.get(`/runs/${runId}/logs?container=app`);
    expect(onlyApp.events.map((e: { message: string }) => e.message)).toEqual(['hello from web']);
    expect((await alice.get(`/runs/${runId}/logs?container=no%20such`)).status).toBe(400);
  });

  it('fails the run when a dependency never becomes HEALTHY, and leaves no container behind', async () => {
    const runId = await start({
      command: FETCH,
      dependsOn: [{ containerName: 'web', condition: 'HEALTHY' }],
      sidecars: [{ ...WEB, healthCheck: { ...WEB_HEALTHY, command: ['CMD-SHELL', 'exit 1'], retries: 1 } }],
    });
    const failed = await waitForTerminal(alice, runId);
    expect(failed).toMatchObject({
      status: 'FAILED',
      stoppedReason: 'container "app" cannot start: dependency "web" will never be HEALTHY (its health check failed)',
    });
    expect(failed.containers).toEqual([
      { name: 'app', lastStatus: 'PENDING' },
      { name: 'web', lastStatus: 'STOPPED', exitCode: 143, healthStatus: 'UNHEALTHY' },
    ]);
    await waitForRelease(runId);
  });

  it('fails the run when an essential sidecar exits, naming it', async () => {
    const runId = await start({
      command: ['sleep', '600'],
      sidecars: [{ name: 'crash', image: WEB.image, command: ['sh', '-c', 'echo bye; exit 7'], essential: true }],
    });
    const failed = await waitForTerminal(alice, runId);
    expect(failed).toMatchObject({ status: 'FAILED', exitCode: 143, stoppedReason: 'Essential container in task exited: "crash" exited with code 7' });
    await waitForRelease(runId);
    const { body: logs } = await alice.get(`/runs/${runId}/logs?container=crash`);
    expect(logs.events.map((e: { container: string; message: string }) => [e.container, e.message])).toEqual([['crash', 'bye']]);
  });

  it('stops every container of the run', async () => {
    const runId = await start({ command: ['sleep', '600'], sidecars: [WEB] });
    await waitForStatus(alice, runId, 'RUNNING');
    await waitFor(async () => ((await containersOf(runId)).filter((c) => c.State === 'running').length === 2 ? true : undefined));
    // One namespace on the isolated run network, every container sandboxed as a lone run; the job's variables are the main container's only.
    const inspected = await Promise.all((await containersOf(runId)).map((c) => docker.getContainer(c.Id).inspect()));
    const byName = new Map(inspected.map((info) => [info.Config.Labels[TASK_LABELS.container], info]));
    const [app, web] = [byName.get('app')!, byName.get('web')!];
    expect(app.HostConfig.NetworkMode).toBe(RUN_NETWORK);
    expect(web.HostConfig.NetworkMode).toBe(`container:${app.Id}`);
    for (const info of [app, web]) {
      expect(info.HostConfig).toMatchObject({
        Privileged: false,
        SecurityOpt: ['no-new-privileges'],
        PidsLimit: 1024,
        Init: true,
        LogConfig: { Type: 'local' },
      });
      expect(info.HostConfig.CapDrop).toEqual(expect.arrayContaining(['NET_RAW', 'MKNOD']));
    }
    expect(app.Config.Env).toContainEqual(`CONTAINERIZER_RUN_ID=${runId}`);
    expect(web.Config.Env.filter((e) => e.startsWith('CONTAINERIZER_'))).toEqual([]);
    expect((await alice.post(`/runs/${runId}/stop`, { graceSeconds: 5 })).status).toBe(202);
    const stopped = await waitForTerminal(alice, runId);
    expect(stopped).toMatchObject({ status: 'STOPPED', exitCode: 143 });
    expect(stopped.containers.map((c: { name: string; lastStatus: string }) => [c.name, c.lastStatus])).toEqual([
      ['app', 'STOPPED'],
      ['web', 'STOPPED'],
    ]);
    await waitForRelease(runId);
  });

  it('refuses containers that do not make a valid task with a 400 naming the field', async () => {
    const reply = await alice.post(
      '/apps',
      sampleApp({
        dependsOn: [
          { containerName: 'web', condition: 'HEALTHY' },
          { containerName: 'nope', condition: 'START' },
        ],
        sidecars: [WEB],
      }),
    );
    expect(reply.status).toBe(400);
    expect(reply.body.errors.map((e: { field: string }) => e.field)).toEqual(['dependsOn.0.condition', 'dependsOn.1.containerName']);
  });
});

describe('a run with sidecars across a restart', () => {
  const dataDir = tempDataDir();
  let server: RunningServer | undefined;
  afterAll(() => server?.stop());

  it('follows every container after a crash of the server: the waiting main container starts once its sidecar is healthy', { timeout: 240_000 }, async () => {
    server = await startServer({ dataDir });
    const alice = await signedIn(server.url);
    // Healthy only once the test creates /tmp/ready: the run waits for the test, not for a timer.
    const healthCheck = { ...WEB_HEALTHY, command: ['CMD-SHELL', 'test -e /tmp/ready && wget -q -O /dev/null http://localhost:8080/'], retries: 10 };
    const { body: app } = await alice.post(
      '/apps',
      sampleApp({ command: FETCH, dependsOn: [{ containerName: 'web', condition: 'HEALTHY' }], sidecars: [{ ...WEB, healthCheck }] }),
    );
    const runId = (await alice.post(`/apps/${app.appId}/runs`)).body.runId as string;
    await waitFor(async () => ((await alice.get(`/runs/${runId}`)).body.containers?.[1]?.lastStatus === 'RUNNING' ? true : undefined));

    await server.stop('SIGKILL');
    await execIn(runId, 'web', ['touch', '/tmp/ready']);
    server = await startServer({ dataDir });
    const again = new Client(server.url, alice.token);

    const done = await waitForTerminal(again, runId);
    expect(done, done.stoppedReason).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
    expect(done.containers).toEqual([
      { name: 'app', lastStatus: 'STOPPED', exitCode: 0 },
      { name: 'web', lastStatus: 'STOPPED', exitCode: 143, healthStatus: 'HEALTHY' },
    ]);
    await waitForRelease(runId);
    const { body: logs } = await again.get(`/runs/${runId}/logs?container=app`);
    expect(logs.events.map((e: { message: string }) => e.message)).toEqual(['hello from web']);
  });
});

describe('a run with sidecars and the per-run bounds', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ env: { RUN_LOG_MAX_MIB: '1' } });
  });
  afterAll(() => server.stop());

  it("caps all containers' output together in the run's one log file, with one marker, and takes the result file from the main container", async () => {
    const alice = await signedIn(server.url);
    const { body: app } = await alice.post(
      '/apps',
      sampleApp({
        // The main container floods once the test has seen the sidecar's part in the run's log, so both are in the file before the cap.
        command: ['sh', '-c', `until [ -e /tmp/go ]; do sleep 0.1; done; yes main-line | head -c 2000000; echo '{"rows": 3}' > "$CONTAINERIZER_RESULT_FILE"`],
        dependsOn: [{ containerName: 'noisy', condition: 'HEALTHY' }],
        sidecars: [
          {
            name: 'noisy',
            image: WEB.image,
            command: ['sh', '-c', 'yes noisy-line | head -c 200000; touch /tmp/flooded; exec sleep 600'],
            essential: true,
            healthCheck: { ...WEB_HEALTHY, command: ['CMD-SHELL', 'test -e /tmp/flooded'] },
          },
        ],
      }),
    );
    const runId = (await alice.post(`/apps/${app.appId}/runs`)).body.runId as string;
    await waitFor(async () => ((await alice.get(`/runs/${runId}/logs?container=noisy&limit=5`)).body.events.length === 5 ? true : undefined));
    // The main container starts once the sidecar is healthy: open its gate as soon as it runs.
    await waitFor(() =>
      execIn(runId, 'app', ['touch', '/tmp/go']).then(
        () => true,
        () => undefined,
      ),
    );
    const done = await waitForTerminal(alice, runId, 120_000);
    expect(done).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
    expect(done.stoppedReason).toContain('log output past 1 MiB for this run was dropped');
    await waitForRelease(runId);
    expect((await alice.get(`/runs/${runId}`)).body.result).toEqual({ rows: 3 });

    const file = join(server.dataDir, 'logs', `${runId}.log`);
    expect(statSync(file).size).toBeLessThanOrEqual(1024 * 1024);
    const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
    expect(lines.filter((line) => line.includes('was dropped'))).toHaveLength(1);
    // Every line is one of the two containers' (the marker aside), each in its own format.
    expect(lines.filter((line) => !/^\d+ (o main-line|o:noisy noisy-line|x .*was dropped.*)$/.test(line))).toEqual([]);
    const { body: noisy } = await alice.get(`/runs/${runId}/logs?container=noisy&limit=5`);
    expect(noisy.events.map((e: { container: string; message: string }) => [e.container, e.message])).toEqual(
      Array.from({ length: 5 }, () => ['noisy', 'noisy-line']),
    );
    expect(lines.filter((line) => line.endsWith(' o main-line')).length).toBeGreaterThan(0);
  });
});
