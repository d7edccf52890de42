/**
 * GarbageCollector against the real Docker engine, which other suites use at the same time:
 * everything it may remove carries this run's unique instance id, and the objects it must
 * leave alone (another instance's, unlabelled ones) are created here too.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { contextFromFiles } from '../../shared/build-context.js';
import { LABELS, dockerStatusCode } from '../../local/docker/docker-events.js';
import { DockerImageBuilder, imageTag } from '../../local/images/docker-image-builder.js';
import { GarbageCollector, collectPeriodically } from '../../local/images/garbage-collector.js';

const BUSYBOX = 'containerizer/busybox:latest';
const docker = new Docker();
const dataDir = mkdtempSync(path.join(tmpdir(), 'containerizer-gc-'));
const instanceId = `test-${randomUUID()}`;
const otherInstanceId = `test-other-${randomUUID()}`;
const imageId = `GC${randomUUID().replace(/-/g, '').toUpperCase().slice(0, 20)}`;
const foreignTag = `containerizer-test/foreign-${randomUUID()}:1`;
const created: string[] = [];
const volumes: string[] = [];

/** Builds `buildNumber` of the test image; `variant` makes the content (so the image id) differ. */
async function build(builder: DockerImageBuilder, buildNumber: number, variant: string): Promise<string> {
  const outcome = await builder.run({
    imageId,
    ownerId: 'USER1',
    buildNumber,
    contextVersion: 1,
    context: contextFromFiles({ 'v.txt': variant }, `FROM ${BUSYBOX}\nCOPY v.txt /v.txt\n`),
  });
  if (outcome.lastStatus !== 'BUILT') throw new Error(`test image did not build: ${outcome.reason}`);
  return outcome.digest!;
}

/** A container of busybox that has run `command` to its end (or is still running it). */
async function container(labels: Record<string, string>, command: string[], wait = true): Promise<string> {
  const c = await docker.createContainer({ Image: BUSYBOX, Cmd: command, Labels: labels });
  created.push(c.id);
  await c.start();
  if (wait) await c.wait();
  return c.id;
}

async function exists(get: () => Promise<unknown>): Promise<boolean> {
  try {
    await get();
    return true;
  } catch (err) {
    if (dockerStatusCode(err) === 404) return false;
    throw err;
  }
}

const imageExists = (ref: string) => exists(() => docker.getImage(ref).inspect());
const containerExists = (id: string) => exists(() => docker.getContainer(id).inspect());

afterAll(async () => {
  for (const id of created)
    await docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => undefined);
  for (const id of [instanceId, otherInstanceId]) {
    for (const image of await docker.listImages({ filters: { label: [`${LABELS.instanceId}=${id}`] } })) {
      await docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
    }
  }
  await docker
    .getImage(foreignTag)
    .remove({ force: true })
    .catch(() => undefined);
  for (const name of volumes)
    await docker
      .getVolume(name)
      .remove({ force: true })
      .catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
});

describe('GarbageCollector (real Docker)', () => {
  it('removes its exited containers, dangling images and unused old builds, and nothing else', async () => {
    const builder = new DockerImageBuilder(docker, { dataDir, instanceId, onChange: async () => {} });
    const retried = await build(builder, 1, 'first attempt');
    // A rebuild under the same number moves the tag: the first image is left dangling.
    const build1 = await build(builder, 1, 'one');
    const build2 = await build(builder, 2, 'two');
    const build3 = await build(builder, 3, 'three');
    expect(new Set([retried, build1, build2, build3]).size).toBe(4);

    // Another instance's build and an image the platform did not build, both old and unused.
    const other = new DockerImageBuilder(docker, { dataDir, instanceId: otherInstanceId, onChange: async () => {} });
    const otherBuild = (
      await other.run({
        imageId: `${imageId}OTHER`,
        ownerId: 'USER1',
        buildNumber: 1,
        contextVersion: 1,
        context: contextFromFiles({}, `FROM ${BUSYBOX}\nLABEL x=1\n`),
      })
    ).digest!;
    await docker.getImage(BUSYBOX).tag({ repo: foreignTag.split(':')[0]!, tag: '1' });

    const exited = await container({ [LABELS.instanceId]: instanceId, [LABELS.runId]: 'RUN1' }, ['sh', '-c', 'echo data > /leftover']);
    const running = await container({ [LABELS.instanceId]: instanceId }, ['sleep', '600'], false);
    const othersExited = await container({ [LABELS.instanceId]: otherInstanceId }, ['true']);
    const unlabelled = await container({}, ['true']);

    // Within the grace period an exited container is left to whoever is finishing it.
    const early = await new GarbageCollector(docker, { instanceId, keepBuilds: 1 }).collect(new Set([imageTag(imageId, 1)]));
    expect(early.removed.filter((r) => r.kind === 'container')).toEqual([]);
    expect(await containerExists(exited)).toBe(true);

    // Builds 1 and 2 are beyond the one kept; build 1 is in use (by tag).
    expect(early.removed.map((r) => `${r.kind} ${r.id} ${r.reason}`).sort()).toEqual([`image ${build2} old build`, `image ${retried} dangling`].sort());
    expect(early.removed.every((r) => r.bytes > 0)).toBe(true);
    expect(early.bytesFreed).toBe(early.removed.reduce((sum, r) => sum + r.bytes, 0));

    const gc = new GarbageCollector(docker, { instanceId, keepBuilds: 1, containerGraceMs: 0 });
    const report = await gc.collect(new Set([build1]));
    expect(report.removed).toEqual([{ kind: 'container', id: exited, bytes: expect.any(Number), reason: 'exited' }]);
    expect(report.removed[0]!.bytes).toBeGreaterThan(0);

    expect(await containerExists(exited)).toBe(false);
    for (const id of [running, othersExited, unlabelled]) expect(await containerExists(id)).toBe(true);
    for (const ref of [build1, build3, otherBuild, foreignTag, BUSYBOX]) expect(await imageExists(ref)).toBe(true);
    for (const ref of [retried, build2]) expect(await imageExists(ref)).toBe(false);

    // Once nothing uses build 1, it goes too; build 3, the newest, stays.
    const last = await gc.collect();
    expect(last.removed.map((r) => r.id)).toEqual([build1]);
    expect(await imageExists(build3)).toBe(true);
  });

  it("removes its volumes no container mounts and reports its builder's leftovers; leaves mounted, other instances' and unlabelled volumes", async () => {
    const volume = async (labels: Record<string, string>) => {
      const name = `containerizer-test-${randomUUID()}`;
      await docker.createVolume({ Name: name, Labels: labels });
      volumes.push(name);
      return name;
    };
    const unused = await volume({ [LABELS.instanceId]: instanceId, [LABELS.runId]: 'RUN2' });
    const mounted = await volume({ [LABELS.instanceId]: instanceId, [LABELS.runId]: 'RUN3' });
    const others = await volume({ [LABELS.instanceId]: otherInstanceId });
    const unlabelled = await volume({});
    const c = await docker.createContainer({ Image: BUSYBOX, Cmd: ['sleep', '600'], HostConfig: { Binds: [`${mounted}:/data`] } });
    created.push(c.id);
    await c.start();
    const leftover = { kind: 'image' as const, id: 'sha256:left-by-a-crashed-build', bytes: 0, reason: 'failed build' };

    const gc = new GarbageCollector(docker, { instanceId, leftovers: async () => [leftover] });
    const report = await gc.collect();
    expect(report.removed).toContainEqual(leftover);
    expect(report.removed.filter((r) => r.kind === 'volume')).toEqual([{ kind: 'volume', id: unused, bytes: expect.any(Number), reason: 'unused' }]);
    expect(await exists(() => docker.getVolume(unused).inspect())).toBe(false);
    for (const name of [mounted, others, unlabelled]) expect(await exists(() => docker.getVolume(name).inspect())).toBe(true);
  });

  it('collects on a timer, asking each time which images are in use', async () => {
    const gc = new GarbageCollector(docker, { instanceId: `test-timer-${randomUUID()}` });
    let asked = 0;
    const timer = collectPeriodically(gc, 20, async () => (asked++, new Set<string>()));
    const deadline = Date.now() + 15_000;
    while (asked < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await timer.close();
    expect(asked).toBeGreaterThanOrEqual(2);
  });
});
