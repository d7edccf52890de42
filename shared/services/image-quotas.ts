/**
 * Per-owner limits on images (issue 14): how many images one owner may have (a 409, as apps'
 * MAX_APPS_PER_USER) and how many builds QUEUED or BUILDING at once (a 429, as runs'
 * MAX_ACTIVE_RUNS_PER_USER). Each is checked before the write and counted again after it, so
 * that concurrent requests cannot all slip under the limit: each that finds it exceeded backs out.
 */
import { conflict, tooManyRequests } from '../errors.js';
import { isBuildFinished } from '../image-schemas.js';
import type { ImageStore } from '../store/image-store.js';

/** Per-owner limits (settings' MAX_IMAGES_PER_USER, MAX_CONCURRENT_BUILDS_PER_USER). */
export interface ImageLimits {
  /** Most images one owner may have; one more is a 409. */
  maxImagesPerUser: number;
  /** Most builds one owner may have QUEUED or BUILDING at once; one more is a 429. */
  maxConcurrentBuildsPerUser: number;
}

/** Retry-After (s) of a build refused over the limit: builds take minutes. */
const BUILD_QUOTA_RETRY_AFTER_SECONDS = 30;

export class ImageQuotas {
  constructor(
    private readonly store: ImageStore,
    private readonly limits: ImageLimits = { maxImagesPerUser: Infinity, maxConcurrentBuildsPerUser: Infinity },
  ) {}

  /**
   * Checks the owner's images: before the write (`written` false: one more must fit) or after it (true: the new one must fit).
   * @throws ClientError 409 when they are over maxImagesPerUser.
   */
  async checkImages(ownerId: string, written: boolean): Promise<void> {
    const count = await this.store.countOfOwner(ownerId);
    if (written ? count > this.limits.maxImagesPerUser : count >= this.limits.maxImagesPerUser)
      throw conflict(`you have ${this.limits.maxImagesPerUser} images, the most one user may have; delete one first`);
  }

  /**
   * Checks the owner's builds QUEUED or BUILDING (the active index holds only unsettled builds), before or after the write as checkImages.
   * @throws ClientError 429 (Retry-After) when they are over maxConcurrentBuildsPerUser.
   */
  async checkBuilds(ownerId: string, written: boolean): Promise<void> {
    const count = (await this.store.activeBuilds()).filter((b) => b.ownerId === ownerId && !isBuildFinished(b.status)).length;
    if (written ? count > this.limits.maxConcurrentBuildsPerUser : count >= this.limits.maxConcurrentBuildsPerUser) {
      throw tooManyRequests(
        `you have ${this.limits.maxConcurrentBuildsPerUser} builds queued or building, the most one user may have; wait for one to finish`,
        BUILD_QUOTA_RETRY_AFTER_SECONDS,
      );
    }
  }
}
