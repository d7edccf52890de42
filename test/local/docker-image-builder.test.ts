/**
 * DockerImageBuilder against the real Docker engine and the local containerizer/busybox
 * image (see local/ensure-docker.sh). Every image id is unique to this run, and only the
 * images labelled with this run's instance id are removed afterwards.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { contextFromFiles } from '../../shared/build-context.js';
import { ClientError } from '../../shared/errors.js';
import type { BuildStateChange, ImageBuildRequest, LogEvent } from '../../shared/ports.js';
import { DockerImageBuilder, imageTag } from '../../local/images/docker-image-builder.js';
import { LABELS } from '../../local/docker/docker-events.js';

const docker = new Docker();
const dataDir = mkdtempSync(path.join(tmpdir(), 'containerizer-builds-'));
const instanceId = `test-${randomUUID()}`;
const changes: BuildStateChange[] = [];
const builder = new DockerImageBuilder(docker, { dataDir, instanceId, onChange: async (change) => void changes.push(change) });

const uniqueImageId = () => `IMG${randomUUID().replace(/-/g, '').toUpperCase().slice(0, 20)}`;

function request(files: Record<string, string>, buildNumber = 1): ImageBuildRequest {
  return { imageId: uniqueImageId(), ownerId: 'USER1', buildNumber, contextVersion: 1, context: contextFromFiles(files) };
}

async function wholeLog(imageId: string, buildNumber: number, limit = 1000): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await builder.readLog({ imageId, number: buildNumber }, { cursor, limit });
    events.push(...page.events);
    if (page.events.length === 0) return events;
    cursor = page.nextCursor;
  }
}

/** Runs the image's default command to its end and returns what it printed. */
async function runImage(image: string): Promise<string> {
  const container = await docker.createContainer({ Image: image, Labels: { [LABELS.instanceId]: instanceId } });
  try {
    await container.start();
    await container.wait();
    const output = await container.logs({ stdout: true, stderr: true, follow: false });
    // Non-TTY logs are framed (8-byte headers); the payloads are what the script printed.
    return output.toString('utf8').replace(/[\x00-\x08]/g, '');
  } finally {
    await container.remove({ force: true });
  }
}

const MIB = 1024 * 1024;

/**
 * Asserts that nothing the build made is left: the images its log says it committed and the
 * containers it ran (` ---> <id>`, ` ---> Running in <id>`), its tag, its journal. Returns those ids.
 */
async function expectNothingLeft(build: ImageBuildRequest): Promise<{ images: string[]; containers: string[] }> {
  const log = (await wholeLog(build.imageId, build.buildNumber)).map((e) => e.message);
  const containers = log.flatMap((line) => /^ ---> Running in ([0-9a-f]+)$/.exec(line)?.[1] ?? []);
  // Every image line but the FROM's (the base image, the first one).
  const images = log.flatMap((line) => /^ ---> ([0-9a-f]{12})$/.exec(line)?.[1] ?? []).slice(1);
  for (const id of images) await expect(docker.getImage(id).inspect(), `image ${id}`).rejects.toMatchObject({ statusCode: 404 });
  for (const id of containers) await expect(docker.getContainer(id).inspect(), `container ${id}`).rejects.toMatchObject({ statusCode: 404 });
  await expect(docker.getImage(imageTag(build.imageId, build.buildNumber)).inspect()).rejects.toMatchObject({ statusCode: 404 });
  expect(await readdir(path.join(dataDir, 'images', build.imageId, 'builds'))).toEqual([`${build.buildNumber}.log`]);
  return { images, containers };
}

afterAll(async () => {
  const images = await docker.listImages({ filters: { label: [`${LABELS.instanceId}=${instanceId}`] } });
  for (const image of images) await docker.getImage(image.Id).remove({ force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('DockerImageBuilder (real Docker)', () => {
  it('builds a three-file context into a labelled image that runs the copied script', async () => {
    const build = request({
      Dockerfile: 'FROM containerizer/busybox:latest\nCOPY greet.sh message.txt /app/\nCMD ["sh", "/app/greet.sh"]\n',
      'greet.sh': 'echo "greeting: $(cat /app/message.txt)"\n',
      'message.txt': 'hello from the build',
    });
    const ref = await builder.build(build);
    expect(ref).toBe(imageTag(build.imageId, 1));
    await builder.idle();

    const mine = changes.filter((c) => c.imageId === build.imageId);
    expect(mine.map((c) => c.lastStatus)).toEqual(['BUILDING', 'BUILT']);
    const built = mine[1]!;
    expect(built.imageRef).toBe(ref);
    const inspected = await docker.getImage(ref).inspect();
    expect(built.digest).toBe(inspected.Id);
    expect(inspected.Config.Labels).toMatchObject({
      [LABELS.instanceId]: instanceId,
      [LABELS.imageId]: build.imageId,
      [LABELS.ownerId]: 'USER1',
      [LABELS.buildNumber]: '1',
    });

    expect(await runImage(ref)).toContain('greeting: hello from the build');

    const src = path.join(dataDir, 'images', build.imageId, 'src');
    expect((await readdir(src)).sort()).toEqual(['Dockerfile', 'greet.sh', 'message.txt']);
    expect(await readFile(path.join(src, 'message.txt'), 'utf8')).toBe('hello from the build');

    const log = await wholeLog(build.imageId, 1);
    // One LABEL step, appended by the builder, carries the platform's labels.
    expect(log[0]?.message).toBe('Step 1/4 : FROM containerizer/busybox:latest');
    expect(log.filter((e) => /^Step \d+\/4 : LABEL /.test(e.message))).toHaveLength(1);
    expect(log.at(-1)?.message).toBe(`Successfully tagged ${ref}`);
    expect(log.every((e) => e.stream === 'stdout' && e.timestamp > 0)).toBe(true);
    // Paging one event at a time reads the same log.
    expect(await wholeLog(build.imageId, 1, 1)).toEqual(log);
  });

  it('fails a build whose RUN step fails, with Docker\u2019s error in the log', async () => {
    const build = request({ Dockerfile: 'FROM containerizer/busybox:latest\nRUN echo before && exit 3\n' });
    const outcome = await builder.run(build);
    expect(outcome).toMatchObject({ lastStatus: 'FAILED', buildRef: imageTag(build.imageId, 1) });
    expect(outcome.reason).toMatch(/returned a non-zero code: 3/);
    const log = await wholeLog(build.imageId, 1);
    expect(log.map((e) => e.message)).toContain('before');
    expect(log.at(-1)).toMatchObject({ stream: 'stderr', message: outcome.reason });
    await expect(docker.getImage(imageTag(build.imageId, 1)).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('never pulls: a FROM image that is not local fails the build with Docker\u2019s message', async () => {
    const missing = `containerizer-test/not-here-${randomUUID()}:1`;
    const build = request({ Dockerfile: `FROM ${missing}\nRUN true\n` });
    const outcome = await builder.run(build);
    expect(outcome.lastStatus).toBe('FAILED');
    expect(outcome.reason).toBeTruthy();
    const log = await wholeLog(build.imageId, 1);
    expect(log[0]?.message).toMatch(new RegExp(`^Step 1/\\d+ : FROM ${missing}$`));
    expect(log.at(-1)).toMatchObject({ stream: 'stderr', message: outcome.reason });
  });

  it('stops a build that outlives its timeout', async () => {
    const slow = new DockerImageBuilder(docker, { dataDir, instanceId, limits: { timeoutMs: 1500 }, onChange: async () => {} });
    const build = request({ Dockerfile: 'FROM containerizer/busybox:latest\nRUN sleep 60\n' });
    const started = Date.now();
    const outcome = await slow.run(build);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(outcome).toMatchObject({ lastStatus: 'FAILED', reason: 'build timed out after 1.5 s (BUILD_TIMEOUT_SECONDS)' });
  });

  it("bounds each RUN step's memory (no swap), cpu and processes", async () => {
    const bounded = new DockerImageBuilder(docker, {
      dataDir,
      instanceId,
      limits: { memoryBytes: 256 * MIB, cpu: 0.5, pidsLimit: 77 },
      onChange: async () => {},
    });
    // cgroup v1 paths, else v2; the process bound lands a moment after the step starts, so the step waits for it.
    const script = [
      'cg=/sys/fs/cgroup',
      'pids() { cat $cg/pids/pids.max 2>/dev/null || cat $cg/pids.max; }',
      'until [ "$(pids)" != max ]; do sleep 0.05; done',
      'echo "memory=$(cat $cg/memory/memory.limit_in_bytes 2>/dev/null || cat $cg/memory.max)"',
      'echo "swap=$(cat $cg/memory/memory.memsw.limit_in_bytes 2>/dev/null || cat $cg/memory.swap.max)"',
      'echo "cpu=$(cat $cg/cpu/cpu.cfs_quota_us 2>/dev/null || cut -d" " -f1 $cg/cpu.max)"',
      'echo "pids=$(pids)"',
    ].join('; ');
    const build = request({ Dockerfile: `FROM containerizer/busybox:latest\nRUN ${script}\n` });
    const outcome = await bounded.run(build);
    expect(outcome.lastStatus, outcome.reason).toBe('BUILT');
    const log = (await wholeLog(build.imageId, 1)).map((e) => e.message);
    expect(log).toContain(`memory=${256 * MIB}`);
    // v1 counts memory+swap (equal: no swap), v2 the swap alone (0).
    expect(log.some((line) => line === `swap=${256 * MIB}` || line === 'swap=0')).toBe(true);
    expect(log).toContain('cpu=50000');
    expect(log).toContain('pids=77');
  });

  it('stops a build past its disk bound with the reason, and leaves nothing of it', async () => {
    const small = new DockerImageBuilder(docker, { dataDir, instanceId, limits: { diskMaxBytes: 20 * MIB, diskCheckMs: 300 }, onChange: async () => {} });
    const build = request({
      Dockerfile: `FROM containerizer/busybox:latest\nRUN echo ${randomUUID()} > /one\nRUN dd if=/dev/zero of=/fill bs=1M count=60 && sleep 120\n`,
    });
    const started = Date.now();
    const outcome = await small.run(build);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(outcome.lastStatus).toBe('FAILED');
    expect(outcome.reason).toMatch(/^the build wrote \d+ MiB, past its bound of 20 MiB \(BUILD_DISK_MAX_MIB\)$/);
    await expectNothingLeft(build);
  });

  it('fails a build whose steps wrote past the bound between two checks, at its end, and removes its image', async () => {
    const small = new DockerImageBuilder(docker, { dataDir, instanceId, limits: { diskMaxBytes: 20 * MIB, diskCheckMs: 600_000 }, onChange: async () => {} });
    const build = request({ Dockerfile: `FROM containerizer/busybox:latest\nRUN dd if=/dev/zero of=/fill bs=1M count=40 && echo ${randomUUID()}\n` });
    const outcome = await small.run(build);
    expect(outcome).toMatchObject({ lastStatus: 'FAILED' });
    expect(outcome.reason).toMatch(/past its bound of 20 MiB/);
    await expectNothingLeft(build);
  });

  it('removes the layers and containers of a build whose second step fails', async () => {
    const build = request({ Dockerfile: `FROM containerizer/busybox:latest\nRUN echo ${randomUUID()} > /one\nRUN exit 3\n` });
    const outcome = await builder.run(build);
    expect(outcome.lastStatus).toBe('FAILED');
    const { images, containers } = await expectNothingLeft(build);
    // The first step committed a layer (a fresh one: its line is unique), the second ran a container.
    expect(images.length).toBeGreaterThanOrEqual(1);
    expect(containers).toHaveLength(2);
  });

  it('keeps a multi-stage build’s image and its ancestry, and removes the layers of its earlier stages', async () => {
    const build = request({
      Dockerfile: `FROM containerizer/busybox:latest AS tools\nRUN echo ${randomUUID()} > /made\nFROM containerizer/busybox:latest\nCOPY --from=tools /made /made\nRUN cat /made\n`,
    });
    const outcome = await builder.run(build);
    expect(outcome.lastStatus, outcome.reason).toBe('BUILT');
    const log = (await wholeLog(build.imageId, 1)).map((e) => e.message);
    const committed = log.flatMap((line) => /^ ---> ([0-9a-f]{12})$/.exec(line)?.[1] ?? []);
    // Lines: FROM (base), the first stage's RUN, FROM (base), COPY, RUN, LABEL.
    const firstStage = committed[1]!;
    await expect(docker.getImage(firstStage).inspect()).rejects.toMatchObject({ statusCode: 404 });
    for (const id of committed.slice(3)) expect((await docker.getImage(id).inspect()).Id).toMatch(new RegExp(`^sha256:${id}`));
    expect(await runImage(imageTag(build.imageId, 1))).toBe('');
  });

  it('collects what a build that never finished left, from its journal, once it is not under way', async () => {
    // A committed, untagged image stands for a layer a crashed build left.
    const container = await docker.createContainer({ Image: 'containerizer/busybox:latest', Cmd: ['true'], Labels: { [LABELS.instanceId]: instanceId } });
    const { Id: layer } = (await container.commit({ comment: 'left by a crashed build' })) as { Id: string };
    await container.remove({ force: true });
    const imageId = uniqueImageId();
    const journal = path.join(dataDir, 'images', imageId, 'builds', '1.created');
    await mkdir(path.dirname(journal), { recursive: true });
    await writeFile(journal, `container ${randomUUID().replace(/-/g, '')}\nimage ${layer}\n`);
    const removed = await builder.collectLeftovers();
    expect(removed).toContainEqual(expect.objectContaining({ kind: 'image', id: layer, reason: 'failed build' }));
    await expect(docker.getImage(layer).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(readFile(journal)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads an absent log as empty and refuses a cursor it did not produce', async () => {
    expect(await builder.readLog({ imageId: 'NOSUCHIMAGE', number: 1 }, { limit: 10 })).toEqual({ events: [], nextCursor: '0' });
    await expect(builder.readLog({ imageId: 'NOSUCHIMAGE', number: 1 }, { cursor: 'abc', limit: 10 })).rejects.toBeInstanceOf(ClientError);
    await expect(builder.build({ ...request({ Dockerfile: 'FROM scratch\n' }), imageId: '../escape' })).rejects.toThrow(/invalid image id/);
  });
});
