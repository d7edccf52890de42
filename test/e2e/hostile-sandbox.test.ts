/**
 * Jobs and builds stay in their sandbox (issue 14): neither reaches a service the host listens
 * on at 0.0.0.0 (yet a job still posts its result), a job writing into its image's VOLUME is
 * bounded and leaves no volume, a failed build leaves no layer. Real server, real Docker; the
 * network cases need the server to run as root (it installs iptables rules; see local/docker/host-firewall.ts).
 */
import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextTar, contextFromFiles } from '../../shared/build-context.js';
import { readLines } from '../../local/docker/docker-events.js';
import { bridgeGateway } from '../../local/result-listener.js';
import { runNetworkBridge } from '../../local/docker/run-network.js';
import { containersOf, waitForRelease } from '../support/docker.js';
import { Client, IMAGE, signedIn, startServer, waitFor, waitForTerminal, type RunningServer } from '../support/server.js';

const docker = new Docker();
const asRoot = process.getuid?.() === 0;

async function runOf(client: Client, fields: Record<string, unknown>): Promise<string> {
  const app = await client.post('/apps', { name: `sandbox-${randomUUID().slice(0, 8)}`, image: IMAGE, ...fields });
  expect(app.status, JSON.stringify(app.body)).toBe(201);
  const run = await client.post(`/apps/${app.body.appId}/runs`);
  expect(run.status, JSON.stringify(run.body)).toBe(202);
  return run.body.runId;
}

async function runLog(client: Client, runId: string): Promise<string> {
  return (await client.get(`/runs/${runId}/logs?limit=1000`)).body.events.map((e: { message: string }) => e.message).join('\n');
}

/** Creates an image from `files`, builds it through the API and returns the ended build and its log lines. */
async function buildThroughApi(client: Client, files: Record<string, string>): Promise<{ imageId: string; build: any; log: string[] }> {
  const image = await client.post('/images', { name: `sandbox-${randomUUID().slice(0, 8)}`, files });
  expect(image.status, JSON.stringify(image.body)).toBe(201);
  const { imageId } = image.body;
  expect((await client.post(`/images/${imageId}/builds`)).status).toBe(202);
  const build = await waitFor(
    async () => {
      const { body } = await client.get(`/images/${imageId}/builds/1`);
      return body.status === 'BUILT' || body.status === 'FAILED' ? body : undefined;
    },
    180_000,
    `build of ${imageId}`,
  );
  const log = (await client.get(`/images/${imageId}/builds/1/logs?limit=1000`)).body.events.map((e: { message: string }) => e.message);
  return { imageId, build, log };
}

describe('the sandbox of jobs and builds (real server and Docker)', () => {
  let server: RunningServer;
  let alice: Client;
  /** A host service on every address, as a database or an admin port would be; counts who connects. */
  let host: Server;
  let hostPort: number;
  let connections = 0;
  /** The host's addresses a container could try: the default bridge's gateway (host.containers.internal) and the runs network's. */
  let gateways: string[];

  beforeAll(async () => {
    server = await startServer({ env: { RUN_DISK_MAX_MIB: '20', RUN_DISK_CHECK_SECONDS: '1' } });
    alice = await signedIn(server.url);
    host = createServer((socket) => {
      connections++;
      socket.end('HOST-REACHED\n');
    });
    await new Promise<void>((resolve) => host.listen(0, '0.0.0.0', resolve));
    hostPort = (host.address() as { port: number }).port;
    // The server made the run network at start-up (it isolates it from the host there).
    gateways = [(await bridgeGateway(docker))!, (await runNetworkBridge(docker)).gateway!];
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await new Promise((resolve) => host?.close(resolve));
  });

  const probes = () => gateways.map((gateway) => `nc -w 3 ${gateway} ${hostPort} </dev/null; echo "probe ${gateway}: $?"`).join('; ');

  it.skipIf(!asRoot)(
    'a job cannot connect to a host service listening on 0.0.0.0, yet posts its result through the result listener',
    async () => {
      // Control: the service answers whoever reaches it.
      const greeting = await new Promise<string>((resolve, reject) => {
        let text = '';
        connect(hostPort, '127.0.0.1')
          .on('data', (d) => (text += d))
          .on('end', () => resolve(text))
          .on('error', reject);
      });
      expect(greeting).toBe('HOST-REACHED\n');
      const before = connections;

      const post = `wget -q -O- --header "authorization: Bearer $CONTAINERIZER_RUN_TOKEN" --header 'content-type: application/json' --post-data '{"reached": false}' "$CONTAINERIZER_RESULT_URL" && echo posted`;
      const runId = await runOf(alice, {
        command: ['sh', '-c', `nc -w 3 host.containers.internal ${hostPort} </dev/null; echo "probe alias: $?"; ${probes()}; ${post}`],
      });
      const run = await waitForTerminal(alice, runId);
      const log = await runLog(alice, runId);
      expect(run.status, log).toBe('SUCCEEDED');
      expect(log).not.toContain('HOST-REACHED');
      expect(log).toMatch(/probe alias: 1/);
      for (const gateway of gateways) expect(log).toContain(`probe ${gateway}: 1`);
      expect(connections).toBe(before);
      expect(log).toContain('posted');
      expect((await alice.get(`/runs/${runId}`)).body.result).toEqual({ reached: false });
    },
    120_000,
  );

  it.skipIf(!asRoot)(
    "a build's RUN step cannot connect to a host service listening on 0.0.0.0 either",
    async () => {
      const before = connections;
      const { build, log } = await buildThroughApi(alice, { Dockerfile: `FROM ${IMAGE}\nRUN ${probes()}; echo probed-${randomUUID()}\n` });
      expect(build.status, build.reason).toBe('BUILT');
      expect(log).not.toContain('HOST-REACHED');
      for (const gateway of gateways) expect(log).toContain(`probe ${gateway}: 1`);
      expect(connections).toBe(before);
    },
    240_000,
  );

  describe('a VOLUME of the image', () => {
    const volumeImage = `containerizer-test/volume-${randomUUID().slice(0, 8)}:1`;

    beforeAll(async () => {
      const output = await docker.buildImage(
        contextTar(contextFromFiles({ Dockerfile: `FROM ${IMAGE}\nVOLUME /data\n` })) as unknown as NodeJS.ReadableStream,
        {
          t: volumeImage,
          version: '1',
          rm: true,
          forcerm: true,
        },
      );
      const errors: string[] = [];
      await readLines(output as never, (line) => {
        const message = JSON.parse(line) as { error?: string };
        if (message.error) errors.push(message.error);
      });
      expect(errors).toEqual([]);
    }, 120_000);
    afterAll(() => docker.getImage(volumeImage).remove({ force: true }));

    it('a job writing past its disk bound into it is killed with the reason, and no volume is left after the run', async () => {
      const runId = await runOf(alice, {
        image: volumeImage,
        command: ['sh', '-c', 'dd if=/dev/zero of=/data/fill bs=1M count=100 && sleep 120'],
        timeoutSeconds: 300,
      });
      // The run's volumes, seen while its container exists.
      const volumes = await waitFor(async () => {
        const [container] = await containersOf(runId);
        const names = container?.Mounts.filter((m) => m.Type === 'volume').map((m) => m.Name!);
        return names?.length ? names : undefined;
      });
      const run = await waitForTerminal(alice, runId, 90_000);
      expect(run.status).toBe('FAILED');
      expect(run.stoppedReason).toMatch(/writable layer and volumes of \d+ MiB exceeded the run's bound of 20 MiB/);
      await waitForRelease(runId);
      for (const name of volumes) await expect(docker.getVolume(name).inspect(), `volume ${name}`).rejects.toMatchObject({ statusCode: 404 });
    }, 180_000);
  });

  it('a build whose second step fails leaves no image or container of it once FAILED', async () => {
    const { build, log } = await buildThroughApi(alice, { Dockerfile: `FROM ${IMAGE}\nRUN echo ${randomUUID()} > /first\nRUN exit 3\n` });
    expect(build.status).toBe('FAILED');
    const containers = log.flatMap((line) => /^ ---> Running in ([0-9a-f]+)$/.exec(line)?.[1] ?? []);
    // The image lines after the FROM's (the base image): the first step's fresh layer.
    const images = log.flatMap((line) => /^ ---> ([0-9a-f]{12})$/.exec(line)?.[1] ?? []).slice(1);
    expect(containers).toHaveLength(2);
    expect(images).toHaveLength(1);
    for (const id of images) await expect(docker.getImage(id).inspect(), `image ${id}`).rejects.toMatchObject({ statusCode: 404 });
    for (const id of containers) await expect(docker.getContainer(id).inspect(), `container ${id}`).rejects.toMatchObject({ statusCode: 404 });
  }, 240_000);
});
