/**
 * The cloud's garbage collector (the GarbageCollector port, as dev mode's local/images/garbage-collector.ts):
 * the builds in the ECR repository that no app and no recent run uses. The repository's lifecycle
 * rule expires only untagged layers, since an age or count rule would expire a build an app still
 * runs; this expires the rest by the dev-mode policy: per image, the newest KEPT_BUILDS builds stay
 * whatever happens, and an older one goes unless `inUse` (GarbageService.inUse: the builds apps name
 * and the images of the last day's runs) holds its reference or digest. Only tags of the platform's
 * builds (buildOfTag) are ever touched. Run by the reconciler's schedule and by POST /admin/gc.
 */
import { BatchDeleteImageCommand, paginateDescribeImages, type ECRClient, type ImageDetail } from '@aws-sdk/client-ecr';
import type { GarbageCollector, GcRemoval, GcReport } from '../ports.js';
import { buildOfTag } from './build-events.js';
import { BATCH_DELETE_IMAGE_MAX_IDS, repositoryNameOf } from './codebuild-image-builder.js';
import { AwsOperationError, unlessThrottled } from './errors.js';

/** Builds kept per image, newest first, whether used or not (3, as dev mode keeps). */
export const KEPT_BUILDS = 3;

/** A tagged image of the repository and the build its tag names. */
interface TaggedBuild {
  tag: string;
  imageId: string;
  buildNumber: number;
  detail: ImageDetail;
}

export class EcrGarbageCollector implements GarbageCollector {
  private readonly repositoryName: string;

  /** `repositoryUri` is IMAGE_REPOSITORY_URI (`<registry>/<name>`). */
  constructor(private readonly options: { ecr: ECRClient; repositoryUri: string; keepBuilds?: number }) {
    this.repositoryName = repositoryNameOf(options.repositoryUri);
  }

  /**
   * Deletes the builds beyond each image's newest `keepBuilds` whose `<uri>:<tag>` and digest `inUse` does not hold,
   * in BatchDeleteImage calls of at most 100 ids. An image already gone counts as done.
   * @throws AwsOperationError for another failure ECR reports; ServiceUnavailableError when ECR throttles.
   */
  async collect(inUse: ReadonlySet<string>): Promise<GcReport> {
    const byImage = new Map<string, TaggedBuild[]>();
    const pages = paginateDescribeImages(
      { client: this.options.ecr, pageSize: 1000 },
      { repositoryName: this.repositoryName, filter: { tagStatus: 'TAGGED' } },
    );
    for await (const page of pages) {
      for (const detail of page.imageDetails ?? []) {
        for (const tag of detail.imageTags ?? []) {
          const build = buildOfTag(tag);
          if (build) byImage.set(build.imageId, [...(byImage.get(build.imageId) ?? []), { tag, ...build, detail }]);
        }
      }
    }
    const doomed: TaggedBuild[] = [];
    for (const builds of byImage.values()) {
      builds.sort((a, b) => b.buildNumber - a.buildNumber);
      for (const build of builds.slice(this.options.keepBuilds ?? KEPT_BUILDS)) {
        const used = inUse.has(`${this.options.repositoryUri}:${build.tag}`) || (build.detail.imageDigest !== undefined && inUse.has(build.detail.imageDigest));
        if (!used) doomed.push(build);
      }
    }
    const removed: GcRemoval[] = [];
    for (let i = 0; i < doomed.length; i += BATCH_DELETE_IMAGE_MAX_IDS) {
      const batch = doomed.slice(i, i + BATCH_DELETE_IMAGE_MAX_IDS);
      const out = await unlessThrottled(
        'ECR',
        this.options.ecr.send(new BatchDeleteImageCommand({ repositoryName: this.repositoryName, imageIds: batch.map((b) => ({ imageTag: b.tag })) })),
      );
      const failures = (out.failures ?? []).filter((f) => f.failureCode !== 'ImageNotFound');
      if (failures.length > 0) {
        throw new AwsOperationError(
          'BatchDeleteImage',
          failures.map((f) => `${f.imageId?.imageTag}: ${f.failureCode} ${f.failureReason ?? ''}`.trim()).join('; '),
        );
      }
      const deleted = new Set((out.imageIds ?? []).map((id) => id.imageTag));
      for (const build of batch) {
        if (deleted.has(build.tag))
          removed.push({ kind: 'image', id: `${this.options.repositoryUri}:${build.tag}`, bytes: build.detail.imageSizeInBytes ?? 0, reason: 'old build' });
      }
    }
    return { removed, bytesFreed: removed.reduce((sum, r) => sum + r.bytes, 0) };
  }
}
