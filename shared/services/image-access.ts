/**
 * Who may use which image, for the image services: the image strings an app may name, what a run of
 * one launches, and the platform's own images a Dockerfile builds on. The platform's image
 * namespace (`containerizer-img/…` in dev mode, the image repository in the cloud; see
 * platformImageOf) belongs to the platform: a reference into it is never passed through as a
 * string, which would skip the owner check and the scan policy (issue 14). Apps name builds as
 * `{imageId, build}`; a Dockerfile may build on a build of its owner's that is BUILT and passes
 * the scan policy.
 */
import { DOCKERFILE, type ContextEntry } from '../build-context.js';
import type { App, Principal } from '../domain.js';
import { badRequest, conflict, forbidden } from '../errors.js';
import { platformImageOf, PLATFORM_REPOSITORY, type PlatformImage } from '../image-reference.js';
import type { ImageStore } from '../store/image-store.js';
import { canAccess } from './access.js';
import { reviewDockerfile } from '../rules/dockerfile-rules.js';
import { chosenBuild, isAllowedImage, runRefusal } from '../rules/image-rules.js';
import type { ImagePolicy } from '../settings.js';

/** What a run launches for one container: the exact reference, the build's digest, and why the policy refuses it, if it does. */
export interface ResolvedContainerImage {
  image: string;
  imageDigest?: string;
  refusal?: string;
}

/** Why a string naming `platform` is refused, as one sentence. */
function platformRefusal(image: string, platform: PlatformImage): string {
  if (platform.kind === 'build')
    return `image "${image}" names build ${platform.build} of a built image by its tag: name it as {"imageId": "${platform.imageId}", "build": ${platform.build}}, which checks its owner and the scan policy`;
  if (platform.kind === 'id')
    return `image "${image}" is an image id (or could be read as one): name an image by repository and tag, or a built image as {imageId}`;
  return `image "${image}" is in the platform's own image namespace (${PLATFORM_REPOSITORY}/…): name a built image as {imageId}`;
}

export class ImageAccess {
  constructor(
    private readonly store: ImageStore,
    private readonly policy: ImagePolicy,
  ) {}

  /**
   * Checks an image string an app names in `field`: not into the platform's namespace, and with an allowed prefix.
   * @throws ClientError 400 naming the field.
   */
  checkString(image: string, field: string): void {
    const platform = platformImageOf(image, this.policy.platformRepositories);
    if (platform) {
      const message = platformRefusal(image, platform);
      throw badRequest(message, [{ field, message: 'names the platform\'s own images: use {"imageId", "build"}' }]);
    }
    if (isAllowedImage(image, this.policy.allowedImagePrefixes)) return;
    const message = `not allowed on this deployment: an image must start with ${this.policy.allowedImagePrefixes.map((p) => `"${p}"`).join(' or ')}, or be a built image {imageId}`;
    throw badRequest(`image "${image}" is ${message}`, [{ field, message }]);
  }

  /**
   * Checks one container's image of an app (`field` names it in errors): a string as checkString, or an image of the caller's
   * with a BUILT build (the one named, or any). Records the app's use of a built image, so the image is not deleted under it.
   * @throws ClientError 400 naming the field, 409 (no BUILT build; the image is being deleted).
   */
  async checkAppImage(principal: Principal, appId: string, image: App['image'], field: string): Promise<void> {
    if (typeof image === 'string') return this.checkString(image, field);
    const found = await this.store.getImage(image.imageId);
    if (!found || !canAccess(principal, found.ownerId)) {
      throw badRequest(`image ${image.imageId} does not exist`, [{ field: `${field}.imageId`, message: 'no such image of yours' }]);
    }
    const build = chosenBuild(await this.store.builds(image.imageId), image);
    if (build?.status !== 'BUILT') {
      const which = image.build === undefined ? 'has no BUILT build' : `build ${image.build} is ${build ? build.status : 'missing'}, not BUILT`;
      const named = field === 'image' ? '' : ` (${field})`;
      throw conflict(`image ${image.imageId}${named} ${which}: build it first (POST /images/${image.imageId}/builds)`);
    }
    await this.store.putUse(image.imageId, appId);
    // Read after the claim is written: a deletion that marked the image first refuses this app (see ImageService.delete).
    if ((await this.store.getImage(image.imageId))?.deletingSince !== undefined) {
      await this.store.deleteUse(image.imageId, appId);
      throw conflict(`image ${image.imageId} is being deleted`);
    }
  }

  /** One container's image as a run launches it, and the scan policy's verdict on it (a string into the platform's namespace, kept by an app written before the rule, is refused). */
  async resolve(image: App['image']): Promise<ResolvedContainerImage> {
    if (typeof image === 'string') {
      const platform = platformImageOf(image, this.policy.platformRepositories);
      return platform ? { image, refusal: platformRefusal(image, platform) } : { image };
    }
    const build = chosenBuild(await this.store.builds(image.imageId), image);
    if (build?.status !== 'BUILT' || !build.imageRef) {
      return { image: image.imageId, refusal: `image ${image.imageId} has no BUILT build${image.build ? ` ${image.build}` : ''} (deleted?)` };
    }
    return { image: build.imageRef, imageDigest: build.digest, refusal: runRefusal(build, this.policy.scanThreshold) };
  }

  /**
   * Checks a context's Dockerfile with its build args (dockerfile-rules.ts), and that every build
   * of the platform's images it names is `ownerId`'s. With `building`, also that each is BUILT and
   * passes the scan policy (checked when a build starts: a build may change status after the Dockerfile is written).
   * @throws ClientError 400 naming the Dockerfile's line (remote ADD, a reference refused, an image not the owner's),
   *   409 (a named build is not BUILT), 403 (the scan policy refuses a named build).
   */
  async checkBuildInputs(ownerId: string, context: readonly ContextEntry[], buildArgs: Readonly<Record<string, string>>, building: boolean): Promise<void> {
    const dockerfile = context.find((entry) => entry.path === DOCKERFILE && entry.type === 'file');
    if (dockerfile?.type !== 'file') return;
    const review = reviewDockerfile(dockerfile.content.toString('utf8'), buildArgs, this.policy.platformRepositories);
    const problems = [...review.problems];
    for (const named of review.builds) {
      const image = await this.store.getImage(named.imageId);
      if (!image || image.ownerId !== ownerId) {
        problems.push(`line ${named.line}: "${named.reference}" names no image of yours`);
        continue;
      }
      if (!building) continue;
      const build = chosenBuild(await this.store.builds(named.imageId), named);
      if (build?.status !== 'BUILT')
        throw conflict(
          `the Dockerfile's line ${named.line} builds on build ${named.build} of image ${named.imageId}, which is ${build?.status ?? 'missing'}, not BUILT`,
        );
      const refusal = runRefusal(build, this.policy.scanThreshold);
      if (refusal)
        throw forbidden(
          `the Dockerfile's line ${named.line} builds on build ${named.build} of image ${named.imageId}, which the scan policy refuses: ${refusal}`,
        );
    }
    if (problems.length > 0) {
      throw badRequest(
        `the Dockerfile is not allowed: ${problems.join('; ')}`,
        problems.map((message) => ({ field: `files.${DOCKERFILE}`, message })),
      );
    }
  }
}
