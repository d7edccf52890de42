/**
 * The cloud's check before a replay: does ECR still hold the digest the old run ran? An image in
 * a private ECR repository (`<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<name>`) is
 * looked up by digest with DescribeImages (an image a lifecycle policy or the platform's garbage
 * collection deleted answers ImageNotFoundException). An image anywhere else (Docker Hub, ECR
 * Public, another registry) cannot be asked without that registry's credentials: it is named by
 * digest unchecked, and ECS's pull decides — a digest gone there fails the replay's launch
 * (CannotPullContainerError, recorded as the run's FAILED reason).
 */
import { DescribeImagesCommand, ImageNotFoundException, RepositoryNotFoundException, type ECRClient } from '@aws-sdk/client-ecr';
import type { ImageDigests } from '../ports.js';
import { pinnedReference } from '../rules/replay-rules.js';
import { unlessThrottled } from './errors.js';

/** `<registryId>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>[:tag][@digest]`: ECR's private registry host (Amazon ECR User Guide, "Private registry"). */
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^:@]+)/;

/** The private ECR repository `image` names (its account, Region and repository name), undefined for any other registry. */
export function ecrRepositoryOf(image: string): { registryId: string; region: string; repositoryName: string } | undefined {
  const match = ECR_IMAGE.exec(image);
  return match ? { registryId: match[1]!, region: match[2]!, repositoryName: match[3]! } : undefined;
}

export class EcrImageDigests implements ImageDigests {
  /** @param ecrIn the ECR client of a Region (the deployment's own, or a client for another Region an app's image is in). */
  constructor(private readonly options: { ecrIn: (region: string) => ECRClient }) {}

  /**
   * `repository@digest` when ECR still holds `digest` in `image`'s repository, undefined when the
   * image or the repository is gone; for an image outside private ECR, `repository@digest` unchecked.
   * @throws ServiceUnavailableError (503) when ECR throttles; the SDK's error for anything else (access denied): the replay is not started.
   */
  async pinned(image: string, digest: string): Promise<string | undefined> {
    const pinned = pinnedReference(image, digest);
    const repository = ecrRepositoryOf(image);
    if (!repository) return pinned;
    try {
      const ecr = this.options.ecrIn(repository.region);
      const { registryId, repositoryName } = repository;
      await unlessThrottled('ECR', ecr.send(new DescribeImagesCommand({ registryId, repositoryName, imageIds: [{ imageDigest: digest }] })));
      return pinned;
    } catch (err) {
      if (err instanceof ImageNotFoundException || err instanceof RepositoryNotFoundException) return undefined;
      throw err;
    }
  }
}
