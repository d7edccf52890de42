/**
 * Build overhead: median time to build a three-file context through the API (from POST /images,
 * then POST /images/{id}/builds, to the build's recorded finishedAt) against `docker build` of the same files with the
 * same (classic) builder, 10 of each, interleaved. Every build's files differ (a unique
 * message, never the same on both sides), so neither builds from the engine's layer cache.
 * Also against `docker build` of what the platform sends the engine (its one LABEL line
 * appended), and of that with the platform's build options too (like for like: RUN steps on the
 * isolated run network, issue 14, with the build's memory and cpu bounds), which isolates the
 * API's own overhead. Target: ratio ≤ 1.2.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { withLabels } from '../local/images/docker-image-builder.js';
import { RUN_NETWORK } from '../local/docker/run-network.js';
import { DEFAULT_BUILD_LIMITS } from '../local/docker/sandbox-settings.js';
import { contextFromFiles } from '../shared/build-context.js';

const SAMPLES = 10;
/** Polled this often (ms); the build's end is its recorded finishedAt, so polling only needs to notice it, not time it. */
const POLL_MS = 100;
const run = promisify(execFile);

/** A JSON call to the API as the bench user: method, path, body → the parsed response. */
export type Call = (method: string, path: string, body?: unknown) => Promise<any>;

/** The bench's three files, `sample` making them unique (no layer cache hits). */
export function benchBuildFiles(sample: string): Record<string, string> {
  return {
    Dockerfile: 'FROM containerizer/busybox:latest\nCOPY hello.sh message.txt /opt/\nRUN chmod +x /opt/hello.sh\nCMD ["/opt/hello.sh"]\n',
    'hello.sh': '#!/bin/sh\necho "$(cat /opt/message.txt)"\n',
    'message.txt': `bench sample ${sample}\n`,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const round = (ms: number) => Math.round(ms * 10) / 10;

/** The CFS period the platform's builds use (µs; local/images/docker-image-builder.ts). */
const CPU_PERIOD_US = 100_000;
/** `docker build` options doing what the platform asks of `POST /build` (local/images/docker-image-builder.ts), with the default build limits. */
const PLATFORM_OPTIONS = [
  '--network',
  RUN_NETWORK,
  '--memory',
  String(DEFAULT_BUILD_LIMITS.memoryBytes),
  '--memory-swap',
  String(DEFAULT_BUILD_LIMITS.memoryBytes),
  '--cpu-period',
  String(CPU_PERIOD_US),
  '--cpu-quota',
  String(Math.round(DEFAULT_BUILD_LIMITS.cpu * CPU_PERIOD_US)),
  '--force-rm',
];

/** Builds `context` with the docker CLI's classic builder (as the platform's), with `options`; returns the ms it took; the tag is kept for clean-up. */
async function dockerBuild(context: string, tag: string, options: string[] = []): Promise<number> {
  const t = performance.now();
  await run('docker', ['build', '-q', ...options, '-t', `containerizer-bench/build:${tag}`, context], {
    env: { ...process.env, DOCKER_BUILDKIT: '0' },
  });
  dockerTags.push(`containerizer-bench/build:${tag}`);
  return performance.now() - t;
}
const dockerTags: string[] = [];

/** Measures and prints the build figures; removes what it built. */
export async function imageBuildFigures(call: Call): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'containerizer-bench-build-'));
  const platformMs: number[] = [];
  const dockerMs: number[] = [];
  const labelledMs: number[] = [];
  const likeMs: number[] = [];
  const imageIds: string[] = [];
  const waitFor = async (imageId: string, number: number, done: (b: any) => boolean) => {
    for (;;) {
      const build = await call('GET', `/images/${imageId}/builds/${number}`);
      if (done(build)) return build;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  };
  try {
    for (let i = 0; i <= SAMPLES; i++) {
      const sample = `${Date.now()}-${i}`;
      const t = Date.now();
      const image = await call('POST', '/images', { name: `bench-${i}`, files: benchBuildFiles(`${sample}-platform`) });
      const { number } = await call('POST', `/images/${image.imageId}/builds`);
      const built = await waitFor(image.imageId, number, (b) => b.status === 'BUILT' || b.status === 'FAILED');
      const platform = Date.parse(built.finishedAt) - t;
      if (built.status !== 'BUILT') throw new Error(`bench build of ${image.imageId} ended ${built.status}: ${built.reason}`);
      imageIds.push(image.imageId);
      // The scan that follows BUILT is not part of the build: let it finish before the next sample.
      await waitFor(image.imageId, number, (b) => b.scan !== undefined);

      const context = join(dir, sample);
      mkdirSync(context);
      // Not the platform's files: the engine's layer cache would make this build a cache hit.
      for (const [name, content] of Object.entries(benchBuildFiles(`${sample}-docker`))) writeFileSync(join(context, name), content);
      const docker = await dockerBuild(context, `${i}-${Date.now()}`);
      // What the platform hands the engine: the same files with its one LABEL line appended.
      const labelled = join(dir, `${sample}-labelled`);
      mkdirSync(labelled);
      const platformLabels = Object.fromEntries(['instanceId', 'imageId', 'ownerId', 'buildNumber'].map((k) => [`containerizer.${k}`, 'bench']));
      for (const entry of withLabels(contextFromFiles(benchBuildFiles(`${sample}-labelled`)), platformLabels)) {
        if (entry.type === 'file') writeFileSync(join(labelled, entry.path), entry.content);
      }
      const labelledBuild = await dockerBuild(labelled, `${i}-${Date.now()}-l`);
      // Like for like: that context, and the platform's options (network, memory, cpu). Not labelled's files: no cache hit.
      const like = join(dir, `${sample}-like`);
      mkdirSync(like);
      for (const entry of withLabels(contextFromFiles(benchBuildFiles(`${sample}-like`)), platformLabels)) {
        if (entry.type === 'file') writeFileSync(join(like, entry.path), entry.content);
      }
      const likeBuild = await dockerBuild(like, `${i}-${Date.now()}-s`, PLATFORM_OPTIONS);
      // Sample 0 warms every path (the base image's layers, the first build).
      if (i === 0) continue;
      platformMs.push(platform);
      dockerMs.push(docker);
      labelledMs.push(labelledBuild);
      likeMs.push(likeBuild);
    }
    const ratio = median(platformMs) / median(dockerMs);
    const labelledRatio = median(platformMs) / median(labelledMs);
    const likeRatio = median(platformMs) / median(likeMs);
    console.log(`\nDev mode: build a three-file context (${SAMPLES} each, interleaved, no cache hits)`);
    console.table({
      'platform (POST /images → build finishedAt)': {
        'median ms': round(median(platformMs)),
        'min ms': round(Math.min(...platformMs)),
        'max ms': round(Math.max(...platformMs)),
      },
      'docker build (classic builder)': {
        'median ms': round(median(dockerMs)),
        'min ms': round(Math.min(...dockerMs)),
        'max ms': round(Math.max(...dockerMs)),
      },
      "docker build + the platform's LABEL line": {
        'median ms': round(median(labelledMs)),
        'min ms': round(Math.min(...labelledMs)),
        'max ms': round(Math.max(...labelledMs)),
      },
      [`… and --network ${RUN_NETWORK}, --memory, --cpu-quota (like for like)`]: {
        'median ms': round(median(likeMs)),
        'min ms': round(Math.min(...likeMs)),
        'max ms': round(Math.max(...likeMs)),
      },
    });
    console.log(`ratio platform / docker build: ${ratio.toFixed(2)} (target ≤ 1.2) ${ratio <= 1.2 ? 'MET' : 'NOT MET'}`);
    console.log(`ratio platform / docker build of what the platform sends (its LABEL line too): ${labelledRatio.toFixed(2)}`);
    console.log(`ratio platform / docker build like for like (LABEL line, run network, memory and cpu bounds): ${likeRatio.toFixed(2)}`);
  } finally {
    // DELETE answers 204 without a body, which the bench's JSON client cannot parse: the deletion is done all the same.
    for (const imageId of imageIds) await call('DELETE', `/images/${imageId}`).catch(() => undefined);
    if (dockerTags.length > 0) await run('docker', ['rmi', '-f', ...dockerTags]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
