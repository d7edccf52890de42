/**
 * Garbage collection on demand (POST /admin/gc) and on a timer (dev mode): what the backend's
 * collector may remove is decided here, so both paths keep the same images: every build an app
 * names now (ImageResolver.imageRefsInUse) and every image a run of the last RECENT_RUNS_MS ran.
 */
import type { Principal } from '../domain.js';
import { forbidden, ServiceUnavailableError } from '../errors.js';
import type { GarbageCollector, GcReport } from '../ports.js';
import type { ImageResolver } from './image-resolver.js';
import type { RunService } from './runs.js';

/** Runs created this recently (ms, 24 h) keep their images: a retry or a rerun of them launches the same image. */
export const RECENT_RUNS_MS = 24 * 60 * 60 * 1000;

/** Who may see every run: the collector reads runs across owners. */
const SYSTEM: Principal = { userId: 'system:garbage-collector', role: 'admin' };

export class GarbageService {
  constructor(
    private readonly images: Pick<ImageResolver, 'imageRefsInUse'>,
    private readonly runs: RunService,
    private readonly collector?: GarbageCollector,
  ) {}

  /**
   * Runs one collection for an admin and reports what went.
   * @throws ClientError 403 for anyone else; ServiceUnavailableError (503) where the backend has no collector.
   */
  async collectFor(principal: Principal): Promise<GcReport> {
    if (principal.role !== 'admin') throw forbidden('only admins may collect garbage');
    return this.collect();
  }

  /** One collection (the dev-mode timer's). @throws ServiceUnavailableError where the backend has no collector. */
  async collect(): Promise<GcReport> {
    if (!this.collector) {
      throw new ServiceUnavailableError(
        'this backend has no garbage collector: it keeps no built images (the cloud collects only where an image repository is configured)',
      );
    }
    return this.collector.collect(await this.inUse());
  }

  /** Image references and digests that must stay: the apps' builds, and the images of recent runs. */
  async inUse(): Promise<Set<string>> {
    const refs = await this.images.imageRefsInUse();
    const from = new Date(Date.now() - RECENT_RUNS_MS).toISOString();
    let cursor: string | undefined;
    do {
      const page = await this.runs.list(SYSTEM, { from, limit: 100, cursor });
      for (const run of page.items) {
        for (const image of [run.image, ...(run.sidecars ?? []).map((sidecar) => sidecar.image)]) refs.add(image);
        if (run.imageDigest) refs.add(run.imageDigest);
      }
      cursor = page.nextCursor;
    } while (cursor);
    return refs;
  }
}
