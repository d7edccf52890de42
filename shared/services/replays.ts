/**
 * Replays: a new run with exactly what an old one ran — its image by the digest it recorded, its
 * command or script, env and sidecars (rules/replay-rules.ts) — started like any new run.
 */
import { ulid } from 'ulid';
import type { Principal, Run } from '../domain.js';
import { conflict, gone } from '../errors.js';
import type { ContainerRuntime } from '../ports.js';
import type { AppService } from './apps.js';
import type { CostService } from './costs.js';
import { pinnedReference, replayRun } from '../rules/replay-rules.js';
import { isArrayParent } from '../rules/array-rules.js';
import type { RunService } from './runs.js';

export class ReplayService {
  constructor(
    private readonly runs: RunService,
    private readonly apps: AppService,
    private readonly runtime: Pick<ContainerRuntime, 'inspectImage'>,
    private readonly costs: Pick<CostService, 'checkBudget'>,
  ) {}

  /**
   * Starts a new run with exactly what `runId` ran, recorded with `replayOf`. The image is the
   * digest the run recorded: the backend's own reference to it when it can look images up (dev
   * mode: the local image Id), else `repository@digest` (ECS pulls it, or fails the launch).
   * @throws ClientError 404 when the run is missing or not the caller's, 409 when it never started or is an array job's parent, 410 when it recorded no image
   *   digest or the backend no longer holds that digest, 402 over the monthly budget, 429 over the run quota.
   */
  async replay(principal: Principal, runId: string): Promise<Run> {
    const old = await this.runs.get(principal, runId);
    if (isArrayParent(old)) throw conflict(`run ${runId} is an array job: its parent ran nothing itself; replay one of its children, or start the array again`);
    // Nothing ran (a launch that failed, or an image the scan policy refused): there is nothing to replay, and no policy to bypass.
    if (!old.startedAt) throw conflict(`run ${runId} never started: there is nothing it ran to replay`);
    if (!old.imageDigest) throw gone(`run ${runId} recorded no image digest: it cannot be replayed exactly`);
    const image = this.runtime.inspectImage ? (await this.runtime.inspectImage(old.imageDigest))?.pinned : pinnedReference(old.image, old.imageDigest);
    if (!image) throw gone(`the image ${old.imageDigest} that run ${runId} ran no longer exists`);
    const app = await this.apps.getVersion(old.appId, old.appVersion);
    await this.costs.checkBudget(old.ownerId);
    return this.runs.start(replayRun(old, image, { runId: ulid(), createdAt: new Date().toISOString() }), app);
  }
}
