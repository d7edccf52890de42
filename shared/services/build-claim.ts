/**
 * An image's build claim (`activeBuild`): starting a build claims the image before the build
 * item is written, so at most one build is under way; a claim whose build is missing or
 * finished (a crash between the writes) is released by whoever meets it next. Shared by the
 * image catalogue (no change of what is built while a build runs) and the builds.
 */
import { isBuildFinished, type Image } from '../image-schemas.js';
import type { ImageStore } from '../store/image-store.js';

/** A build claim (ms) older than this whose build item is missing was left by a crash. */
const CLAIM_WRITE_MS = 60_000;

/** Whether the image's claimed build is really under way; a claim left by a crash (no build, or a finished one) is released. */
export async function buildUnderway(store: ImageStore, image: Image): Promise<boolean> {
  if (image.activeBuild === undefined) return false;
  const build = await store.getBuild(image.imageId, image.activeBuild);
  if (build && !isBuildFinished(build.status)) return true;
  // No build item: claimed a moment ago and not written yet, or left by a crash. Only a stale claim is released.
  if (!build && Date.now() - Date.parse(image.activeSince ?? image.updatedAt) < CLAIM_WRITE_MS) return true;
  await store.releaseBuild(image.imageId, image.activeBuild);
  return false;
}
