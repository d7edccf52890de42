/**
 * Dev mode's ImageBuilder: builds with the local Docker engine's classic builder
 * (`POST /build`, dockerode `buildImage`) from the context's tar stream. Each image has a
 * folder under the data dir: `src/` (the context of its latest build) and `builds/<n>.log`
 * (each build's log in the run logs' format, local/logs/log-file.ts, appended as the build goes).
 * A build is sandboxed like a run, as far as `/build` allows (local/docker/sandbox-settings.ts): its RUN
 * steps get a memory bound without swap, a cpu quota, the runs' process bound (build-tracker.ts) and
 * the runs' network (local/docker/run-network.ts: no path to another container, nor to the host's
 * services); the build has a timeout and a disk bound, and what a failed build made is removed.
 * `/build` cannot drop capabilities nor set no-new-privileges (no CapDrop, no SecurityOpt): RUN
 * steps keep Docker's default set, which has no CAP_SYS_ADMIN, CAP_NET_ADMIN nor device access.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { contextTar, DOCKERFILE, type ContextEntry } from '../../shared/build-context.js';
import { logger } from '../../shared/logger.js';
import type { BuildRef, BuildStateChange, GcRemoval, ImageBuilder, ImageBuildRequest, LogEvent, LogPage } from '../../shared/ports.js';
import { BuildTracker, discardJournal } from './build-tracker.js';
import { LABELS, dockerErrorMessage, dockerStatusCode, ignoringStatus, readLines } from '../docker/docker-events.js';
import { encodeLine, readPage } from '../logs/log-file.js';
import { FairQueue } from './build-queue.js';
import { DEFAULT_BUILD_LIMITS, type BuildLimits } from '../docker/sandbox-settings.js';

/** The CFS period of a build's cpu quota (µs; Docker's default). */
const CPU_PERIOD_US = 100_000;

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
  /** Bounds of each build (DEFAULT_BUILD_LIMITS for what is not given). */
  limits?: Partial<BuildLimits>;
  /** The network RUN steps join (the runs' one, made on first use); Docker's default bridge when not given. */
  network?: () => Promise<string>;
  /** Builds at once, shared fairly between owners (BUILD_CONCURRENCY; default local/images/build-queue.ts DEFAULT_BUILD_CONCURRENCY). */
  concurrency?: number;
}

/** Builds a few images at a time (a shared dev machine), shared fairly between owners (local/images/build-queue.ts). Build refs are the per-build tags. */
export class DockerImageBuilder implements ImageBuilder {
  private readonly queue: FairQueue;
  private readonly limits: BuildLimits;
  /** Journals of the builds under way in this process (build-tracker.ts), which garbage collection leaves alone. */
  private readonly active = new Set<string>();

  constructor(
    private readonly docker: Docker,
    private readonly options: DockerImageBuilderOptions,
  ) {
    this.queue = new FairQueue(options.concurrency);
    this.limits = { ...DEFAULT_BUILD_LIMITS, ...options.limits };
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
      const result = built.value;
      outcome =
        typeof result === 'string'
          ? { ...base, lastStatus: 'FAILED', at: new Date(), reason: result }
          : { ...base, lastStatus: 'BUILT', at: new Date(), imageRef: tag, digest: result.Id };
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

  /** A page of the build's log (local/logs/log-file.ts: byte-offset cursors, a page costs its own size). @throws ClientError 400 on a foreign cursor. */
  readLog({ imageId, number: buildNumber }: { imageId: string; number: number }, options: { cursor?: string; limit: number }): Promise<LogPage> {
    return readPage(this.logFileOf(imageId, buildNumber), options);
  }

  /**
   * Removes the image's built images (those labelled with its id by this installation) and its
   * folder (context and build logs). Idempotent; an image a container still uses is removed anyway (force).
   */
  async discard(imageId: string): Promise<void> {
    const folder = this.folderOf(imageId);
    await this.discardJournals(path.join(folder, 'builds'));
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

  /**
   * What builds that did not finish left (a crash mid-build: their journals remain): removes it
   * (build-tracker.ts discardJournal). For garbage collection; builds under way are left alone.
   */
  async collectLeftovers(): Promise<GcRemoval[]> {
    const removed: GcRemoval[] = [];
    const images = await readdir(path.join(this.options.dataDir, 'images')).catch(() => []);
    for (const imageId of images) removed.push(...(await this.discardJournals(path.join(this.options.dataDir, 'images', imageId, 'builds'))));
    return removed;
  }

  private async discardJournals(folder: string): Promise<GcRemoval[]> {
    const removed: GcRemoval[] = [];
    for (const name of await readdir(folder).catch(() => [])) {
      const journal = path.join(folder, name);
      if (name.endsWith('.created') && !this.active.has(journal)) removed.push(...(await discardJournal(this.docker, journal)));
    }
    return removed;
  }

  /**
   * Runs the classic build within the build bounds, writing its output as it comes. Returns the
   * built image, or why the build failed (Docker's error, the timeout, the disk bound); a failed
   * build's objects are removed.
   */
  private async dockerBuild(
    request: ImageBuildRequest,
    tag: string,
    write: (stream: LogEvent['stream'], message: string) => void,
  ): Promise<Docker.ImageInspectInfo | string> {
    const { limits } = this;
    const journal = this.logFileOf(request.imageId, request.buildNumber).replace(/\.log$/, '.created');
    const stopping = new AbortController();
    let stopped: string | undefined;
    const stop = (reason: string) => {
      stopped ??= reason;
      stopping.abort();
    };
    const timer = setTimeout(() => stop(`build timed out after ${limits.timeoutMs / 1000} s (BUILD_TIMEOUT_SECONDS)`), limits.timeoutMs);
    const tracker = new BuildTracker(this.docker, { journal, ...limits, onExceeded: stop });
    this.active.add(journal);
    try {
      const streamed = await this.stream(request, tag, limits, stopping.signal, tracker, write);
      // A step can write past the bound between two checks: measured once more at the end.
      const image = (stopped ?? streamed) === undefined ? await this.docker.getImage(tag).inspect() : undefined;
      const error = stopped ?? streamed ?? tracker.overBound(await tracker.builtBytes(image!));
      if (error === undefined) {
        await tracker.keep(tag);
        return image!;
      }
      // Docker's own error is in the log already.
      if (error !== streamed) write('stderr', error);
      await this.discardBuild(tracker, tag);
      return error;
    } catch (err) {
      await this.discardBuild(tracker, tag);
      throw err;
    } finally {
      clearTimeout(timer);
      this.active.delete(journal);
    }
  }

  /** Removes what a failed build made, its tag too (a build failed at its end by its disk has one). */
  private async discardBuild(tracker: BuildTracker, tag: string): Promise<void> {
    await tracker.discard();
    await ignoringStatus([404, 409], () => this.docker.getImage(tag).remove());
  }

  /** Streams the build's output to `write` and the tracker. Returns Docker's error message, if the build failed; undefined when `signal` stopped it. */
  private async stream(
    request: ImageBuildRequest,
    tag: string,
    limits: BuildLimits,
    signal: AbortSignal,
    tracker: BuildTracker,
    write: (stream: LogEvent['stream'], message: string) => void,
  ): Promise<string | undefined> {
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
        // Each RUN step's container: memory without swap (memswap = memory), a cpu quota, the runs' network.
        memory: limits.memoryBytes,
        memswap: limits.memoryBytes,
        cpuperiod: CPU_PERIOD_US,
        cpuquota: Math.round(limits.cpu * CPU_PERIOD_US),
        ...(this.options.network && { networkmode: await this.options.network() }),
        abortSignal: signal,
      } as Docker.ImageBuildOptions,
    )) as Readable;
    tracker.start();
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
        if (message.stream && message.stream !== '\n') {
          for (const text of message.stream.replace(/\n$/, '').split('\n')) {
            tracker.see(text);
            write('stdout', text);
          }
        }
        if (message.status) write('stdout', message.id ? `${message.id}: ${message.status}` : message.status);
        if (message.error) {
          error = message.error.trim();
          write('stderr', error);
        }
      });
    } catch (err) {
      if (!signal.aborted) throw err;
      return undefined;
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
