/**
 * Replays: a new run with exactly what an old one ran — its image by the digest it recorded, its
 * command or script, env and sidecars (rules/replay-rules.ts) — started like any new run.
 */
import { ulid } from 'ulid';
import type { Principal, Run } from '../domain.js';
import { conflict, gone } from '../errors.js';
import type { ContainerRuntime, ImageDigests } from '../ports.js';
import type { AppService } from './apps.js';
import type { CostService } from './costs.js';
import { pinnedReference, replayRun } from '../rules/replay-rules.js';
import { isArrayParent } from '../rules/array-rules.js';
import type { RunService } from './runs.js';

export class ReplayService {
  constructor(
    private readonly runs: RunService,
    private readonly apps: AppService,
    private readonly digests: ImageDigests,
    private readonly costs: Pick<CostService, 'checkBudget'>,
  ) {}

  /**
   * Starts a new run with exactly what `runId` ran, recorded with `replayOf`. The image is the
   * digest the run recorded, as `digests` names it once it has checked the registry still holds it
   * (dev mode: the local image Id; the cloud: `repository@digest` after ECR's DescribeImages).
   * @throws ClientError 404 when the run is missing or not the caller's, 409 when it never started or is an array job's parent, 410 when it recorded no image
   *   digest or the registry no longer holds that digest, 402 over the monthly budget, 429 over the run quota.
   */
  async replay(principal: Principal, runId: string): Promise<Run> {
    const old = await this.runs.get(principal, runId);
    if (isArrayParent(old)) throw conflict(`run ${runId} is an array job: its parent ran nothing itself; replay one of its children, or start the array again`);
    // Nothing ran (a launch that failed, or an image the scan policy refused): there is nothing to replay, and no policy to bypass.
    if (!old.startedAt) throw conflict(`run ${runId} never started: there is nothing it ran to replay`);
    if (!old.imageDigest) throw gone(`run ${runId} recorded no image digest: it cannot be replayed exactly`);
    const image = await this.digests.pinned(old.image, old.imageDigest);
    if (!image) throw gone(`the image ${old.image} at digest ${old.imageDigest} that run ${runId} ran no longer exists: it cannot be replayed exactly`);
    const app = await this.apps.getVersion(old.appId, old.appVersion);
    await this.costs.checkBudget(old.ownerId);
    return this.runs.start(replayRun(old, image, { runId: ulid(), createdAt: new Date().toISOString() }), app);
  }
}

/**
 * The digest check a runtime offers: one that looks images up (dev mode's Docker: the local image
 * with that Id, or none) answers for itself; else (ECS without a registry check) `repository@digest`
 * unchecked.
 */
export function runtimeDigests(runtime: Pick<ContainerRuntime, 'inspectImage'>): ImageDigests {
  return {
    pinned: async (image, digest) => (runtime.inspectImage ? (await runtime.inspectImage(digest))?.pinned : pinnedReference(image, digest)),
  };
}
