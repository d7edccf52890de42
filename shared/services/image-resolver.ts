/**
 * What apps and runs ask of images: may an app name this image (recording its use, so the
 * image is not deleted under it), what exactly a run of an app launches with the scan
 * policy's verdict, and which built images are in use (for the garbage collector). Who may
 * use which image: image-access.ts.
 */
import type { App, Principal } from '../domain.js';
import type { LaunchableApp } from '../ports.js';
import type { ImagePolicy } from '../settings.js';
import type { AppStore } from '../store/app-store.js';
import type { ImageStore } from '../store/image-store.js';
import { builtImagesOf, chosenBuild } from '../rules/image-rules.js';
import { ImageAccess } from './image-access.js';

/** What a run launches: the exact image reference, the built image's digest, and why the policy refuses it, if it does. */
export interface ResolvedImage {
  image: string;
  imageDigest?: string;
  refusal?: string;
  /** The app's sidecars with their exact image references (undefined: the app has none). */
  sidecars: LaunchableApp['sidecars'];
}

export class ImageResolver {
  private readonly access: ImageAccess;

  constructor(
    private readonly store: ImageStore,
    private readonly apps: AppStore,
    policy: ImagePolicy,
  ) {
    this.access = new ImageAccess(store, policy);
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
      const page = await this.apps.listPage(undefined, 100, cursor);
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
}
