/**
 * Dev mode's ImageBuilder: builds with the local Docker engine's classic builder
 * (`POST /build`, dockerode `buildImage`) from the context's tar stream. Each image has a
 * folder under the data dir: `src/` (the context of its latest build) and `builds/<n>.log`
 * (each build's log in the run logs' format, local/log-file.ts, appended as the build goes).
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { contextTar, DOCKERFILE, type ContextEntry } from '../shared/build-context.js';
import { logger } from '../shared/logger.js';
import type { BuildRef, BuildStateChange, ImageBuilder, ImageBuildRequest, LogEvent, LogPage } from '../shared/ports.js';
import { LABELS, dockerErrorMessage, dockerStatusCode, readLines } from './docker-events.js';
import { encodeLine, readPage } from './log-file.js';
import { FairQueue } from './build-queue.js';

/** A build that runs longer is stopped and FAILED (60 min, CodeBuild's default build timeout). */
export const BUILD_TIMEOUT_MS = 60 * 60 * 1000;

/** The immutable tag of one build: `containerizer-img/<imageId lowercased>:<buildNumber>` (Docker repository names are lowercase). */
export function imageTag(imageId: string, buildNumber: number): string {
  return `containerizer-img/${imageId.toLowerCase()}:${buildNumber}`;
}

/**
 * The context with one LABEL instruction carrying `labels` appended to its Dockerfile (so it
 * labels the final stage). The build option `labels` would do the same with one classic-builder
 * step, and one intermediate container, per label: about 100 ms each.
 */
export function withLabels(context: readonly ContextEntry[], labels: Record<string, string>): ContextEntry[] {
  const instruction = `LABEL ${Object.entries(labels)
    .map(([key, value]) => `${JSON.stringify(key)}=${JSON.stringify(value)}`)
    .join(' ')}\n`;
  return context.map((entry) =>
    entry.path === DOCKERFILE && entry.type === 'file' ? { ...entry, content: Buffer.concat([entry.content, Buffer.from(`\n${instruction}`)]) } : entry,
  );
}

/** One message of the `POST /build` stream (Docker Engine API, the JSON lines of a classic build), the fields used here. */
interface BuildMessage {
  stream?: string;
  status?: string;
  id?: string;
  error?: string;
  aux?: { ID?: string };
}

export interface DockerImageBuilderOptions {
  /** The data dir; images live under `<dataDir>/images/<imageId>/`. */
  dataDir: string;
  /** Labelled on every image built, so garbage collection finds only this installation's. */
  instanceId: string;
  /** Receives BUILDING then BUILT or FAILED for each build; its errors are logged, never thrown. */
  onChange: (change: BuildStateChange) => Promise<void>;
  /** Default BUILD_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Builds at once, shared fairly between owners (BUILD_CONCURRENCY; default local/build-queue.ts DEFAULT_BUILD_CONCURRENCY). */
  concurrency?: number;
}

/** Builds a few images at a time (a shared dev machine), shared fairly between owners (local/build-queue.ts). Build refs are the per-build tags. */
export class DockerImageBuilder implements ImageBuilder {
  private readonly queue: FairQueue;

  constructor(
    private readonly docker: Docker,
    private readonly options: DockerImageBuilderOptions,
  ) {
    this.queue = new FairQueue(options.concurrency);
  }

  /** Queues the build in its owner's turn and returns its tag at once; see `run` for what follows. */
  async build(request: ImageBuildRequest): Promise<BuildRef> {
    this.logFileOf(request.imageId, request.buildNumber);
    void this.queue.push(request.ownerId, () =>
      this.run(request).catch((err: unknown) =>
        logger.error('build did not run', { imageId: request.imageId, buildNumber: request.buildNumber, error: err as Error }),
      ),
    );
    return imageTag(request.imageId, request.buildNumber);
  }

  /** Resolves once every queued build has finished. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * Builds now: reports BUILDING, keeps the context as `src/` and streams Docker's output to the
   * build's log meanwhile, and reports (and returns) BUILT with the tag and image id, or FAILED with
   * Docker's error. Never pulls: a FROM image missing locally fails the build with Docker's
   * message. Never throws.
   */
  async run(request: ImageBuildRequest): Promise<BuildStateChange> {
    const tag = imageTag(request.imageId, request.buildNumber);
    const base = { imageId: request.imageId, buildNumber: request.buildNumber, buildRef: tag };
    // Recorded while the build goes: the store's round trip is not the build's time. Awaited before the outcome, which must follow it.
    const building = this.report({ ...base, lastStatus: 'BUILDING', at: new Date() });
    const logFile = this.logFileOf(request.imageId, request.buildNumber);
    await mkdir(path.dirname(logFile), { recursive: true });
    const log = createWriteStream(logFile, { flags: 'w' });
    const written = new Promise<void>((resolve, reject) => log.once('close', resolve).once('error', reject));
    const write = (stream: LogEvent['stream'], message: string) => log.write(encodeLine(Date.now(), stream === 'stdout' ? 'o' : 'e', Buffer.from(message)));
    let outcome: BuildStateChange;
    try {
      // Both run to their end before either's error counts, so nothing writes to the log once it is closed.
      const [built, kept] = await Promise.allSettled([this.dockerBuild(request, tag, write), this.keepSource(request.imageId, request.context)]);
      if (built.status === 'rejected') throw built.reason;
      if (kept.status === 'rejected') throw kept.reason;
      const failure = built.value;
      if (failure) {
        outcome = { ...base, lastStatus: 'FAILED', at: new Date(), reason: failure };
      } else {
        const { Id } = await this.docker.getImage(tag).inspect();
        outcome = { ...base, lastStatus: 'BUILT', at: new Date(), imageRef: tag, digest: Id };
      }
    } catch (err) {
      const reason = dockerErrorMessage(err);
      write('stderr', reason);
      outcome = { ...base, lastStatus: 'FAILED', at: new Date(), reason };
    }
    log.end();
    await written;
    await building;
    await this.report(outcome);
    return outcome;
  }

  /** A page of the build's log (local/log-file.ts: byte-offset cursors, a page costs its own size). @throws ClientError 400 on a foreign cursor. */
  readLog({ imageId, number: buildNumber }: { imageId: string; number: number }, options: { cursor?: string; limit: number }): Promise<LogPage> {
    return readPage(this.logFileOf(imageId, buildNumber), options);
  }

  /**
   * Removes the image's built images (those labelled with its id by this installation) and its
   * folder (context and build logs). Idempotent; an image a container still uses is removed anyway (force).
   */
  async discard(imageId: string): Promise<void> {
    const folder = this.folderOf(imageId);
    const images = await this.docker.listImages({
      filters: { label: [`${LABELS.imageId}=${imageId}`, `${LABELS.instanceId}=${this.options.instanceId}`] },
    });
    for (const image of images) {
      await this.docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch((err: unknown) => {
          if (dockerStatusCode(err) !== 404) throw err;
        });
    }
    await rm(folder, { recursive: true, force: true });
  }

  /** Runs the classic build, writing its output as it comes. Returns Docker's error message, if the build failed. */
  private async dockerBuild(
    request: ImageBuildRequest,
    tag: string,
    write: (stream: LogEvent['stream'], message: string) => void,
  ): Promise<string | undefined> {
    const signal = AbortSignal.timeout(this.options.timeoutMs ?? BUILD_TIMEOUT_MS);
    const labels = {
      [LABELS.instanceId]: this.options.instanceId,
      [LABELS.imageId]: request.imageId,
      [LABELS.ownerId]: request.ownerId,
      [LABELS.buildNumber]: String(request.buildNumber),
    };
    const output = (await this.docker.buildImage(
      contextTar(withLabels(request.context, labels)) as unknown as NodeJS.ReadableStream,
      {
        t: tag,
        ...(request.buildArgs && { buildargs: request.buildArgs }),
        // The classic builder (BuildKit would need a session); remove intermediate containers even on failure.
        version: '1',
        rm: true,
        forcerm: true,
        abortSignal: signal,
      } as Docker.ImageBuildOptions,
    )) as Readable;
    let error: string | undefined;
    try {
      await readLines(output, (line) => {
        let message: BuildMessage;
        try {
          message = JSON.parse(line) as BuildMessage;
        } catch {
          write('stdout', line);
          return;
        }
        // The classic builder sends a bare "\n" after each step line: no event for those.
        if (message.stream && message.stream !== '\n') for (const text of message.stream.replace(/\n$/, '').split('\n')) write('stdout', text);
        if (message.status) write('stdout', message.id ? `${message.id}: ${message.status}` : message.status);
        if (message.error) {
          error = message.error.trim();
          write('stderr', error);
        }
      });
    } catch (err) {
      if (!signal.aborted) throw err;
      error = `build timed out after ${(this.options.timeoutMs ?? BUILD_TIMEOUT_MS) / 1000} s`;
      write('stderr', error);
    }
    return error;
  }

  /** Replaces the image's `src/` with this context, written aside first so `src/` is never half written. */
  private async keepSource(imageId: string, entries: readonly ContextEntry[]): Promise<void> {
    const folder = this.folderOf(imageId);
    const fresh = path.join(folder, `src.${randomUUID()}.tmp`);
    for (const entry of entries) {
      // Entries are validated: relative, no `..`, never through a link (shared/build-context.ts).
      const target = path.join(fresh, entry.path);
      await mkdir(path.dirname(target), { recursive: true });
      if (entry.type === 'file') await writeFile(target, entry.content, { mode: entry.mode });
      else await symlink(entry.target, target);
    }
    const old = path.join(folder, `src.${randomUUID()}.old`);
    await rename(path.join(folder, 'src'), old).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
    await rename(fresh, path.join(folder, 'src'));
    await rm(old, { recursive: true, force: true });
  }

  private async report(change: BuildStateChange): Promise<void> {
    try {
      await this.options.onChange(change);
    } catch (err) {
      logger.error('build state change not recorded', {
        imageId: change.imageId,
        buildNumber: change.buildNumber,
        lastStatus: change.lastStatus,
        error: err as Error,
      });
    }
  }

  private folderOf(imageId: string): string {
    // The image id becomes a folder name: refuse anything that could leave the data dir.
    if (!/^[A-Za-z0-9_-]+$/.test(imageId)) throw new Error(`invalid image id "${imageId}"`);
    return path.join(this.options.dataDir, 'images', imageId);
  }

  private logFileOf(imageId: string, buildNumber: number): string {
    if (!Number.isSafeInteger(buildNumber) || buildNumber < 1) throw new Error(`invalid build number ${buildNumber}`);
    return path.join(this.folderOf(imageId), 'builds', `${buildNumber}.log`);
  }
}
