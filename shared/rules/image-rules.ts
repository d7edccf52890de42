/**
 * The pure rules of images and builds (no I/O, no clock): the build status order, what a
 * build state change records, which build an app's image reference means, the run policy on
 * a build's scan, and the allowed image prefixes. ImageService applies them; ImageStore writes them.
 */
import { blockingFindings, describeBlocking, type Severity } from '../image-scan.js';
import { BUILD_STATUSES, isBuildFinished, type Build, type BuildFields, type BuildStatus, type BuiltImageRef } from '../image-schemas.js';
import type { App } from '../domain.js';
import type { BuildStateChange } from '../ports.js';

/** Position of a status in QUEUED < BUILDING < BUILT = FAILED: both final statuses share the last rank, so neither replaces the other. */
export function buildRank(status: BuildStatus): number {
  return isBuildFinished(status) ? BUILD_STATUSES.indexOf('BUILT') : BUILD_STATUSES.indexOf(status);
}

/**
 * What a build state change records: BUILDING its start; BUILT or FAILED the finish, the
 * duration (ms, startedAt → finishedAt; none when the start was never seen) and the image
 * reference and digest, or the reason.
 */
export function buildFieldsOf(build: Pick<Build, 'startedAt'>, change: BuildStateChange): BuildFields {
  const at = change.at.toISOString();
  if (change.lastStatus === 'BUILDING') return { startedAt: at, buildRef: change.buildRef };
  const fields: BuildFields = { finishedAt: at, durationMs: build.startedAt ? change.at.getTime() - Date.parse(build.startedAt) : undefined };
  return change.lastStatus === 'BUILT'
    ? { ...fields, imageRef: change.imageRef, digest: change.digest }
    : { ...fields, reason: change.reason ?? 'the build failed' };
}

/** The build an app's `image: {imageId, build?}` names among the image's builds: build `build`, else the latest BUILT one. */
export function chosenBuild(builds: readonly Build[], ref: Pick<BuiltImageRef, 'build'>): Build | undefined {
  if (ref.build !== undefined) return builds.find((b) => b.number === ref.build);
  return builds.filter((b) => b.status === 'BUILT').sort((a, b) => b.number - a.number)[0];
}

/**
 * Why the policy refuses to run a build, if it does: it has findings at or above `threshold`,
 * or has not been scanned yet (a policy cannot pass what it has not seen). No threshold refuses nothing.
 */
export function runRefusal(build: Pick<Build, 'number' | 'scan'>, threshold: Severity | undefined): string | undefined {
  if (!threshold) return undefined;
  if (!build.scan) return `build ${build.number} has not been scanned yet (policy refuses ${threshold} and above)`;
  const blocking = blockingFindings(build.scan, threshold);
  if (blocking.length === 0) return undefined;
  const named = build.scan.findings
    .filter((f) => blocking.some((b) => b.severity === f.severity))
    .slice(0, 5)
    .map((f) => `${f.id} (${f.where})`);
  return named.length > 0 ? `${describeBlocking(blocking, threshold)}: ${named.join(', ')}` : describeBlocking(blocking, threshold);
}

/** The built images an app names: its main container's, then its sidecars'. */
export function builtImagesOf(app: Pick<App, 'image' | 'sidecars'>): BuiltImageRef[] {
  return [app.image, ...(app.sidecars ?? []).map((sidecar) => sidecar.image)].filter((image): image is BuiltImageRef => typeof image !== 'string');
}

/** True when an image reference starts with one of the allowed prefixes; no prefixes allows every image. */
export function isAllowedImage(image: string, prefixes: readonly string[]): boolean {
  return prefixes.length === 0 || prefixes.some((prefix) => image.startsWith(prefix));
}
