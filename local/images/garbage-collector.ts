/**
 * Dev mode's clean-up of the local Docker engine: exited containers the platform left,
 * dangling images of its builds, images of old builds no app or recent run uses, volumes of its
 * runs no container uses any more, and what failed builds left (the builder's journals).
 * Only objects labelled with this installation's instance id are ever touched (the engine
 * is shared with whatever else runs on the machine), and nothing is forced: an image a
 * container still uses, or that carries another tag, stays.
 */
import type Docker from 'dockerode';
import { logger } from '../../shared/logger.js';
import type { GarbageCollector as GarbageCollectorPort, GcRemoval, GcReport } from '../../shared/ports.js';
import { LABELS, dockerErrorMessage, dockerStatusCode } from '../docker/docker-events.js';

/** Builds kept per image, newest first, whether used or not (3). */
export const KEPT_BUILDS = 3;

/** An exited container younger than this is left to whoever is finishing it, e.g. saving its logs (10 min). */
export const CONTAINER_GRACE_MS = 10 * 60 * 1000;

export type { GcRemoval, GcReport };

export interface GarbageCollectorOptions {
  /** The value of the instance id label this collector owns. */
  instanceId: string;
  /** Default KEPT_BUILDS. */
  keepBuilds?: number;
  /** Default CONTAINER_GRACE_MS. */
  containerGraceMs?: number;
  /** Removes what builds that never finished left and says what (DockerImageBuilder.collectLeftovers). */
  leftovers?: () => Promise<GcRemoval[]>;
}

/** The part of `GET /system/df` (Docker Engine API, SystemDataUsageResponse) read here. */
interface DiskUsage {
  Images?: { Id: string; Size: number; SharedSize: number }[] | null;
  Volumes?: { Name: string; UsageData?: { Size: number } | null }[] | null;
}

/** Collects this instance's leftovers. One collection runs at a time; a second call waits for the first. */
export class GarbageCollector implements GarbageCollectorPort {
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly docker: Docker,
    private readonly options: GarbageCollectorOptions,
  ) {}

  /**
   * Removes this instance's exited containers (past the grace period), what its failed builds
   * left, its dangling images, its images beyond the newest `keepBuilds` builds of each image
   * unless `inUse` holds their tag or id, and its volumes no container uses. An object that
   * cannot be removed (in use, already gone) is skipped.
   */
  async collect(inUse: ReadonlySet<string> = new Set()): Promise<GcReport> {
    const next = this.running.then(() => this.collectNow(inUse));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async collectNow(inUse: ReadonlySet<string>): Promise<GcReport> {
    const removed = [
      ...(await this.collectContainers()),
      ...((await this.options.leftovers?.()) ?? []),
      ...(await this.collectImages(inUse)),
      ...(await this.collectVolumes()),
    ];
    return { removed, bytesFreed: removed.reduce((sum, r) => sum + r.bytes, 0) };
  }

  private get label(): string {
    return `${LABELS.instanceId}=${this.options.instanceId}`;
  }

  /** Checked again on each object the engine returned, so a filter the engine ignored cannot widen the sweep. */
  private owns(labels: Record<string, string> | null | undefined): boolean {
    return labels?.[LABELS.instanceId] === this.options.instanceId;
  }

  private async collectContainers(): Promise<GcRemoval[]> {
    const containers = await this.docker.listContainers({ all: true, size: true, filters: { label: [this.label], status: ['exited', 'dead'] } });
    const graceMs = this.options.containerGraceMs ?? CONTAINER_GRACE_MS;
    const removed: GcRemoval[] = [];
    for (const info of containers) {
      if (!this.owns(info.Labels)) continue;
      const container = this.docker.getContainer(info.Id);
      const done = await this.attempt(async () => {
        const { State } = await container.inspect();
        if (State.Running || Date.now() - Date.parse(State.FinishedAt) < graceMs) return false;
        await container.remove({ v: true });
        return true;
      });
      if (done) removed.push({ kind: 'container', id: info.Id, bytes: (info as { SizeRw?: number }).SizeRw ?? 0, reason: 'exited' });
    }
    return removed;
  }

  private async collectImages(inUse: ReadonlySet<string>): Promise<GcRemoval[]> {
    const images = (await this.docker.listImages({ filters: { label: [this.label] } })).filter((image) => this.owns(image.Labels));
    const candidates = new Map<string, string>();
    const builds = new Map<string, Docker.ImageInfo[]>();
    for (const image of images) {
      const tags = (image.RepoTags ?? []).filter((tag) => tag !== '<none>:<none>');
      if (tags.length === 0) candidates.set(image.Id, 'dangling');
      else builds.set(image.Labels[LABELS.imageId] ?? '', [...(builds.get(image.Labels[LABELS.imageId] ?? '') ?? []), image]);
    }
    const keep = this.options.keepBuilds ?? KEPT_BUILDS;
    for (const versions of builds.values()) {
      versions.sort((a, b) => Number(b.Labels[LABELS.buildNumber] ?? 0) - Number(a.Labels[LABELS.buildNumber] ?? 0));
      for (const image of versions.slice(keep)) {
        const used = inUse.has(image.Id) || (image.RepoTags ?? []).some((tag) => inUse.has(tag));
        if (!used) candidates.set(image.Id, 'old build');
      }
    }
    if (candidates.size === 0) return [];
    // Sizes before removal: an image's own bytes are what it shares with no other image.
    const usage = (await this.docker.df()) as DiskUsage;
    const ownBytes = new Map((usage.Images ?? []).map((i) => [i.Id, Math.max(0, i.Size - Math.max(0, i.SharedSize))]));
    const removed: GcRemoval[] = [];
    for (const [id, reason] of candidates) {
      // Not forced: Docker refuses (409) an image a container uses or that carries several tags.
      const done = await this.attempt(async () => (await this.docker.getImage(id).remove(), true));
      if (done) removed.push({ kind: 'image', id, bytes: ownBytes.get(id) ?? 0, reason });
    }
    return removed;
  }

  /**
   * Volumes labelled by this instance (a run's, local/docker/run-volumes.ts) that no container mounts: a
   * run's are removed with its containers, so these are what a crash or a foreign removal left.
   */
  private async collectVolumes(): Promise<GcRemoval[]> {
    const { Volumes } = await this.docker.listVolumes({ filters: { label: [this.label], dangling: ['true'] } });
    const volumes = (Volumes ?? []).filter((v) => this.owns(v.Labels));
    if (volumes.length === 0) return [];
    const usage = (await this.docker.df()) as DiskUsage;
    const bytes = new Map((usage.Volumes ?? []).map((v) => [v.Name, Math.max(0, v.UsageData?.Size ?? 0)]));
    const removed: GcRemoval[] = [];
    for (const volume of volumes) {
      // Not forced: Docker refuses (409) a volume a container has mounted since.
      const done = await this.attempt(async () => (await this.docker.getVolume(volume.Name).remove(), true));
      if (done) removed.push({ kind: 'volume', id: volume.Name, bytes: bytes.get(volume.Name) ?? 0, reason: 'unused' });
    }
    return removed;
  }

  /** Runs one removal; a 404 (already gone) or 409 (in use, being removed) skips the object, anything else is logged and skipped. */
  private async attempt(removal: () => Promise<boolean>): Promise<boolean> {
    try {
      return await removal();
    } catch (err) {
      const status = dockerStatusCode(err);
      if (status !== 404 && status !== 409) logger.warn('garbage collection skipped an object', { error: dockerErrorMessage(err) });
      return false;
    }
  }
}

/** A running periodic collection; `close()` stops it and waits for a collection under way. */
export interface GcTimer {
  close(): Promise<void>;
}

/**
 * Collects every `intervalMs` (ms), asking `inUse` each time for the tags and ids of images
 * apps and recent runs use. Failures are logged; the timer goes on. The timer does not keep
 * the process alive.
 */
export function collectPeriodically(gc: GarbageCollector, intervalMs: number, inUse: () => Promise<ReadonlySet<string>>): GcTimer {
  let current: Promise<unknown> = Promise.resolve();
  const tick = () => {
    current = (async () => {
      try {
        const report = await gc.collect(await inUse());
        if (report.removed.length > 0) logger.info('garbage collected', { removed: report.removed.length, bytesFreed: report.bytesFreed });
      } catch (err) {
        logger.error('garbage collection failed', { error: err as Error });
      }
    })();
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      await current;
    },
  };
}
