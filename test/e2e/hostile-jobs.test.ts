/**
 * Nothing a user sends, and nothing a job does, takes the dev-mode platform down: verbose
 * jobs, odd image names, jobs probing other runs, jobs filling their disk. Real server, real Docker.
 */
import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_NETWORK } from '../../local/docker/run-network.js';
import { containerOf as containerOfRun, gatedScript, openGate } from '../support/docker.js';
import { Client, IMAGE, signedIn, startServer, waitFor, waitForTerminal, type RunningServer } from '../support/server.js';

const MIB = 1024 * 1024;
/** The default per-run log cap (RUN_LOG_MAX_MIB). */
const LOG_CAP = 50 * MIB;
/** 100-byte lines of output (99 characters and a newline). */
const LINE = 'x'.repeat(99);
/** Bound on the server's peak resident memory while a job prints 100 MB (its baseline under tsx is ~150 MiB). */
const SERVER_MEMORY_BOUND_KIB = 400 * 1024;
const docker = new Docker();

/** Peak resident memory (VmHWM, KiB) of the server process. */
function peakMemoryKiB(server: RunningServer): number {
  const status = readFileSync(`/proc/${server.process.pid}/status`, 'utf8');
  return Number(/VmHWM:\s*(\d+) kB/.exec(status)![1]);
}

const logFile = (server: RunningServer, runId: string) => join(server.dataDir, 'logs', `${runId}.log`);

async function newApp(client: Client, fields: Record<string, unknown>): Promise<string> {
  const reply = await client.post('/apps', { name: `hostile-${Math.random().toString(36).slice(2, 10)}`, image: IMAGE, ...fields });
  expect(reply.status).toBe(201);
  return reply.body.appId;
}

async function runOf(client: Client, fields: Record<string, unknown>): Promise<string> {
  const appId = await newApp(client, fields);
  const reply = await client.post(`/apps/${appId}/runs`);
  expect(reply.status).toBe(202);
  return reply.body.runId;
}

async function messages(client: Client, runId: string): Promise<string[]> {
  return (await client.get(`/runs/${runId}/logs?limit=1000`)).body.events.map((e: { message: string }) => e.message);
}

const containerOf = async (runId: string) => (await docker.listContainers({ filters: { label: [`containerizer.runId=${runId}`] } }))[0];

describe('hostile jobs (real server and Docker)', () => {
  let server: RunningServer;
  let alice: Client;

  beforeAll(async () => {
    // A small writable layer bound, checked each second, for the disk test.
    server = await startServer({ env: { RUN_DISK_MAX_MIB: '20', RUN_DISK_CHECK_SECONDS: '1' } });
    alice = await signedIn(server.url);
  });
  afterAll(() => server?.stop());

  it('a job printing 100 MB finishes; the server stays small, its log is capped with one marker, pages come back fast', async () => {
    const runId = await runOf(alice, { command: ['sh', '-c', `yes ${LINE} | head -c 100000000`] });
    const run = await waitForTerminal(alice, runId, 180_000);
    expect(run.status).toBe('SUCCEEDED');
    expect(run.stoppedReason).toContain('log output past 50 MiB for this run was dropped');

    const peak = peakMemoryKiB(server);
    console.info(`server VmHWM after a 100 MB job: ${(peak / 1024).toFixed(0)} MiB (bound ${SERVER_MEMORY_BOUND_KIB / 1024} MiB)`);
    expect(peak).toBeLessThan(SERVER_MEMORY_BOUND_KIB);

    const size = statSync(logFile(server, runId)).size;
    console.info(`log file: ${(size / MIB).toFixed(1)} MiB for 100 MB of output (cap ${LOG_CAP / MIB} MiB)`);
    expect(size).toBeLessThanOrEqual(LOG_CAP);
    expect(size).toBeGreaterThan(LOG_CAP - MIB);
    const text = readFileSync(logFile(server, runId), 'utf8');
    const lines = text.split('\n').slice(0, -1);
    // Nothing lost before the cap: every line is the job's line, but the last, the marker.
    expect(lines.slice(0, -1).every((line) => line.endsWith(` o ${LINE}`))).toBe(true);
    expect(lines.filter((line) => line.includes('was dropped'))).toHaveLength(1);

    let started = performance.now();
    const first = await alice.get(`/runs/${runId}/logs?limit=1000`);
    const firstMs = performance.now() - started;
    expect(first.body.events).toHaveLength(1000);
    // Between the first and the last line kept: the job may run on long after the cap was reached.
    const lastKept = Number(lines.at(-2)!.slice(0, lines.at(-2)!.indexOf(' ')));
    const middle = Math.floor((first.body.events[0].timestamp + lastKept) / 2);
    started = performance.now();
    const fromMiddle = await alice.get(`/runs/${runId}/logs?limit=1000&startTime=${middle}`);
    const middleMs = performance.now() - started;
    started = performance.now();
    const next = await alice.get(`/runs/${runId}/logs?limit=1000&cursor=${fromMiddle.body.nextCursor}`);
    const nextMs = performance.now() - started;
    console.info(
      `1000-line pages of a ${(size / MIB).toFixed(0)} MiB log: first ${firstMs.toFixed(0)} ms, by startTime ${middleMs.toFixed(0)} ms, by cursor ${nextMs.toFixed(0)} ms`,
    );
    for (const page of [fromMiddle, next]) {
      expect(page.status).toBe(200);
      expect(page.body.events).toHaveLength(1000);
    }
    expect(fromMiddle.body.events[0].timestamp).toBeGreaterThanOrEqual(middle);
    expect(Math.max(firstMs, middleMs, nextMs)).toBeLessThan(3_000);
    expect((await alice.get(`/runs/${runId}/logs?cursor=12345`)).status).toBe(400);
  }, 240_000);

  it('keeps a typical log within 1.2 bytes on disk per byte of output', async () => {
    const output = 5_000_000;
    const runId = await runOf(alice, { command: ['sh', '-c', `yes ${LINE.slice(0, 79)} | head -c ${output}`] });
    expect((await waitForTerminal(alice, runId)).status).toBe('SUCCEEDED');
    const ratio = statSync(logFile(server, runId)).size / output;
    console.info(`bytes on disk per byte of output (80-byte lines): ${ratio.toFixed(3)}`);
    expect(ratio).toBeLessThanOrEqual(1.2);
    expect(ratio).toBeGreaterThan(1);
  }, 120_000);

  it.each(['..', '../x', 'http://x/y'])('refuses image %j at the edge, naming the field; the server answers', async (image) => {
    // The API's grammar check comes first; the Docker adapter refuses the same strings too (test/local/docker-runtime.test.ts).
    const reply = await alice.post('/apps', { name: `hostile-${Math.random().toString(36).slice(2, 8)}`, image, command: ['true'] });
    expect(reply.status).toBe(400);
    expect(reply.body.errors.map((e: { field: string }) => e.field)).toContain('image');
    expect((await alice.get('/health')).status).toBe(200);
  });

  it('restarts after odd image names were sent', async () => {
    await server.stop();
    server = await startServer({ dataDir: server.dataDir, env: { RUN_DISK_MAX_MIB: '20', RUN_DISK_CHECK_SECONDS: '1' } });
    alice = new Client(server.url, alice.token);
    expect((await alice.get('/health')).status).toBe(200);
  });

  describe('network', () => {
    let host: Server;
    let gateway: string;
    let hostPort: number;

    beforeAll(async () => {
      // The run network exists once a run has started (the tests above started some).
      const network = await docker.getNetwork(RUN_NETWORK).inspect();
      gateway = network.IPAM!.Config![0].Gateway!;
      host = createServer((socket) => socket.end('HOST-REACHED\n'));
      await new Promise<void>((resolve) => host.listen(0, gateway, resolve));
      hostPort = (host.address() as { port: number }).port;
    });
    afterAll(() => new Promise((resolve) => host?.close(resolve)));

    it("a run cannot open a connection to another run's container, yet reaches the host", async () => {
      const serving = await runOf(alice, {
        command: ['sh', '-c', 'mkdir /tmp/www && echo SECRET-OF-A > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www'],
        timeoutSeconds: 120,
      });
      const container = await waitFor(async () => {
        const found = await containerOf(serving);
        return found?.State === 'running' ? found : undefined;
      });
      const address = (await docker.getContainer(container.Id).inspect()).NetworkSettings.Networks[RUN_NETWORK].IPAddress;
      // Control: A serves (the host can reach it).
      const fromHost = await waitFor(async () => {
        const reply = await fetch(`http://${address}:8080/`).catch(() => undefined);
        return reply?.ok ? reply.text() : undefined;
      });
      expect(fromHost).toContain('SECRET-OF-A');

      const probe = await runOf(alice, {
        command: [
          'sh',
          '-c',
          `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${address} 8080; echo "other run: $?"; nc -w 3 ${gateway} ${hostPort} </dev/null; echo "host: $?"`,
        ],
      });
      await waitForTerminal(alice, probe);
      const seen = (await messages(alice, probe)).join('\n');
      expect(seen).not.toContain('SECRET-OF-A');
      expect(seen).toContain('HOST-REACHED');
      await alice.post(`/runs/${serving}/kill`);
    }, 120_000);
  });

  it('kills a run whose writable layer outgrows its bound, and says why', async () => {
    const runId = await runOf(alice, { command: ['sh', '-c', 'dd if=/dev/zero of=/tmp/fill bs=1M count=100 && sleep 120'], timeoutSeconds: 300 });
    const run = await waitForTerminal(alice, runId, 60_000);
    expect(run.status).toBe('FAILED');
    expect(run.stoppedReason).toMatch(/writable layer of \d+ MiB exceeded the run's bound of 20 MiB/);
  }, 90_000);
});

describe('restart mid-way through a verbose run', () => {
  let server: RunningServer | undefined;
  afterAll(() => server?.stop());

  // The job waits on a gate the test opens, so each order of "the container ends" and "the server is back" is covered, whatever the load.
  it.each([
    { ends: 'while the server is down', beforeRestart: true },
    { ends: 'after the restart', beforeRestart: false },
  ])(
    'starts and serves at once, then resumes the log where the file ends, without duplicates (job ends $ends)',
    async ({ beforeRestart }) => {
      await server?.stop();
      server = await startServer();
      const { dataDir } = server;
      const alice = await signedIn(server.url);
      const lines = 200_000;
      const [shell, flag, gated] = gatedScript(['middle', 'after-restart']);
      const runId = await runOf(alice, { command: [shell, flag, `yes ${LINE} | head -n ${lines}; ${gated}`] });
      await waitFor(async () =>
        (await messages(alice, runId)).length > 0 && readFileSync(logFile(server!, runId), 'utf8').includes(' middle\n') ? true : undefined,
      );

      await server.stop('SIGKILL');
      if (beforeRestart) {
        await openGate(runId, 1);
        await (await containerOfRun(runId)).wait();
      }
      const restarting = performance.now();
      server = await startServer({ dataDir });
      const again = new Client(server.url, alice.token);
      const page = await again.get(`/runs/${runId}/logs?limit=1000`);
      const restartMs = performance.now() - restarting;
      console.info(
        `restart with a ${(statSync(logFile(server, runId)).size / MIB).toFixed(0)} MiB log: listening and a page served in ${restartMs.toFixed(0)} ms`,
      );
      expect(page.body.events).toHaveLength(1000);
      // How fast (target < 20 s) is bench/restart.ts's figure: a timed bound here failed on loaded machines, not on a slow start.
      if (!beforeRestart) await openGate(runId, 1);

      expect((await waitForTerminal(again, runId)).status).toBe('SUCCEEDED');
      const kept = readFileSync(logFile(server, runId), 'utf8').split('\n').slice(0, -1);
      expect(kept.filter((line) => line.endsWith(` o ${LINE}`))).toHaveLength(lines);
      expect(kept.filter((line) => line.endsWith(' o middle'))).toHaveLength(1);
      expect(kept.filter((line) => line.endsWith(' o after-restart'))).toHaveLength(1);
      expect(kept).toHaveLength(lines + 2);
    },
    180_000,
  );
});
