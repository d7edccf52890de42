/**
 * The builds of images: start one (claiming the image first: build-claim.ts), read them and
 * their logs, and their forward-only state machine `QUEUED → BUILDING → BUILT | FAILED` driven
 * by the builder's events, with the scans recorded on them and the settling of what a crash or
 * a lost event left unsettled. Pure rules: rules/image-rules.ts; writes: store/image-store.ts.
 */
import type { Principal } from '../domain.js';
import { conflict, notFound, ServiceUnavailableError } from '../errors.js';
import type { ScanResult } from '../image-scan.js';
import { isBuildFinished, type Build } from '../image-schemas.js';
import { logger } from '../logger.js';
import type { BuildStateChange, LogPage } from '../ports.js';
import type { ImagePolicy } from '../settings.js';
import type { ImageStore } from '../store/image-store.js';
import { buildFieldsOf } from '../rules/image-rules.js';
import { buildUnderway } from './build-claim.js';
import { ImageAccess } from './image-access.js';
import { ImageQuotas, type ImageLimits } from './image-quotas.js';
import type { ImageBackend, ImageService } from './images.js';

export class BuildService {
  private readonly access: ImageAccess;
  private readonly quotas: ImageQuotas;

  /** `images` finds the image (and checks the caller may see it) for every build asked about. */
  constructor(
    private readonly store: ImageStore,
    private readonly images: Pick<ImageService, 'get'>,
    policy: ImagePolicy,
    private readonly backend?: ImageBackend,
    limits?: ImageLimits,
  ) {
    this.access = new ImageAccess(store, policy);
    this.quotas = new ImageQuotas(store, limits);
  }

  /**
   * Starts build `buildCount + 1` of the image's current version: 202 with it QUEUED (or further along).
   * A builder that refuses to start fails the build with its error.
   * @throws ClientError 400/403/409 (the Dockerfile: image-access.ts checkBuildInputs), 404, 409 (a build is under way, or the
   *   image just changed), 429 (Retry-After) when the owner has maxConcurrentBuildsPerUser builds QUEUED or BUILDING.
   */
  async startBuild(principal: Principal, imageId: string): Promise<Build> {
    const { builder, contexts } = this.adapters();
    const image = await this.images.get(principal, imageId);
    if (await buildUnderway(this.store, image)) throw conflict(`build ${image.activeBuild} of image ${imageId} is under way`);
    if (image.deletingSince !== undefined) throw conflict(`image ${imageId} is being deleted`);
    const context = await contexts.get(imageId, image.contextVersion);
    await this.access.checkBuildInputs(image.ownerId, context, image.buildArgs, true);
    await this.quotas.checkBuilds(image.ownerId, false);
    const number = image.buildCount + 1;
    if (!(await this.store.claimBuild(imageId, number, image.version, new Date().toISOString())))
      throw conflict(`image ${imageId} changed or started a build meanwhile; try again`);
    const build: Build = { imageId, ownerId: image.ownerId, number, imageVersion: image.version, status: 'QUEUED', createdAt: new Date().toISOString() };
    await this.store.insertBuild(build);
    // Counted again after the write (concurrent starts of the owner's other images): each that finds the limit exceeded backs out.
    try {
      await this.quotas.checkBuilds(image.ownerId, true);
    } catch (err) {
      await this.store.deleteBuild(imageId, number);
      await this.store.unclaimBuild(imageId, number);
      throw err;
    }
    try {
      const buildRef = await builder.build({
        imageId,
        ownerId: image.ownerId,
        buildNumber: number,
        contextVersion: image.contextVersion,
        context,
        buildArgs: image.buildArgs,
      });
      return (await this.store.setBuildRef(imageId, number, buildRef)) ?? build;
    } catch (err) {
      logger.warn('build did not start', { imageId, buildNumber: number, error: err as Error });
      await this.applyBuildStateChange({
        imageId,
        buildNumber: number,
        buildRef: '',
        lastStatus: 'FAILED',
        at: new Date(),
        reason: `the build could not start: ${(err as Error).message}`,
      });
      return (await this.store.getBuild(imageId, number)) ?? build;
    }
  }

  /** The image's builds, newest first. @throws ClientError 404. */
  async list(principal: Principal, imageId: string): Promise<Build[]> {
    await this.images.get(principal, imageId);
    return (await this.store.builds(imageId)).reverse();
  }

  /** @throws ClientError 404 (image or build). */
  async getBuild(principal: Principal, imageId: string, number: number): Promise<Build> {
    await this.images.get(principal, imageId);
    const build = await this.store.getBuild(imageId, number);
    if (!build) throw notFound('build', `${imageId}/${number}`);
    return build;
  }

  /** A page of a build's log. @throws ClientError 404, 400 for a foreign cursor. */
  async readBuildLog(principal: Principal, imageId: string, number: number, options: { cursor?: string; limit: number }): Promise<LogPage> {
    const build = await this.getBuild(principal, imageId, number);
    return this.adapters().builder.readLog(build, options);
  }

  /**
   * Applies a builder's event. Statuses only move forward: a stale or repeated event changes
   * nothing (but a repeated final one settles the build again, harmlessly). Returns the build
   * after the change, or undefined when the event changed nothing.
   */
  async applyBuildStateChange(change: BuildStateChange): Promise<Build | undefined> {
    const build = await this.store.getBuild(change.imageId, change.buildNumber);
    if (!build) return undefined;
    const updated = await this.store.transitionBuild(change.imageId, change.buildNumber, change.lastStatus, buildFieldsOf(build, change));
    const final = updated ?? build;
    if (isBuildFinished(final.status)) await this.settle(final);
    return updated;
  }

  /**
   * Records a scan on a build (a repeated or older one changes nothing), and the image's
   * digest when the build has none yet (the cloud's scan event carries it). Returns the build
   * after it, or undefined when nothing changed or the build is unknown.
   */
  async recordScan(imageId: string, number: number, scan: ScanResult, digest?: string): Promise<Build | undefined> {
    const updated = await this.store.recordScan(imageId, number, scan, digest);
    // A BUILT build waited in the active index for its scan (settle); a scan that came before the build ended leaves it there.
    const build = updated ?? (await this.store.getBuild(imageId, number));
    if (build?.scan && isBuildFinished(build.status)) await this.store.leaveActive(imageId, number);
    return updated;
  }

  /**
   * The builds not settled yet (the sparse active index): QUEUED or BUILDING, and, where scans
   * arrive as events (no scanner here: the cloud), BUILT ones still waiting for their scan. The
   * cloud's reconciler asks CodeBuild and ECR about those whose events are late (shared/aws/build-settlement.ts).
   */
  unsettledBuilds(): Promise<Build[]> {
    return this.store.activeBuilds();
  }

  /** Stops waiting for a scan of a BUILT build that will never come (ECR could not scan the image): it stays unscanned. */
  async abandonScan(imageId: string, number: number): Promise<void> {
    await this.store.leaveActive(imageId, number);
  }

  /**
   * Dev mode's start-up: a build under way when the process died can never finish (the
   * builder ran in it): it ends FAILED with `reason`; finished builds left unsettled are settled.
   */
  async reconcile(reason: string): Promise<void> {
    for (const build of await this.store.activeBuilds()) {
      try {
        if (isBuildFinished(build.status)) await this.settle(build);
        else
          await this.applyBuildStateChange({
            imageId: build.imageId,
            buildNumber: build.number,
            buildRef: build.buildRef ?? '',
            lastStatus: 'FAILED',
            at: new Date(),
            reason,
          });
      } catch (err) {
        logger.error('reconcile: could not settle a build', { imageId: build.imageId, buildNumber: build.number, error: err as Error });
      }
    }
  }

  /** Follow-ups of a finished build, each idempotent: release the image's claim, scan a BUILT one (once), leave the active index (once scanned). */
  private async settle(build: Build): Promise<void> {
    await this.store.releaseBuild(build.imageId, build.number);
    const scanner = this.backend?.scanner;
    if (build.status === 'BUILT' && build.imageRef && scanner && !build.scan) {
      try {
        await this.store.recordScan(build.imageId, build.number, await scanner.scan(build.imageRef));
      } catch (err) {
        logger.warn('scan failed', { imageId: build.imageId, buildNumber: build.number, error: err as Error });
      }
    }
    // Where scans arrive as events (the cloud), a BUILT build stays active until its scan comes, so a lost scan event is caught up on.
    if (build.status === 'BUILT' && !build.scan && !scanner) return;
    await this.store.leaveActive(build.imageId, build.number);
  }

  private adapters(): ImageBackend {
    if (!this.backend) throw new ServiceUnavailableError('image builds are not configured on this deployment');
    return this.backend;
  }
}
