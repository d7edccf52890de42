/**
 * Dev mode's Docker adapters against the real Docker engine and the local
 * containerizer/busybox image (see local/ensure-docker.sh): runtime, events, logs.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Run } from '../../shared/domain.js';
import type { LaunchableApp, TaskStateChange } from '../../shared/ports.js';
import { ContainerLogs } from '../../local/logs/container-logs.js';
import { LABELS, watchTaskStateChanges, type TaskStateWatch } from '../../local/docker/docker-events.js';
import { DockerRuntime } from '../../local/docker/docker-runtime.js';
import { containerName } from '../../local/docker/container-options.js';
import { DROPPED_CAPABILITIES } from '../../shared/domain.js';
import { RESULT_FILE_PATH } from '../../shared/job-env.js';
import { isImageReference } from '../../shared/image-reference.js';
import { RUN_NETWORK } from '../../local/docker/run-network.js';

const IMAGE = 'containerizer/busybox:latest';
const docker = new Docker();
const logDir = mkdtempSync(path.join(tmpdir(), 'containerizer-logs-'));
const logs = new ContainerLogs(docker, logDir, 50 * 1024 * 1024);
const runtime = new DockerRuntime(docker, logs);

function app(overrides: Partial<LaunchableApp> = {}): LaunchableApp {
  return {
    appId: 'APP1',
    ownerId: 'USER1',
    name: 'test',
    image: IMAGE,
    command: [],
    env: {},
    cpu: 0.25,
    memoryMiB: 512,
    timeoutSeconds: 60,
    retry: { maxAttempts: 1 },
    version: 1,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
    updatedBy: 'USER1',
    ...overrides,
  };
}

function run(overrides: Partial<Run> = {}): Run {
  return {
    runId: `T${randomUUID().replace(/-/g, '').toUpperCase().slice(0, 25)}`,
    appId: 'APP1',
    appName: 'test',
    ownerId: 'USER1',
    appVersion: 1,
    image: IMAGE,
    command: [],
    env: {},
    cpu: 0.25,
    memoryMiB: 512,
    timeoutSeconds: 60,
    status: 'PENDING',
    trigger: 'manual',
    attempt: 1,
    retry: { maxAttempts: 1 },
    createdAt: new Date().toISOString(),
    history: [],
    ...overrides,
  };
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('DockerRuntime, docker events and container logs (real Docker)', () => {
  const changes: TaskStateChange[] = [];
  const started: Run[] = [];
  let watch: TaskStateWatch;

  /** Starts a run and remembers it for cleanup. */
  async function launch(overrides: Partial<Run>): Promise<{ run: Run; ref: string }> {
    const r = run(overrides);
    started.push(r);
    const ref = await runtime.start({ run: r, app: app() });
    return { run: r, ref };
  }

  const stoppedState = (ref: string, runId: string) =>
    waitFor(async () => {
      const state = await runtime.describe(ref, runId);
      return state?.lastStatus === 'STOPPED' ? state : undefined;
    });

  beforeAll(async () => {
    watch = watchTaskStateChanges(docker, async (change) => {
      changes.push(change);
    });
    // Let the subscription reach the daemon before the first container is created.
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  afterEach(async () => {
    await Promise.all(started.splice(0).map((r) => runtime.remove(containerName(r.runId))));
  });

  afterAll(async () => {
    await watch.close();
    await rm(logDir, { recursive: true, force: true });
  });

  it('runs a command, reports PROVISIONING → RUNNING → STOPPED with its exit code, and keeps its logs', async () => {
    const { run: r, ref } = await launch({ command: ['sh', '-c', 'echo hello; echo oops >&2; exit 3'] });

    const seen = await waitFor(() => {
      const mine = changes.filter((c) => c.runId === r.runId);
      return mine.some((c) => c.lastStatus === 'STOPPED') ? mine : undefined;
    });
    expect(seen.map((c) => c.lastStatus)).toEqual(['PROVISIONING', 'RUNNING', 'STOPPED']);
    expect(seen.every((c) => c.taskRef === ref)).toBe(true);
    expect(seen[2]).toMatchObject({ exitCode: 3, oomKilled: false, stoppedReason: 'Essential container in task exited' });
    expect(seen[0].at.getTime()).toBeLessThanOrEqual(seen[2].at.getTime());

    // describe completes the log file of a stopped container.
    expect(await runtime.describe(ref, r.runId)).toMatchObject({
      runId: r.runId,
      taskRef: ref,
      lastStatus: 'STOPPED',
      exitCode: 3,
      oomKilled: false,
    });

    const withRef = { ...r, taskRef: ref };
    const live = await logs.read(withRef, { limit: 100 });
    await runtime.release(ref, r.runId);
    expect(await runtime.describe(ref, r.runId)).toBeNull();
    await runtime.release(ref, r.runId); // idempotent: the saved logs stay

    const saved = await logs.read(withRef, { limit: 100 });
    expect(saved).toEqual(live);
    const { events } = saved;
    expect(events).toHaveLength(2);
    expect(events).toContainEqual(expect.objectContaining({ stream: 'stdout', message: 'hello' }));
    expect(events).toContainEqual(expect.objectContaining({ stream: 'stderr', message: 'oops' }));
    expect(events[0].timestamp).toBeLessThanOrEqual(events[1].timestamp);
    expect(Math.abs(events[0].timestamp - Date.now())).toBeLessThan(60_000);

    const first = await logs.read(withRef, { limit: 1 });
    expect(first.events).toEqual([events[0]]);
    const second = await logs.read(withRef, { cursor: first.nextCursor, limit: 1 });
    expect(second.events).toEqual([events[1]]);
    const end = await logs.read(withRef, { cursor: second.nextCursor, limit: 1 });
    expect(end).toEqual({ events: [], nextCursor: second.nextCursor });
    expect(await logs.read(withRef, { limit: 10, startTime: events[1].timestamp + 1 })).toEqual({ events: [], nextCursor: second.nextCursor });
    await expect(logs.read(withRef, { cursor: 'x', limit: 1 })).rejects.toThrow('cursor is not valid');
    // A byte offset inside a line is not a cursor this API returned.
    await expect(logs.read(withRef, { cursor: String(Number(first.nextCursor) - 1), limit: 1 })).rejects.toMatchObject({ status: 400 });
    expect(await logs.read(run(), { limit: 10 })).toEqual({ events: [], nextCursor: '0' });
  });

  it('is idempotent on the run id: a second start returns the same container', async () => {
    const { run: r, ref } = await launch({ command: ['sleep', '600'] });
    expect(await runtime.start({ run: r, app: app() })).toBe(ref);
    const same = await docker.listContainers({ all: true, filters: { label: [`${LABELS.runId}=${r.runId}`] } });
    expect(same.map((c) => c.Id)).toEqual([ref]);
    expect(same[0].Names).toEqual([`/${containerName(r.runId)}`]);
    await runtime.kill(ref, 'test over');
  });

  it('stop sends SIGTERM, which reaches a shell script thanks to the init process', async () => {
    // As PID 1 this shell would ignore SIGTERM and die only at the SIGKILL (137).
    const { run: r, ref } = await launch({ command: ['sh', '-c', 'sleep 600; echo never'] });
    await waitFor(async () => ((await runtime.describe(ref, r.runId))?.lastStatus === 'RUNNING' ? true : undefined));
    const before = Date.now();
    await runtime.stop(ref, 1, 'user asked');
    const state = await stoppedState(ref, r.runId);
    expect(Date.now() - before).toBeLessThan(5_000);
    expect(state.exitCode).toBe(143);
    await runtime.stop(ref, 1, 'again'); // already stopped: not an error
  });

  it('kill ends the container with SIGKILL (137); killing a stopped or removed one is fine', async () => {
    const { run: r, ref } = await launch({ command: ['sleep', '600'] });
    await runtime.kill(ref, 'now');
    expect((await stoppedState(ref, r.runId)).exitCode).toBe(137);
    await runtime.kill(ref, 'again');
    await runtime.remove(ref);
    await runtime.kill(ref, 'gone');
    await runtime.stop(ref, 1, 'gone');
  });

  it('refuses image strings that are not Docker references before any Engine API call', async () => {
    for (const image of ['..', '../x', 'http://x/y', 'a/../b', 'UPPER', '', 'x:', 'x@sha256:12']) {
      await expect(runtime.prepare(app({ image }))).rejects.toThrow('is not a Docker image reference');
      await expect(runtime.start({ run: run({ image }), app: app({ image }) })).rejects.toThrow('is not a Docker image reference');
    }
    for (const image of ['busybox', 'containerizer/busybox:latest', 'localhost:5000/team/app:v1.2', `app@sha256:${'a'.repeat(64)}`, 'a'.repeat(64)]) {
      expect(isImageReference(image)).toBe(true);
    }
  });

  it("cannot bound the writable layer with StorageOpt on this host's storage driver (hence the periodic check)", async () => {
    const info = await docker.info();
    const backing = (info.DriverStatus as Array<[string, string]>).find(([key]) => key === 'Backing Filesystem')?.[1];
    if (info.Driver !== 'overlay2' || backing === 'xfs') return; // quotas may work there
    await expect(docker.createContainer({ Image: IMAGE, HostConfig: { StorageOpt: { size: '100M' } } })).rejects.toThrow(
      "--storage-opt is supported only for overlay over xfs with 'pquota' mount option",
    );
  });

  it('refuses images that are not local, without pulling', async () => {
    const message = 'image "containerizer/no-such-image:latest" not found locally (dev mode cannot pull from a registry; build or import it first)';
    await expect(runtime.prepare(app({ image: 'containerizer/no-such-image:latest' }))).rejects.toThrow(message);
    await expect(launch({ image: 'containerizer/no-such-image:latest' })).rejects.toThrow(message);
    await expect(runtime.prepare(app())).resolves.toBeUndefined();
  });

  it('kills a run that exceeds its memory and says so', async () => {
    const { run: r, ref } = await launch({
      memoryMiB: 6,
      command: ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo done'],
    });
    const state = await stoppedState(ref, r.runId);
    expect(state).toMatchObject({ oomKilled: true, exitCode: 137 });
    expect(state.stoppedReason).toBe('OutOfMemoryError: container killed for exceeding its memory limit (6 MiB)');
    const event = await waitFor(() => changes.find((c) => c.runId === r.runId && c.lastStatus === 'STOPPED'));
    expect(event).toMatchObject({ oomKilled: true, exitCode: 137 });
  });

  it('runs unprivileged, with the run limits, labels and env applied', async () => {
    const { run: r, ref } = await launch({
      cpu: 0.5,
      memoryMiB: 64,
      env: { GREETING: 'hi there' },
      command: ['sh', '-c', 'mknod /tmp/null c 1 3 && exit 0; [ "$GREETING" = "hi there" ] && exit 42; exit 1'],
    });
    expect((await stoppedState(ref, r.runId)).exitCode).toBe(42);
    const info = await docker.getContainer(ref).inspect();
    expect(info.HostConfig).toMatchObject({
      NanoCpus: 500_000_000,
      Memory: 64 * 1024 * 1024,
      MemorySwap: 64 * 1024 * 1024,
      Privileged: false,
      CapDrop: expect.arrayContaining([...DROPPED_CAPABILITIES]),
      SecurityOpt: ['no-new-privileges'],
      Init: true,
      AutoRemove: false,
      PidsLimit: 1024,
      NetworkMode: RUN_NETWORK,
      LogConfig: { Type: 'local', Config: { 'max-size': '16m', 'max-file': '4', compress: 'false' } },
    });
    const network = await docker.getNetwork(RUN_NETWORK).inspect();
    expect(network.Options).toMatchObject({ 'com.docker.network.bridge.enable_icc': 'false' });
    expect(info.HostConfig.Binds ?? []).toEqual([]);
    expect(info.Config.Labels).toMatchObject({ [LABELS.runId]: r.runId, [LABELS.appId]: 'APP1', [LABELS.ownerId]: 'USER1' });
  });

  it("hands the result file over from the stopped container's writable layer, without Docker's archive call; a job's link to the host is never followed", async () => {
    const handed: Array<[string, string]> = [];
    const withResults = new DockerRuntime(docker, logs, undefined, { onResultFile: async (runId, text) => void handed.push([runId, text]) });
    // Not under /tmp, so the link below does not loop (looped does).
    const host = mkdtempSync(path.join('/var/tmp', 'containerizer-host-'));
    writeFileSync(path.join(host, 'containerizer-result.json'), '{"host": true}');
    const archive = vi.spyOn(Object.getPrototypeOf(docker.getContainer('any')) as Docker.Container, 'getArchive');
    try {
      const jobs = {
        written: run({ command: ['sh', '-c', `echo '{"accuracy": 0.5}' > "${RESULT_FILE_PATH}"`] }),
        deleted: run({ command: ['sh', '-c', `echo '{}' > "${RESULT_FILE_PATH}"; rm "${RESULT_FILE_PATH}"`] }),
        none: run({ command: ['sh', '-c', ':'] }),
        // /tmp made a link to a host folder that holds a result file: inside the container it points nowhere.
        linked: run({ command: ['sh', '-c', `rm -rf /tmp && ln -s ${host} /tmp`] }),
        // A link loop Docker cannot resolve (500, "too many links"): no result, and the run still ends.
        looped: run({ command: ['sh', '-c', 'rm -rf /tmp && ln -s /tmp /tmp'] }),
      };
      started.push(...Object.values(jobs));
      const refs = await Promise.all(Object.values(jobs).map((r) => withResults.start({ run: r, app: app() })));
      const states = await Promise.all(
        Object.values(jobs).map((r, i) =>
          waitFor(async () => {
            const state = await withResults.describe(refs[i]!, r.runId);
            return state?.lastStatus === 'STOPPED' ? state : undefined;
          }),
        ),
      );
      expect(states.map((s) => s.exitCode)).toEqual([0, 0, 0, 0, 0]);
      expect(handed).toEqual([[jobs.written.runId, '{"accuracy": 0.5}\n']]);
      // Only the links sent the hand-over to Docker (which finds no file at the end of them).
      expect(archive.mock.calls.map(([options]) => options)).toEqual([{ path: RESULT_FILE_PATH }, { path: RESULT_FILE_PATH }]);
      await Promise.all(Object.values(jobs).map((r, i) => withResults.release(refs[i]!, r.runId)));
    } finally {
      archive.mockRestore();
      rmSync(host, { recursive: true, force: true });
      await withResults.close();
    }
  });
});

describe('watchTaskStateChanges (scripted event stream)', () => {
  it('splits chunked lines, keeps per-container order, survives onChange errors and resubscribes', async () => {
    const subscriptions: Array<{ options: unknown; stream: PassThrough }> = [];
    const gone = Object.assign(new Error('no such container'), { statusCode: 404 });
    const fake = {
      getEvents: async (options: unknown) => {
        const stream = new PassThrough();
        subscriptions.push({ options, stream });
        return stream;
      },
      getContainer: () => ({
        inspect: async () => {
          throw gone;
        },
      }),
    } as unknown as Docker;
    const event = (action: string, id: string, attributes: Record<string, string> = {}) =>
      JSON.stringify({
        Type: 'container',
        Action: action,
        time: 1_700_000_000,
        timeNano: 1_700_000_000_123_000_000,
        Actor: { ID: id, Attributes: { [LABELS.runId]: `run-${id}`, ...attributes } },
      }) + '\n';

    const seen: string[] = [];
    const errors: unknown[] = [];
    const watch = watchTaskStateChanges(
      fake,
      async (change) => {
        if (change.lastStatus === 'PROVISIONING') await new Promise((resolve) => setTimeout(resolve, 50));
        seen.push(`${change.taskRef}:${change.lastStatus}:${change.exitCode ?? ''}:${change.oomKilled ?? ''}`);
        if (change.taskRef === 'b') throw new Error('handler failed');
      },
      { reconnectDelayMs: 10, onError: (err) => errors.push(err) },
    );
    await waitFor(() => subscriptions[0]);

    const create = event('create', 'a');
    subscriptions[0].stream.write(create.slice(0, 20));
    subscriptions[0].stream.write(create.slice(20) + event('start', 'a'));
    subscriptions[0].stream.write(event('create', 'b'));
    subscriptions[0].stream.end();

    await waitFor(() => subscriptions[1]);
    expect(subscriptions[1].options).toMatchObject({ since: 1_700_000_000 });
    subscriptions[1].stream.write(event('oom', 'a') + event('die', 'a', { exitCode: '137' }));
    await waitFor(() => (seen.length === 4 ? true : undefined));
    await watch.close();

    expect(seen.filter((s) => s.startsWith('a:'))).toEqual(['a:PROVISIONING::', 'a:RUNNING::', 'a:STOPPED:137:true']);
    expect(seen).toContain('b:PROVISIONING::');
    expect(errors).toEqual([expect.objectContaining({ message: 'handler failed' })]);
  });
});
