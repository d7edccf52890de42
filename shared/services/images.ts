/**
 * The image catalogue: images built from source with every version of them. Create (a
 * validated context, kept per version), change (every change a version; what is built cannot
 * change while a build is under way: build-claim.ts), read, and delete (refused while an app
 * names the image). Builds: builds.ts; what apps and runs ask of images: image-resolver.ts.
 * Pure rules: rules/image-rules.ts; writes: store/image-store.ts.
 */
import { ulid } from 'ulid';
import { changedFiles, manifestOf, type ContextEntry, type FileInput } from '../build-context.js';
import { contextFromFiles } from '../build-context.js';
import type { App, Principal } from '../domain.js';
import { conflict, notFound, preconditionFailed, ServiceUnavailableError } from '../errors.js';
import { BUILD_INPUT_FIELDS, IMAGE_FIELDS, type Image, type ImagePatch, type ImageVersion } from '../image-schemas.js';
import type { ContextStore, ImageBuilder, ImageScanner } from '../ports.js';
import type { ImagePolicy } from '../settings.js';
import type { AppStore } from '../store/app-store.js';
import type { Page } from '../store/db.js';
import type { ImageStore } from '../store/image-store.js';
import { isId } from '../ids.js';
import { canAccess } from './access.js';
import { builtImagesOf } from '../rules/image-rules.js';
import { buildUnderway } from './build-claim.js';
import { ImageAccess } from './image-access.js';
import { ImageQuotas, type ImageLimits } from './image-quotas.js';

export type { ResolvedImage } from './image-resolver.js';

/** The backend's image adapters; without them (a deployment without builds), images can be read but not made or built. */
export interface ImageBackend {
  builder: ImageBuilder;
  contexts: ContextStore;
  /** Scans a build once BUILT (dev mode); the cloud's scans arrive as events instead (BuildService.recordScan). */
  scanner?: ImageScanner;
}

/** A new image's definition: its validated context and the rest of ImageCreate. */
export interface NewImage {
  name: string;
  description?: string;
  context: ContextEntry[];
  buildArgs: Record<string, string>;
}

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
    return this.store.listPage(principal.role === 'admin' ? undefined : principal.userId, limit, cursor);
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
    if (changesBuild && (await buildUnderway(this.store, current))) {
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
    if (await buildUnderway(this.store, image)) throw underway();
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
