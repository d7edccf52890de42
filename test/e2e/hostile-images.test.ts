/**
 * Issue 14, tried as an attacker would with two accounts on the real dev server and Docker:
 * built images named by their tag (apps, sidecars, Dockerfiles), ADD from the host's network,
 * the admin role from an unverified address, and one build queue for everyone. Alice's builds
 * run as root, which the scan policy (HIGH) refuses: a tag string must not get past it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateContainer, gatedDockerfile, openBuildGate } from '../support/docker.js';
import { IMAGE, PASSWORD, sampleApp, waitFor } from '../support/fixtures.js';
import { adminCommand, signedIn, startServer, waitForTerminal, type Client, type RunningServer } from '../support/server.js';

const BASE = `FROM ${IMAGE}`;
const MAX_IMAGES = 6;
const MAX_BUILDS = 2;

describe('hostile images', () => {
  let server: RunningServer;
  let alice: Client;
  let bob: Client;
  const boss = `boss-${randomUUID().slice(0, 8)}@example.com`;

  beforeAll(async () => {
    server = await startServer({
      env: {
        SCAN_SEVERITY_THRESHOLD: 'HIGH',
        ADMIN_EMAILS: boss,
        MAX_IMAGES_PER_USER: String(MAX_IMAGES),
        MAX_CONCURRENT_BUILDS_PER_USER: String(MAX_BUILDS),
        BUILD_CONCURRENCY: '2',
      },
    });
    alice = await signedIn(server.url);
    bob = await signedIn(server.url);
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function createImage(client: Client, Dockerfile: string, buildArgs?: Record<string, string>) {
    const reply = await client.post('/images', { name: `img-${randomUUID().slice(0, 8)}`, files: { Dockerfile }, ...(buildArgs && { buildArgs }) });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return reply.body.imageId as string;
  }

  async function startBuild(client: Client, imageId: string): Promise<number> {
    const reply = await client.post(`/images/${imageId}/builds`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    return reply.body.number;
  }

  /** Waits until the build is FAILED, or BUILT and scanned (the scan follows BUILT: the policy refuses a build not scanned yet). */
  function waitForBuild(client: Client, imageId: string, number: number, timeoutMs = 180_000) {
    return waitFor(
      async () => {
        const { body } = await client.get(`/images/${imageId}/builds/${number}`);
        return (body.status === 'BUILT' && body.scan) || body.status === 'FAILED' ? body : undefined;
      },
      timeoutMs,
      `build ${number} of ${imageId}`,
    );
  }

  describe("a built image's tag string", () => {
    let rooted: { imageId: string; imageRef: string };
    let clean: { imageId: string; imageRef: string };

    beforeAll(async () => {
      const rootedId = await createImage(alice, `${BASE}\nRUN echo secret-of-alice > /secret\n`);
      const cleanId = await createImage(alice, `${BASE}\nRUN echo clean > /clean\nUSER 1000\n`);
      const [r, c] = await Promise.all([
        waitForBuild(alice, rootedId, await startBuild(alice, rootedId)),
        waitForBuild(alice, cleanId, await startBuild(alice, cleanId)),
      ]);
      expect([r.status, c.status]).toEqual(['BUILT', 'BUILT']);
      rooted = { imageId: rootedId, imageRef: r.imageRef };
      clean = { imageId: cleanId, imageRef: c.imageRef };
    });

    it('does not get past the scan policy: an app naming its own build by tag is refused, as {imageId} is refused at run time', async () => {
      const byTag = await alice.post('/apps', sampleApp({ image: rooted.imageRef }));
      expect(byTag.status, JSON.stringify(byTag.body)).toBe(400);
      expect(byTag.body.detail).toContain(`{"imageId": "${rooted.imageId}", "build": 1}`);
      const sidecar = await alice.post('/apps', sampleApp({ sidecars: [{ name: 'db', image: rooted.imageRef }] }));
      expect(sidecar.status).toBe(400);
      expect(sidecar.body.errors).toEqual([expect.objectContaining({ field: 'sidecars.0.image' })]);
      const app = await alice.post('/apps', sampleApp({ image: { imageId: rooted.imageId }, command: ['cat', '/secret'] }));
      expect(app.status).toBe(201);
      const run = await alice.post(`/apps/${app.body.appId}/runs`, {});
      expect((await waitForTerminal(alice, run.body.runId)).stoppedReason).toMatch(/HIGH/);
      // Nor by changing an app to the tag.
      const patched = await alice.patch(`/apps/${app.body.appId}`, { image: rooted.imageRef });
      expect(patched.status).toBe(400);
    });

    it('lets no other user run it or build on it, whatever the spelling', async () => {
      for (const image of [clean.imageRef, `docker.io/${clean.imageRef}`, 'containerizer-img/anything:1']) {
        const reply = await bob.post('/apps', sampleApp({ image }));
        expect(reply.status, image).toBe(400);
      }
      const tagged = (name: string) => `${BASE} AS ${name}\n`;
      for (const [Dockerfile, buildArgs] of [
        [`FROM ${clean.imageRef}\n`, undefined],
        [`ARG BASE=${IMAGE}\nFROM \${BASE}\n`, { BASE: clean.imageRef }],
        [`${tagged('x')}COPY --from=${clean.imageRef} /clean /stolen\n`, undefined],
        [`${BASE}\nRUN --mount=type=bind,from=${clean.imageRef},target=/m cat /m/clean\n`, undefined],
        [`${BASE}\nRUN <<EOF\nFROM ${clean.imageRef}\nEOF\n`, undefined],
      ] as const) {
        const reply = await bob.post('/images', { name: 'steal', files: { Dockerfile }, ...(buildArgs && { buildArgs }) });
        expect(reply.status, Dockerfile).toBe(400);
        expect(reply.body.detail, Dockerfile).toMatch(/names no image of yours/);
      }
      // Build args changed later are checked too.
      const imageId = await createImage(bob, `ARG BASE=${IMAGE}\nFROM \${BASE}\n`);
      const changed = await bob.patch(`/images/${imageId}`, { buildArgs: { BASE: clean.imageRef } });
      expect(changed.status).toBe(400);
    });

    it('lets its owner build on a BUILT build the scan policy passes, and refuses one it does not', async () => {
      const derived = await createImage(alice, `FROM ${clean.imageRef}\nRUN cat /clean\n`);
      expect((await waitForBuild(alice, derived, await startBuild(alice, derived))).status).toBe('BUILT');
      const onRooted = await createImage(alice, `FROM ${rooted.imageRef}\nUSER 1000\n`);
      const refused = await alice.post(`/images/${onRooted}/builds`);
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      expect(refused.body.detail).toMatch(/scan policy refuses/);
    });
  });

  it("refuses ADD from the network (the daemon would fetch it from the host's loopback), naming the line", async () => {
    const { port } = new URL(server.url);
    for (const Dockerfile of [
      `${BASE}\nADD http://127.0.0.1:${port}/health /health\n`,
      `${BASE}\nadd \\\n  http://169.254.169.254/latest/meta-data/ /m\n`,
      `${BASE}\nRUN <<EOF\nADD http://127.0.0.1:${port}/health /health\nEOF\n`,
    ]) {
      const reply = await alice.post('/images', { name: 'fetch', files: { Dockerfile } });
      expect(reply.status, Dockerfile).toBe(400);
      expect(reply.body.detail, Dockerfile).toMatch(/line [23]: ADD .* would fetch from the network/);
      expect(reply.body.errors[0].field).toBe('files.Dockerfile');
    }
    const imageId = await createImage(alice, `${BASE}\n`);
    const changed = await alice.patch(`/images/${imageId}`, { dockerfile: `${BASE}\nADD https://example.com/x /x\n` });
    expect(changed.status).toBe(400);
  });

  it('gives the admin role to no registered address; the operator grants and revokes it on an existing account', async () => {
    const named = await signedIn(server.url, boss);
    expect((await named.get('/auth/me')).body.role).toBe('user');
    const missing = await adminCommand(server.dataDir, 'grant', `nobody-${randomUUID().slice(0, 8)}@example.com`);
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/does not exist/);
    const signIn = async () => (named.token = (await named.post('/auth/login', { email: boss, password: PASSWORD })).body.accessToken);
    expect((await adminCommand(server.dataDir, 'grant', boss)).code).toBe(0);
    await signIn();
    expect((await named.get('/auth/me')).body.role).toBe('admin');
    expect((await adminCommand(server.dataDir, 'revoke', boss)).code).toBe(0);
    await signIn();
    expect((await named.get('/auth/me')).body.role).toBe('user');
  });

  it("builds another user's short build while one user's long builds hold the queue", { timeout: 400_000 }, async () => {
    const [dave, erin] = [await signedIn(server.url), await signedIn(server.url)];
    const gates = [randomUUID(), randomUUID()];
    const long = [];
    for (const gate of gates) {
      const imageId = await createImage(dave, gatedDockerfile(gate));
      long.push({ imageId, number: await startBuild(dave, imageId), gate });
    }
    try {
      await gateContainer(gates[0]!);
      const short = await createImage(erin, `${BASE}\nRUN echo quick\n`);
      const built = await waitForBuild(erin, short, await startBuild(erin, short), 150_000);
      expect(built.status).toBe('BUILT');
      // Dave's first build still runs, and his second waits its turn: one owner never takes every slot.
      expect((await dave.get(`/images/${long[0]!.imageId}/builds/${long[0]!.number}`)).body.status).toBe('BUILDING');
      expect((await dave.get(`/images/${long[1]!.imageId}/builds/${long[1]!.number}`)).body.status).toBe('QUEUED');
    } finally {
      for (const { imageId, number, gate } of long) {
        await openBuildGate(gate);
        await waitForBuild(dave, imageId, number);
      }
    }
  });

  it('limits the images and the builds under way of each owner, with problem documents', { timeout: 400_000 }, async () => {
    const carol = await signedIn(server.url);
    const gates = [randomUUID(), randomUUID()];
    const images = [];
    for (let i = 0; i < MAX_IMAGES; i++) images.push(await createImage(carol, i < gates.length ? gatedDockerfile(gates[i]!) : `${BASE}\n`));
    const over = await carol.post('/images', { name: 'one-too-many', files: { Dockerfile: `${BASE}\n` } });
    expect(over.status).toBe(409);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    expect(over.body.detail).toContain(`${MAX_IMAGES} images`);
    const started = [];
    for (let i = 0; i < MAX_BUILDS; i++) started.push(await startBuild(carol, images[i]!));
    try {
      const busy = await carol.post(`/images/${images[MAX_BUILDS]}/builds`);
      expect(busy.status).toBe(429);
      expect(busy.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(busy.body.detail).toContain(`${MAX_BUILDS} builds queued or building`);
      // Nothing half-written: the refused image has no build, and builds once a slot is free.
      expect((await carol.get(`/images/${images[MAX_BUILDS]}/builds`)).body.items).toEqual([]);
    } finally {
      for (const [i, gate] of gates.entries()) {
        await openBuildGate(gate);
        await waitForBuild(carol, images[i]!, started[i]!);
      }
    }
    expect((await waitForBuild(carol, images[MAX_BUILDS]!, await startBuild(carol, images[MAX_BUILDS]!))).status).toBe('BUILT');
  });
});
