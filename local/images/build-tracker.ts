/**
 * What one classic build (`POST /build`, the legacy builder) creates on the engine, learnt from
 * its output stream, since the builder labels none of it: its RUN steps' containers
 * (` ---> Running in <id>`) and the intermediate image each uncached step commits
 * (` ---> <id>` after a step that was not FROM nor `Using cache`). With it:
 * - each RUN step's container gets the runs' process bound (`POST /containers/{id}/update`
 *   PidsLimit): `/build` takes memory and cpu bounds but none for processes, so the bound applies
 *   from a few milliseconds after the step starts (its memory bound holds from the first); a
 *   metadata step's container never runs, and is left alone;
 * - the build's disk is measured: the layers it committed (each image's Size less its parent's)
 *   plus its running step's writable layer (SizeRw), every `diskCheckMs` and when asked;
 * - a failed build's leftovers are removed (containers forced, images newest first, never
 *   forced: an image another build has since stacked on or runs stays), and a journal of them
 *   (`<n>.created` beside the build's log) outlives a crash, so garbage collection removes them then.
 */
import { appendFile, readFile, rm } from 'node:fs/promises';
import type Docker from 'dockerode';
import { logger } from '../../shared/logger.js';
import type { GcRemoval } from '../../shared/ports.js';
import { dockerErrorMessage, dockerStatusCode, ignoringStatus } from '../docker/docker-events.js';

const MIB = 1024 * 1024;
/** How long a failed build's clean-up waits for a step's container to be removed (ms). */
const REMOVAL_WAIT_MS = 30_000;
const STEP = /^Step \d+\/\d+ : (\S+)/;
const RUNNING_IN = /^ ---> Running in ([0-9a-f]{12,64})$/;
const REMOVING = /^Removing intermediate container ([0-9a-f]{12,64})$/;
const IMAGE = /^ ---> ([0-9a-f]{12,64})$/;
/**
 * Instructions whose step container the classic builder only commits, never starts (its command is
 * `#(nop) …`): nothing runs in it to bound, and an update would only contend for its lock with the
 * commit. RUN steps, and FROM's (which runs a base image's ONBUILD triggers), do run.
 */
const NEVER_RUNS = new Set([
  'ARG',
  'CMD',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);
/** Base images' sizes by short id (an image's content, so its size, never changes under one id). */
const baseSizes = new Map<string, number>();

export interface BuildTrackerOptions {
  /** The journal file (created on the first object, removed by `keep` / `discard`). */
  journal: string;
  /** Processes per RUN step's container. */
  pidsLimit: number;
  /** Bytes the build may write (layers and the running step's writable layer). */
  diskMaxBytes: number;
  /** ms between two disk measurements. */
  diskCheckMs: number;
  /** Called once when a measurement finds the build past `diskMaxBytes`, with the reason to fail it with. */
  onExceeded(reason: string): void;
}

/** Tracks one build from its stream lines (`see`); see the module comment. */
export class BuildTracker {
  private readonly containers = new Set<string>();
  private readonly running = new Set<string>();
  private readonly images: string[] = [];
  private readonly layerBytes = new Map<string, number>();
  private instruction = '';
  private cached = false;
  private stages = 0;
  /** The image the last stage starts FROM. */
  private base: string | undefined;
  private journaling: Promise<unknown> = Promise.resolve();
  private readonly updates: Promise<unknown>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private exceeded = false;

  constructor(
    private readonly docker: Docker,
    private readonly options: BuildTrackerOptions,
  ) {}

  /** Reads one line of the build's output (the `stream` text, split into lines, without the newline). */
  see(line: string): void {
    let match: RegExpExecArray | null;
    if ((match = STEP.exec(line))) {
      this.instruction = match[1]!.toUpperCase();
      this.cached = false;
      if (this.instruction === 'FROM') this.stages++;
    } else if (line === ' ---> Using cache') {
      this.cached = true;
    } else if ((match = RUNNING_IN.exec(line))) {
      const id = match[1]!;
      this.containers.add(id);
      this.running.add(id);
      this.record('container', id);
      if (NEVER_RUNS.has(this.instruction)) return;
      this.updates.push(
        ignoringStatus([404, 409], () => this.docker.getContainer(id).update({ PidsLimit: this.options.pidsLimit })).catch((err) => {
          // A step that ended first has nothing left to bound (Docker answers 500 for it).
          if (!/stopped container|not found/.test(dockerErrorMessage(err)))
            logger.warn('could not bound the processes of a build step', { containerId: id, error: dockerErrorMessage(err) });
        }),
      );
    } else if ((match = REMOVING.exec(line))) {
      this.running.delete(match[1]!);
    } else if ((match = IMAGE.exec(line)) && this.instruction === 'FROM') {
      this.base = match[1]!;
    } else if (match && !this.cached) {
      this.images.push(match[1]!);
      this.record('image', match[1]!);
    }
  }

  /** Starts the periodic disk measurement; the timer does not keep the process alive. */
  start(): void {
    this.timer = setInterval(() => {
      this.checking ??= this.check()
        .catch((err) => logger.warn('build disk check failed', { error: dockerErrorMessage(err) }))
        .finally(() => (this.checking = undefined));
    }, this.options.diskCheckMs);
    this.timer.unref();
  }

  /** Stops the measurement and waits for what is under way (a check, the process bounds, the journal). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
    await Promise.all(this.updates);
    await this.journaling;
  }

  /** Bytes the build wrote so far: its committed layers and its running step's writable layer. */
  async diskBytes(): Promise<number> {
    for (const id of this.images) if (!this.layerBytes.has(id)) this.layerBytes.set(id, await this.layerSize(id));
    let live = 0;
    if (this.running.size > 0) {
      const containers = await this.docker.listContainers({ all: true, size: true, filters: { id: [...this.running] } });
      for (const c of containers as Array<Docker.ContainerInfo & { SizeRw?: number }>) live += c.SizeRw ?? 0;
    }
    return [...this.layerBytes.values()].reduce((sum, n) => sum + n, live);
  }

  /**
   * Bytes the built `image` adds to its last stage's base (earlier stages' layers go, see `keep`):
   * one inspection of the base, once per base image, so a build's end costs no layer-by-layer walk.
   */
  async builtBytes(image: Docker.ImageInspectInfo): Promise<number> {
    if (!this.base) return image.Size;
    let baseSize = baseSizes.get(this.base);
    if (baseSize === undefined) baseSizes.set(this.base, (baseSize = (await this.docker.getImage(this.base).inspect()).Size));
    return Math.max(0, image.Size - baseSize);
  }

  /** The reason to fail the build with when `bytes` is past the bound, else undefined. */
  overBound(bytes: number): string | undefined {
    if (bytes <= this.options.diskMaxBytes) return undefined;
    return `the build wrote ${Math.round(bytes / MIB)} MiB, past its bound of ${Math.round(this.options.diskMaxBytes / MIB)} MiB (BUILD_DISK_MAX_MIB)`;
  }

  /**
   * The build succeeded: what it made is the built image's (`tag`) ancestry, which goes with that
   * image, except the layers of earlier stages of a multi-stage build, which nothing would ever
   * remove: those are removed now. Forgets the journal.
   */
  async keep(tag: string): Promise<void> {
    await this.stop();
    if (this.stages > 1) {
      const history = (await this.docker.getImage(tag).history()) as { Id: string }[];
      const ancestry = history.map((layer) => layer.Id.replace(/^sha256:/, ''));
      const strays = this.images.filter((id) => !ancestry.some((full) => full.startsWith(id)));
      for (const id of strays.reverse()) await ignoringStatus([404, 409], () => this.docker.getImage(id).remove());
    }
    await rm(this.options.journal, { force: true });
  }

  /** The build failed: removes what it made (see discardJournal). */
  async discard(): Promise<GcRemoval[]> {
    await this.stop();
    return discardJournal(this.docker, this.options.journal);
  }

  private async check(): Promise<void> {
    if (this.exceeded) return;
    const reason = this.overBound(await this.diskBytes());
    if (!reason) return;
    this.exceeded = true;
    clearInterval(this.timer);
    this.options.onExceeded(reason);
  }

  /** An image's own layer: its Size less its parent's (the classic builder records the parent). */
  private async layerSize(id: string): Promise<number> {
    try {
      const image = await this.docker.getImage(id).inspect();
      const parent = image.Parent ? (await this.docker.getImage(image.Parent).inspect()).Size : 0;
      return Math.max(0, image.Size - parent);
    } catch (err) {
      if (dockerStatusCode(err) === 404) return 0;
      throw err;
    }
  }

  private record(kind: 'container' | 'image', id: string): void {
    this.journaling = this.journaling.then(() =>
      appendFile(this.options.journal, `${kind} ${id}\n`).catch((err) => logger.warn('could not journal a build object', { error: err as Error })),
    );
  }
}

/**
 * Removes what a build journal lists (containers forced, with their anonymous volumes; images
 * newest first, not forced), then the journal. An object already gone or still in use (404, 409)
 * is skipped. Returns what was removed. Never throws for one object; a journal that cannot be read is taken as empty.
 */
export async function discardJournal(docker: Docker, journal: string): Promise<GcRemoval[]> {
  const lines = (await readFile(journal, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  const entries = lines.map((line) => line.split(' ') as ['container' | 'image', string]);
  const removed: GcRemoval[] = [];
  const attempt = async (removal: GcRemoval, call: () => Promise<unknown>) => {
    try {
      await call();
      removed.push(removal);
    } catch (err) {
      const status = dockerStatusCode(err);
      if (status !== 404 && status !== 409) logger.warn('could not remove a failed build object', { id: removal.id, error: dockerErrorMessage(err) });
    }
  };
  for (const [kind, id] of entries) {
    if (kind !== 'container') continue;
    await attempt({ kind, id, bytes: 0, reason: 'failed build' }, () => docker.getContainer(id).remove({ force: true, v: true }));
    // A stopped build's daemon may be removing the step's container itself (our removal then
    // answers 409): its image can only go once it is gone.
    await gone(docker.getContainer(id));
  }
  for (const [kind, id] of entries.reverse()) {
    if (kind === 'image') await attempt({ kind, id, bytes: 0, reason: 'failed build' }, () => docker.getImage(id).remove());
  }
  await rm(journal, { force: true });
  return removed;
}

/** Resolves once the container is removed (at most REMOVAL_WAIT_MS: a removal that hangs is left to the next collection). */
async function gone(container: Docker.Container): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, REMOVAL_WAIT_MS)));
  try {
    await Promise.race([ignoringStatus([404], () => container.wait({ condition: 'removed' })).catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
