/**
 * Images built from source over real HTTP, on the real Docker engine: create from files or a
 * tar, build, read and follow the build log, run an app on the result, scans and the run
 * policy, the allow-list, conflicts while building or in use, refused uploads, and a restart
 * during a build. The server refuses HIGH findings and allows only images under `containerizer/`.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CONTEXT_BYTES } from '../../shared/build-context.js';
import { LABELS } from '../../local/docker/docker-events.js';
import { containersOf, docker, gateContainer, gatedDockerfile, openBuildGate } from '../support/docker.js';
import { sampleApp, waitFor } from '../support/fixtures.js';
import { Client, signedIn, startServer, tempDataDir, waitForTerminal, type RunningServer } from '../support/server.js';
import { sseEvents } from '../support/sse.js';

const BASE = 'FROM containerizer/busybox:latest';

async function tarOf(entries: { name: string; content?: string; type?: 'file' | 'symlink'; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) pack.entry({ name: e.name, type: e.type ?? 'file', linkname: e.linkname }, e.content ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('images', () => {
  /** The image folders under the data dir (none before the first image). */
  const imageFolders = () => (existsSync(join(dataDir, 'images')) ? readdirSync(join(dataDir, 'images')).length : 0);

  const dataDir = tempDataDir();
  let server: RunningServer;
  let alice: Client;
  const env = { SCAN_SEVERITY_THRESHOLD: 'HIGH', ALLOWED_IMAGE_PREFIXES: 'containerizer/' };

  async function createImage(files: Record<string, string>, name = `img-${randomUUID().slice(0, 8)}`) {
    const reply = await alice.post('/images', { name, files });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return reply.body as { imageId: string; version: number };
  }

  async function build(imageId: string) {
    const reply = await alice.post(`/images/${imageId}/builds`);
    expect(reply.status, JSON.stringify(reply.body)).toBe(202);
    return reply.body as { number: number; status: string };
  }

  function waitForBuild(imageId: string, number: number, done: (b: any) => boolean = (b) => b.status === 'BUILT' || b.status === 'FAILED') {
    return waitFor(
      async () => {
        const { body } = await alice.get(`/images/${imageId}/builds/${number}`);
        return done(body) ? body : undefined;
      },
      180_000,
      `build ${number} of ${imageId}`,
    );
  }

  const scanned = (b: any) => b.status === 'FAILED' || (b.status === 'BUILT' && b.scan !== undefined);

  beforeAll(async () => {
    server = await startServer({ dataDir, env });
    alice = await signedIn(server.url);
  });
  afterAll(async () => {
    await server.stop();
    for (const c of await docker.listContainers({ all: true, filters: { label: ['containerizer.test.gate'] } })) {
      await docker.getContainer(c.Id).remove({ force: true });
    }
    const instanceId = readFileSync(join(dataDir, 'instance-id'), 'utf8').trim();
    for (const image of await docker.listImages({ filters: { label: [`${LABELS.instanceId}=${instanceId}`] } })) {
      await docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
    }
  });

  it('builds three files, follows the build log, runs an app on the image and records the digest on the run', { timeout: 300_000 }, async () => {
    const image = await createImage({
      Dockerfile: `${BASE}\nCOPY hello.sh message.txt /opt/\nUSER 1000\nCMD ["sh", "/opt/hello.sh"]\n`,
      'hello.sh': 'echo "script says: $(cat /opt/message.txt)"\n',
      'message.txt': 'built from source',
    });
    expect((await alice.get(`/images/${image.imageId}/files/hello.sh`)).body).toContain('script says');

    const started = await build(image.imageId);
    expect(started).toMatchObject({ number: 1, imageVersion: 1 });
    expect(['QUEUED', 'BUILDING', 'BUILT']).toContain(started.status);

    // Follow the log live until the build ends.
    const res = await fetch(`${server.url}/images/${image.imageId}/builds/1/logs`, {
      headers: { authorization: `Bearer ${alice.token}`, accept: 'text/event-stream' },
    });
    const followed: string[] = [];
    let end: any;
    for await (const event of sseEvents(res)) {
      if (event.event === 'log') followed.push(JSON.parse(event.data).message);
      if (event.event === 'end') {
        end = JSON.parse(event.data);
        break;
      }
    }
    expect(end).toMatchObject({ status: 'BUILT' });
    expect(followed.join('\n')).toMatch(/COPY hello.sh message.txt/);

    const built = await waitForBuild(image.imageId, 1, scanned);
    expect(built).toMatchObject({ status: 'BUILT', imageRef: expect.stringMatching(/:1$/), digest: expect.stringMatching(/^sha256:/) });
    expect(Date.parse(built.finishedAt)).toBeGreaterThanOrEqual(Date.parse(built.startedAt));
    expect(built.durationMs).toBe(Date.parse(built.finishedAt) - Date.parse(built.startedAt));
    expect(built.scan.counts.HIGH).toBe(0);
    const page = await alice.get(`/images/${image.imageId}/builds/1/logs?limit=2`);
    expect(page.body.events).toHaveLength(2);
    expect((await alice.get(`/images/${image.imageId}/builds/1/logs?cursor=${page.body.nextCursor}`)).body.events.map((e: any) => e.message)).toEqual(
      followed.slice(2),
    );

    const app = await alice.post('/apps', sampleApp({ image: { imageId: image.imageId }, command: [] }));
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    const run = await alice.post(`/apps/${app.body.appId}/runs`);
    const done = await waitForTerminal(alice, run.body.runId);
    expect(done).toMatchObject({ status: 'SUCCEEDED', image: built.imageRef, imageDigest: built.digest });
    const logs = await waitFor(async () => (await alice.get(`/runs/${run.body.runId}/logs`)).body.events[0]?.message as string | undefined);
    expect(logs).toBe('script says: built from source');

    // In use: the image cannot go; once the app is gone, it and its built image can.
    expect((await alice.delete(`/images/${image.imageId}`)).status).toBe(409);
    expect((await alice.delete(`/apps/${app.body.appId}`)).status).toBe(204);
    expect((await alice.delete(`/images/${image.imageId}`)).status).toBe(204);
    expect((await alice.get(`/images/${image.imageId}`)).status).toBe(404);
    await expect(docker.getImage(built.imageRef).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('runs a sidecar on a built image: the main container waits until it is HEALTHY and reads it on localhost', { timeout: 300_000 }, async () => {
    const image = await createImage({
      Dockerfile: `${BASE}\nCOPY serve.sh /opt/\nUSER 1000\nCMD ["sh", "/opt/serve.sh"]\n`,
      'serve.sh': 'mkdir -p /tmp/www && echo hello from a built sidecar > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www\n',
    });
    await build(image.imageId);
    const built = await waitForBuild(image.imageId, 1, scanned);
    expect(built).toMatchObject({ status: 'BUILT', scan: { counts: { HIGH: 0 } } });

    const healthCheck = { command: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:8080/ || exit 1'], intervalSeconds: 5, timeoutSeconds: 2 };
    const app = await alice.post(
      '/apps',
      sampleApp({
        command: ['wget', '-q', '-O', '-', 'http://localhost:8080/'],
        dependsOn: [{ containerName: 'web', condition: 'HEALTHY' }],
        sidecars: [{ name: 'web', image: { imageId: image.imageId }, healthCheck }],
      }),
    );
    expect(app.status, JSON.stringify(app.body)).toBe(201);
    const run = await alice.post(`/apps/${app.body.appId}/runs`);
    const done = await waitForTerminal(alice, run.body.runId);
    expect(done).toMatchObject({ status: 'SUCCEEDED', sidecars: [{ name: 'web', image: built.imageRef }] });
    expect(done.containers).toContainEqual(expect.objectContaining({ name: 'web', healthStatus: 'HEALTHY' }));
    const logs = await waitFor(async () => (await alice.get(`/runs/${run.body.runId}/logs?container=app`)).body.events[0]?.message as string | undefined);
    expect(logs).toBe('hello from a built sidecar');
    expect((await alice.delete(`/images/${image.imageId}`)).status).toBe(409);
  });

  it('fails a build whose Dockerfile fails, with the error in its log, and refuses an app on an image with no BUILT build', { timeout: 300_000 }, async () => {
    const image = await createImage({ Dockerfile: `${BASE}\nRUN echo about to fail && exit 7\n` });
    await build(image.imageId);
    const failed = await waitForBuild(image.imageId, 1);
    expect(failed.status).toBe('FAILED');
    expect(failed.reason).toMatch(/returned a non-zero code: 7/);
    const log = (await alice.get(`/images/${image.imageId}/builds/1/logs`)).body.events;
    expect(log.map((e: any) => e.message).join('\n')).toContain('about to fail');
    expect(log.at(-1)).toMatchObject({ stream: 'stderr', message: expect.stringMatching(/non-zero code: 7/) });

    const app = await alice.post('/apps', sampleApp({ image: { imageId: image.imageId } }));
    expect(app.status).toBe(409);
    expect(app.body.detail).toMatch(/no BUILT build/);
  });

  it('refuses a traversal path and an oversized context, and keeps nothing of them', async () => {
    const before = (await alice.get('/images')).body.items.length;
    const foldersBefore = imageFolders();

    const traversal = await alice.post('/images', { name: 'evil', files: { Dockerfile: BASE, '../outside': 'x' } });
    expect(traversal.status).toBe(400);
    expect(traversal.body.errors).toContainEqual({ field: 'files.../outside', message: '".." segments are not allowed' });

    const upload = (body: Buffer, type: string) =>
      fetch(`${server.url}/images?name=up`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice.token}`, 'content-type': type },
        body: new Uint8Array(body),
      });
    const tarTraversal = await upload(
      await tarOf([
        { name: 'Dockerfile', content: BASE },
        { name: 'a/../../etc/passwd', content: 'x' },
      ]),
      'application/x-tar',
    );
    expect(tarTraversal.status).toBe(400);
    expect((await tarTraversal.json()).errors[0].field).toBe('files.a/../../etc/passwd');
    const link = await upload(
      await tarOf([
        { name: 'Dockerfile', content: BASE },
        { name: 'out', type: 'symlink', linkname: '../../etc' },
      ]),
      'application/x-tar',
    );
    expect(link.status).toBe(400);

    // The archive as sent, and its contents once decompressed, are both capped: the latter names the file.
    const bigTar = await tarOf([
      { name: 'Dockerfile', content: BASE },
      { name: 'big.bin', content: 'x'.repeat(MAX_CONTEXT_BYTES) },
    ]);
    const big = await upload(bigTar, 'application/x-tar');
    expect(big.status).toBe(400);
    expect((await big.json()).detail).toMatch(/at most \d+ bytes/);
    const bomb = await upload(gzipSync(bigTar), 'application/gzip');
    expect(bomb.status).toBe(400);
    expect((await bomb.json()).errors[0].field).toBe('files.big.bin');
    const json = await alice.post('/images', { name: 'big', files: { Dockerfile: BASE, 'big.bin': 'x'.repeat(MAX_CONTEXT_BYTES) } });
    expect(json.status).toBe(400);
    expect(json.body.errors).toEqual([{ field: 'files', message: 'too large' }]);

    expect((await alice.get('/images')).body.items.length).toBe(before);
    expect(imageFolders()).toBe(foldersBefore);

    // A good tar upload is accepted the same way.
    const ok = await upload(await tarOf([{ name: 'Dockerfile', content: BASE }]), 'application/x-tar');
    expect(ok.status).toBe(201);
  });

  it('refuses to change what is built during a build (409) but not the name, and versions every change', { timeout: 300_000 }, async () => {
    const gate = randomUUID();
    const image = await createImage({ Dockerfile: gatedDockerfile(gate) });
    await build(image.imageId);
    await gateContainer(gate);

    const files = await alice.patch(`/images/${image.imageId}`, { files: { 'extra.txt': 'x' } });
    expect(files.status).toBe(409);
    expect((await alice.post(`/images/${image.imageId}/builds`)).status).toBe(409);
    const renamed = await alice.patch(`/images/${image.imageId}`, { description: 'renamed while building' }, { 'if-match': '"v1"' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect((await alice.patch(`/images/${image.imageId}`, { description: 'stale' }, { 'if-match': '"v1"' })).status).toBe(412);

    await openBuildGate(gate);
    expect((await waitForBuild(image.imageId, 1)).status).toBe('BUILT');
    const changed = await alice.patch(`/images/${image.imageId}`, { files: { 'extra.txt': 'x' } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const versions = (await alice.get(`/images/${image.imageId}/versions`)).body.items;
    expect(versions.map((v: any) => [v.version, v.changedFields, v.changedFiles.added])).toEqual([
      [1, ['name', 'files', 'buildArgs'], ['Dockerfile']],
      [2, ['description'], []],
      [3, ['files'], ['extra.txt']],
    ]);
    expect(versions[2].updatedBy).toBe(versions[0].updatedBy);
  });

  it('scans: flags a root image and a setuid file, and the policy fails its run before any container starts', { timeout: 300_000 }, async () => {
    const image = await createImage({
      Dockerfile: `${BASE}\nCOPY tool /usr/local/bin/tool\nRUN chmod 4755 /usr/local/bin/tool\n`,
      tool: '#!/bin/sh\necho tool\n',
    });
    await build(image.imageId);
    const built = await waitForBuild(image.imageId, 1, scanned);
    expect(built.status).toBe('BUILT');
    expect(built.scan.findings).toContainEqual(expect.objectContaining({ id: 'CZ-ROOT-USER', severity: 'HIGH' }));
    expect(built.scan.findings).toContainEqual(expect.objectContaining({ id: 'CZ-SETUID', where: '/usr/local/bin/tool' }));

    const app = await alice.post('/apps', sampleApp({ image: { imageId: image.imageId, build: 1 } }));
    expect(app.status).toBe(201);
    const run = await alice.post(`/apps/${app.body.appId}/runs`);
    expect(run.status).toBe(202);
    expect(run.body).toMatchObject({ status: 'FAILED', image: built.imageRef, imageDigest: built.digest });
    expect(run.body.stoppedReason).toMatch(/HIGH/);
    expect(run.body.stoppedReason).toContain('CZ-ROOT-USER');
    expect(await containersOf(run.body.runId)).toEqual([]);
  });

  it('allows only image strings under the allowed prefixes', async () => {
    const foreign = await alice.post('/apps', sampleApp({ image: 'docker.io/library/alpine:3' }));
    expect(foreign.status).toBe(400);
    expect(foreign.body.errors[0].field).toBe('image');
    expect((await alice.post('/apps', sampleApp())).status).toBe(201);
  });

  it('fails a build under way when the server is killed, on the next start', { timeout: 300_000 }, async () => {
    const gate = randomUUID();
    const image = await createImage({ Dockerfile: gatedDockerfile(gate) });
    await build(image.imageId);
    await gateContainer(gate);
    await server.stop('SIGKILL');
    server = await startServer({ dataDir, env });
    const again = new Client(server.url, alice.token);
    const { body } = await again.get(`/images/${image.imageId}/builds/1`);
    expect(body).toMatchObject({ status: 'FAILED', reason: expect.stringMatching(/server stopped during the build/) });
    expect((await again.get(`/images/${image.imageId}`)).body.activeBuild).toBeUndefined();
  });
});
