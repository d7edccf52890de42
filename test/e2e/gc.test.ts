/**
 * POST /admin/gc over real HTTP, on the real Docker engine: it removes what this server left
 * (an exited container carrying its instance label, a build beyond the newest KEPT_BUILDS) and
 * keeps a build an app names, the newest builds, and a container and an image it did not create.
 * Only admins may call it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../local/docker/docker-events.js';
import { KEPT_BUILDS } from '../../local/images/garbage-collector.js';
import { docker } from '../support/docker.js';
import { IMAGE, sampleApp, waitFor } from '../support/fixtures.js';
import { adminSignedIn, Client, signedIn, startServer, tempDataDir, type RunningServer } from '../support/server.js';

const ADMIN = `admin-${randomUUID().slice(0, 8)}@example.com`;
const FOREIGN_LABEL = 'containerizer.test.gc-foreign';
const FOREIGN_TAG = `containerizer-gc-test/foreign-${randomUUID().slice(0, 8)}`;

const dataDir = tempDataDir();
let server: RunningServer;
let admin: Client;
let bob: Client;
let instanceId: string;

/** A container of busybox that has run `true` and exited; `labels` as given. */
async function exitedContainer(labels: Record<string, string>): Promise<string> {
  const container = await docker.createContainer({ Image: IMAGE, Cmd: ['true'], Labels: labels });
  await container.start();
  await waitFor(async () => ((await container.inspect()).State.Status === 'exited' ? true : undefined), 30_000, 'the container to exit');
  return container.id;
}

const exists = (inspect: () => Promise<unknown>) =>
  inspect().then(
    () => true,
    (err: { statusCode?: number }) => (err.statusCode === 404 ? false : Promise.reject(err)),
  );

beforeAll(async () => {
  // No timer (the test collects when it means to) and no grace for exited containers.
  server = await startServer({ dataDir, env: { GC_INTERVAL_SECONDS: '0', GC_CONTAINER_GRACE_SECONDS: '0' } });
  admin = await adminSignedIn(server, ADMIN);
  bob = await signedIn(server.url);
  instanceId = readFileSync(join(dataDir, 'instance-id'), 'utf8').trim();
});

afterAll(async () => {
  await server?.stop();
  for (const c of await docker.listContainers({ all: true, filters: { label: [FOREIGN_LABEL] } })) await docker.getContainer(c.Id).remove({ force: true });
  for (const c of await docker.listContainers({ all: true, filters: { label: [`${LABELS.instanceId}=${instanceId}`] } })) {
    await docker.getContainer(c.Id).remove({ force: true });
  }
  for (const image of await docker.listImages({ filters: { label: [`${LABELS.instanceId}=${instanceId}`] } })) {
    await docker
      .getImage(image.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  await docker
    .getImage(FOREIGN_TAG)
    .remove()
    .catch(() => undefined);
});

describe('POST /admin/gc', () => {
  it('is for admins only', async () => {
    const reply = await bob.post('/admin/gc');
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ status: 403, title: 'Forbidden' });
  });

  it("removes the server's leftovers and keeps what is used or not its own", { timeout: 300_000 }, async () => {
    // KEPT_BUILDS + 2 builds, each a different image: the oldest is named by an app, the next is only old.
    const created = await admin.post('/images', { name: 'gc', files: { Dockerfile: `FROM ${IMAGE}\nCOPY v.txt /v.txt\n`, 'v.txt': '1' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { imageId } = created.body as { imageId: string };
    const digests: string[] = [];
    for (let n = 1; n <= KEPT_BUILDS + 2; n++) {
      if (n > 1) expect((await admin.patch(`/images/${imageId}`, { files: { 'v.txt': String(n) } })).status).toBe(200);
      expect((await admin.post(`/images/${imageId}/builds`)).status).toBe(202);
      const build = await waitFor(
        async () => {
          const { body } = await admin.get(`/images/${imageId}/builds/${n}`);
          return body.status === 'BUILT' || body.status === 'FAILED' ? body : undefined;
        },
        120_000,
        `build ${n}`,
      );
      expect(build.status, JSON.stringify(build)).toBe('BUILT');
      digests.push(build.digest);
    }
    expect(new Set(digests).size).toBe(digests.length);
    expect((await admin.post('/apps', sampleApp({ image: { imageId, build: 1 } }))).status).toBe(201);

    const leftover = await exitedContainer({ [LABELS.instanceId]: instanceId });
    const foreign = await exitedContainer({ [FOREIGN_LABEL]: '1' });
    await docker.getImage(IMAGE).tag({ repo: FOREIGN_TAG, tag: 'latest' });

    const reply = await admin.post('/admin/gc');
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    const { removed, bytesFreed } = reply.body as { removed: { kind: string; id: string; bytes: number; reason: string }[]; bytesFreed: number };
    expect(removed).toContainEqual({ kind: 'container', id: leftover, bytes: expect.any(Number), reason: 'exited' });
    expect(removed).toContainEqual({ kind: 'image', id: digests[1], bytes: expect.any(Number), reason: 'old build' });
    expect(removed.map((r) => r.id)).not.toContain(foreign);
    for (const kept of [digests[0], ...digests.slice(2)]) expect(removed.map((r) => r.id)).not.toContain(kept);
    expect(bytesFreed).toBe(removed.reduce((sum, r) => sum + r.bytes, 0));

    expect(await exists(() => docker.getContainer(leftover).inspect())).toBe(false);
    expect(await exists(() => docker.getContainer(foreign).inspect())).toBe(true);
    expect(await exists(() => docker.getImage(digests[1]!).inspect())).toBe(false);
    for (const kept of [digests[0]!, ...digests.slice(2)]) expect(await exists(() => docker.getImage(kept).inspect())).toBe(true);
    expect(await exists(() => docker.getImage(`${FOREIGN_TAG}:latest`).inspect())).toBe(true);
  });
});
