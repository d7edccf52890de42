/**
 * Images built from source: create (a validated context, kept per version), change (every
 * change a version; what is built cannot change while a build is under way), builds and their
 * forward-only state machine, scans recorded on builds, delete (refused while an app names
 * the image), and what apps and runs ask of images: may an app name this image, and what
 * exactly does a run of it launch. Pure rules: image-rules.ts; writes: store/image-store.ts.
 *
 * Starting a build claims the image (`activeBuild`) before the build item is written, so at
 * most one build is under way; a claim whose build is missing or finished (a crash between
 * the writes) is released by whoever meets it next.
 */
import { ulid } from 'ulid';
import { changedFiles, manifestOf, type ContextEntry, type FileInput } from '../build-context.js';
import { contextFromFiles } from '../build-context.js';
import type { App, Principal } from '../domain.js';
import { conflict, notFound, preconditionFailed, ServiceUnavailableError } from '../errors.js';
import type { ScanResult, Severity } from '../image-scan.js';
import { BUILD_INPUT_FIELDS, IMAGE_FIELDS, isBuildFinished, type Build, type Image, type ImagePatch, type ImageVersion } from '../image-schemas.js';
import { logger } from '../logger.js';
import type { BuildStateChange, ContextStore, ImageBuilder, ImageScanner, LaunchableApp, LogPage } from '../ports.js';
import type { AppStore } from '../store/app-store.js';
import type { Page } from '../store/db.js';
import type { ImageStore } from '../store/image-store.js';
import { indexKeys } from '../table.js';
import { isId } from '../ids.js';
import { canAccess } from './access.js';
import { builtImagesOf, buildFieldsOf, chosenBuild } from '../rules/image-rules.js';
import { ImageAccess } from './image-access.js';
import { ImageQuotas, type ImageLimits } from './image-quotas.js';

/** Deployment settings (shared/settings.ts): the scan policy and the images apps may name. */
export interface ImagePolicy {
  /** Runs of built images with findings at or above this severity end FAILED before starting; none: no policy. */
  scanThreshold?: Severity;
  /** Image strings an app may name must start with one of these; empty: any. Built images are always allowed. */
  allowedImagePrefixes: readonly string[];
  /** The cloud's image repositories (`<registry>/<name>`, IMAGE_REPOSITORY_URI): the platform's, never named as strings (platformImageOf). */
  platformRepositories?: readonly string[];
}

/** The backend's image adapters; without them (a deployment without builds), images can be read but not made or built. */
export interface ImageBackend {
  builder: ImageBuilder;
  contexts: ContextStore;
  /** Scans a build once BUILT (dev mode); the cloud's scans arrive as events instead (recordScan). */
  scanner?: ImageScanner;
}

/** What a run launches: the exact image reference, the built image's digest, and why the policy refuses it, if it does. */
export interface ResolvedImage {
  image: string;
  imageDigest?: string;
  refusal?: string;
  /** The app's sidecars with their exact image references (undefined: the app has none). */
  sidecars: LaunchableApp['sidecars'];
}

/** A new image's definition: its validated context and the rest of ImageCreate. */
export interface NewImage {
  name: string;
  description?: string;
  context: ContextEntry[];
  buildArgs: Record<string, string>;
}

/** A build claim (ms) older than this whose build item is missing was left by a crash. */
const CLAIM_WRITE_MS = 60_000;

export class ImageService {
  private readonly access: ImageAccess;
  private readonly quotas: ImageQuotas;

  constructor(
    private readonly store: ImageStore,
    private readonly apps: AppStore,
    policy: ImagePolicy,
    private readonly backend?: ImageBackend,
    limits?: ImageLimits,
  ) {
    this.access = new ImageAccess(store, policy);
    this.quotas = new ImageQuotas(store, limits);
  }

  /**
   * Keeps the context as version 1 and writes the image.
   * @throws ClientError 400 (the Dockerfile: image-access.ts checkBuildInputs), 409 (maxImagesPerUser reached);
   *   ServiceUnavailableError when builds are not configured.
   */
  async create(principal: Principal, input: NewImage): Promise<Image> {
    const { contexts } = this.adapters();
    await this.access.checkBuildInputs(principal.userId, input.context, input.buildArgs, false);
    await this.quotas.checkImages(principal.userId, false);
    const now = new Date().toISOString();
    const files = manifestOf(input.context);
    const image: Image = {
      imageId: ulid(),
      ownerId: principal.userId,
      name: input.name,
      description: input.description,
      files,
      buildArgs: input.buildArgs,
      version: 1,
      contextVersion: 1,
      buildCount: 0,
      createdAt: now,
      updatedAt: now,
      updatedBy: principal.userId,
    };
    await contexts.put(image.imageId, 1, input.context);
    await this.store.putVersion(
      versionOf(
        image,
        [...IMAGE_FIELDS].filter((f) => image[f] !== undefined),
        changedFiles({}, files),
      ),
    );
    if (!(await this.store.insertImage(image))) throw conflict(`image ${image.imageId} exists already`);
    // Counted again after the write, so that concurrent creates cannot all slip under the quota: each that finds it exceeded backs out.
    try {
      await this.quotas.checkImages(principal.userId, true);
    } catch (err) {
      await this.store.deleteVersions(image.imageId);
      await this.store.deleteImage(image.imageId);
      await contexts.removeAll(image.imageId);
      throw err;
    }
    return image;
  }

  /** The caller's images (admins: every image), oldest first. @throws ClientError 400 for a foreign cursor. */
  list(principal: Principal, cursor?: string, limit = 50): Promise<Page<Image>> {
    return this.store.listPage(principal.role === 'admin' ? indexKeys.allImages() : indexKeys.imagesOfOwner(principal.userId), limit, cursor);
  }

  /** @throws ClientError 404 when the image does not exist or is not the caller's. */
  async get(principal: Principal, imageId: string): Promise<Image> {
    const image = isId(imageId) ? await this.store.getImage(imageId) : undefined;
    if (!image || !canAccess(principal, image.ownerId)) throw notFound('image', imageId);
    return image;
  }

  /** Every version, oldest first. @throws ClientError 404. */
  async versions(principal: Principal, imageId: string): Promise<ImageVersion[]> {
    const image = await this.get(principal, imageId);
    return (await this.store.versions(imageId)).filter((v) => v.version <= image.version);
  }

  /** One file of the image's current version. @throws ClientError 404 (image, or no such file). */
  async readFile(principal: Principal, imageId: string, path: string): Promise<Extract<ContextEntry, { type: 'file' }>> {
    const image = await this.get(principal, imageId);
    const entry = (await this.adapters().contexts.get(imageId, image.contextVersion)).find((e) => e.path === path);
    if (entry?.type !== 'file') throw notFound('file', `${imageId}/${path}`);
    return entry;
  }

  /**
   * Applies a change as a new version. Files are merged over the current ones (null removes);
   * name and description may change at any time, files, dockerfile and buildArgs only while no
   * build is QUEUED or BUILDING.
   * @throws ClientError 400 (the merged context), 404, 409 (a build is under way), 412 (the image moved past expectedVersion).
   */
  async update(principal: Principal, imageId: string, patch: ImagePatch, expectedVersion?: number): Promise<Image> {
    const current = await this.get(principal, imageId);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw preconditionFailed(`image ${imageId} is at version ${current.version}, not ${expectedVersion}`);
    }
    const changesBuild = patch.files !== undefined || patch.dockerfile !== undefined || patch.buildArgs !== undefined;
    if (changesBuild && (await this.underway(current))) {
      throw conflict(`build ${current.activeBuild} of image ${imageId} is under way: its files and buildArgs cannot change until it ends`);
    }
    let context: ContextEntry[] | undefined;
    if (patch.files !== undefined || patch.dockerfile !== undefined) {
      const base = await this.adapters().contexts.get(imageId, current.contextVersion);
      context = contextFromFiles((patch.files ?? {}) as Record<string, FileInput | null>, patch.dockerfile, base);
    }
    // New build args change what FROM expands to. (Without a context store nothing can be built: startBuild checks again anyway.)
    const checked = context ?? (patch.buildArgs !== undefined ? await this.backend?.contexts.get(imageId, current.contextVersion) : undefined);
    if (checked) await this.access.checkBuildInputs(current.ownerId, checked, patch.buildArgs ?? current.buildArgs, false);
    const next: Image = {
      ...current,
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.description !== undefined && { description: patch.description }),
      ...(patch.buildArgs !== undefined && { buildArgs: patch.buildArgs }),
      ...(context && { files: manifestOf(context), contextVersion: current.version + 1 }),
      version: current.version + 1,
      updatedAt: new Date().toISOString(),
      updatedBy: principal.userId,
    };
    const fileChanges = changedFiles(current.files, next.files);
    const changedFields = IMAGE_FIELDS.filter((f) => JSON.stringify(next[f]) !== JSON.stringify(current[f]));
    if (changedFields.length === 0) return current;
    const requireIdle = changedFields.some((f) => (BUILD_INPUT_FIELDS as readonly string[]).includes(f));
    // New files are kept first: an image never points at a context that is missing. Other changes keep the files where they are.
    if (context) await this.adapters().contexts.put(imageId, next.contextVersion, context);
    await this.store.putVersion(versionOf(next, changedFields, fileChanges));
    const { name, description, files, contextVersion, buildArgs, version, updatedAt, updatedBy } = next;
    const change = { name, description, files, contextVersion, buildArgs, version, updatedAt, updatedBy };
    if (!(await this.store.updateImage(imageId, change, current.version, requireIdle))) {
      const now = await this.store.getImage(imageId);
      if (now?.version === current.version && now.activeBuild !== undefined) throw conflict(`a build of image ${imageId} just started: try again when it ends`);
      throw preconditionFailed(`image ${imageId} was changed by someone else; read it again`);
    }
    return next;
  }

  /**
   * Deletes the image with its builds' images, contexts, logs and items. The image is marked
   * first and the apps' use claims read after, while an app writes its claim first and reads
   * the image after (checkAppImage): whichever comes second sees the other, so no app is left
   * naming a deleted image. A crash midway leaves the image marked (no new builds or apps); deleting again finishes.
   * @throws ClientError 404, 409 while an app names it or a build is under way.
   */
  async delete(principal: Principal, imageId: string): Promise<void> {
    const image = await this.get(principal, imageId);
    const { builder, contexts } = this.adapters();
    const underway = () => conflict(`a build of image ${imageId} is under way: delete the image once it ends`);
    if (await this.underway(image)) throw underway();
    if (!(await this.store.markDeleting(imageId, new Date().toISOString()))) throw underway();
    const users = await this.appsNaming(imageId);
    if (users.length > 0) {
      await this.store.unmarkDeleting(imageId);
      throw conflict(`image ${imageId} is used by ${users.map((a) => `app "${a.name}" (${a.appId})`).join(', ')}: change or delete them first`);
    }
    await builder.discard(imageId);
    await contexts.removeAll(imageId);
    for (const build of await this.store.builds(imageId)) await this.store.deleteBuild(imageId, build.number);
    await this.store.deleteVersions(imageId);
    await this.store.deleteImage(imageId);
  }

  /**
   * Starts build `buildCount + 1` of the image's current version: 202 with it QUEUED (or further along).
   * A builder that refuses to start fails the build with its error.
   * @throws ClientError 400/403/409 (the Dockerfile: image-access.ts checkBuildInputs), 404, 409 (a build is under way, or the
   *   image just changed), 429 (Retry-After) when the owner has maxConcurrentBuildsPerUser builds QUEUED or BUILDING.
   */
  async startBuild(principal: Principal, imageId: string): Promise<Build> {
    const { builder, contexts } = this.adapters();
    const image = await this.get(principal, imageId);
    if (await this.underway(image)) throw conflict(`build ${image.activeBuild} of image ${imageId} is under way`);
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
  async builds(principal: Principal, imageId: string): Promise<Build[]> {
    await this.get(principal, imageId);
    return (await this.store.builds(imageId)).reverse();
  }

  /** @throws ClientError 404 (image or build). */
  async getBuild(principal: Principal, imageId: string, number: number): Promise<Build> {
    await this.get(principal, imageId);
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

  /**
   * What an app may name, checked when it is created or its images change, for its main container
   * (field `image`) and each sidecar (`sidecars.<i>.image`): an image string with an allowed prefix,
   * or an image of the caller's with a BUILT build (the one named, or any). Records the app's use of
   * each built image, so the image is not deleted under it.
   * @throws ClientError 400 naming the field (prefix not allowed, unknown image), 409 (no BUILT build; the image is being deleted).
   */
  async checkAppImage(principal: Principal, app: Pick<App, 'appId' | 'image' | 'sidecars'>): Promise<void> {
    await this.access.checkAppImage(principal, app.appId, app.image, 'image');
    for (const [i, sidecar] of (app.sidecars ?? []).entries()) await this.access.checkAppImage(principal, app.appId, sidecar.image, `sidecars.${i}.image`);
  }

  /**
   * The exact images a run of `app` launches, main and sidecars, and the scan policy's verdict:
   * the first refusal, a sidecar's naming the sidecar.
   */
  async resolveForRun(app: Pick<App, 'image' | 'sidecars'>): Promise<ResolvedImage> {
    const sidecars = app.sidecars ?? [];
    const [main, ...resolved] = await Promise.all([app.image, ...sidecars.map((sidecar) => sidecar.image)].map((image) => this.access.resolve(image)));
    const refusals = resolved.map((r, i) => r.refusal && `sidecar "${sidecars[i]!.name}": ${r.refusal}`);
    return {
      ...main!,
      refusal: [main!.refusal, ...refusals].find(Boolean),
      sidecars: app.sidecars && sidecars.map((sidecar, i) => ({ ...sidecar, image: resolved[i]!.image })),
    };
  }

  /**
   * The hook of dev mode's garbage collector (local/images/garbage-collector.ts, issue 9): the per-build
   * image references the apps name now (the build each resolves to), which it must never remove.
   * Reads every app (the byKind index, page by page) and each named image's builds.
   */
  async imageRefsInUse(): Promise<Set<string>> {
    const refs = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await this.apps.listPage(indexKeys.allApps(), 100, cursor);
      for (const app of page.items) {
        for (const image of builtImagesOf(app)) {
          const build = chosenBuild(await this.store.builds(image.imageId), image);
          if (build?.imageRef) refs.add(build.imageRef);
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return refs;
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

  /** Whether the image's claimed build is really under way; a claim left by a crash (no build, or a finished one) is released. */
  private async underway(image: Image): Promise<boolean> {
    if (image.activeBuild === undefined) return false;
    const build = await this.store.getBuild(image.imageId, image.activeBuild);
    if (build && !isBuildFinished(build.status)) return true;
    // No build item: claimed a moment ago and not written yet, or left by a crash. Only a stale claim is released.
    if (!build && Date.now() - Date.parse(image.activeSince ?? image.updatedAt) < CLAIM_WRITE_MS) return true;
    await this.store.releaseBuild(image.imageId, image.activeBuild);
    return false;
  }

  /** The apps whose current version names the image; stale use claims are dropped on the way. */
  private async appsNaming(imageId: string): Promise<App[]> {
    const users: App[] = [];
    for (const appId of await this.store.uses(imageId)) {
      const app = await this.apps.getApp(appId);
      if (app && builtImagesOf(app).some((image) => image.imageId === imageId)) users.push(app);
      else await this.store.deleteUse(imageId, appId);
    }
    return users;
  }

  private adapters(): ImageBackend {
    if (!this.backend) throw new ServiceUnavailableError('image builds are not configured on this deployment');
    return this.backend;
  }
}

function versionOf(image: Image, changedFields: ImageVersion['changedFields'], files: ImageVersion['changedFiles']): ImageVersion {
  const { buildCount: _count, activeBuild: _active, activeSince: _since, deletingSince: _deleting, ...rest } = image;
  return { ...rest, changedFields, changedFiles: files };
}
