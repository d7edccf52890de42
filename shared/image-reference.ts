/**
 * Docker image references, checked with the grammar of distribution/reference (reference.go,
 * regexp.go — the grammar Docker and ECS parse), so that no other string reaches a container
 * runtime: on the Docker Engine API an image name becomes part of a request path, where `..`,
 * `../x` or a URL would address another endpoint.
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [domain "/"] path-component ["/" path-component]*   (at most 255 characters)
 *   domain    := host [":" port]   host := domain-name | IPv4 | "[" IPv6 "]"
 *   path-component := [a-z0-9]+ ([_.]|__|-+ [a-z0-9]+)*
 *   tag       := [\w][\w.-]{0,127}
 *   digest    := algorithm ":" hex{32,}
 *
 * An image id (64 hex digits, optionally prefixed "sha256:") is accepted too, as by `docker run`.
 */

const alphaNumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alphaNumeric}(?:${separator}${alphaNumeric})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|${ipv6})`;
const domain = `${host}(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;

const REFERENCE = new RegExp(`^(${name})(?::${tag})?(?:@${digest})?$`);
const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{64}$/;

/** distribution/reference's NameTotalLengthMax: a repository name is at most 255 characters. */
export const MAX_IMAGE_NAME_CHARS = 255;

/** A name, a 128-character tag and a long digest fit in this (characters); longer strings are refused before the regex runs. */
const MAX_REFERENCE_CHARS = 512;

/** True when `image` is a valid image reference (name at most MAX_IMAGE_NAME_CHARS) or an image id. */
export function isImageReference(image: string): boolean {
  if (image.length > MAX_REFERENCE_CHARS) return false;
  if (IMAGE_ID.test(image)) return true;
  const match = REFERENCE.exec(image);
  return match !== null && match[1]!.length <= MAX_IMAGE_NAME_CHARS;
}

/** Throws an Error naming the image when it is not an image reference; a run records it as its FAILED reason. */
export function assertImageReference(image: string): void {
  if (!isImageReference(image)) {
    throw new Error(
      `image ${JSON.stringify(image.slice(0, 300))} is not a Docker image reference (expected e.g. "name", "registry:5000/team/name:tag" or "name@sha256:<hex>")`,
    );
  }
}

/**
 * The repository of dev mode's built images: each build is tagged `containerizer-img/<imageId lowercased>:<build>`
 * (local/images/docker-image-builder.ts imageTag). The namespace belongs to the platform, never to a user.
 */
export const PLATFORM_REPOSITORY = 'containerizer-img';

/** Amazon ECR's registry host names (`<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`), where the cloud pushes builds. */
const ECR_HOST = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;
/** The cloud's per-build tag, `<imageId lowercased>-<build>` (shared/aws/build-events.ts ecrImageTag). */
const ECR_BUILD_TAG = /^([0-9a-z]{26})-([1-9]\d{0,8})$/;
/** Dev mode's per-build repository path and tag (imageTag). */
const DEV_BUILD_PATH = new RegExp(`^${PLATFORM_REPOSITORY}/([0-9a-z]{26})$`);
const BUILD_NUMBER = /^[1-9]\d{0,8}$/;
const PARTS = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);

/**
 * What a reference means to the platform's own images:
 * - `build`: build `build` of image `imageId`, by its dev-mode tag or its cloud (ECR) tag;
 * - `namespace`: somewhere else in the platform's namespace (another tag, a digest, the repository itself);
 * - `id`: an image id, or a bare hexadecimal name the Docker daemon also looks up as an id prefix
 *   (daemon/images GetImage: `imageStore.Search`), which can name any image on the host, another user's build included.
 */
export type PlatformImage = { kind: 'build'; imageId: string; build: number } | { kind: 'namespace' } | { kind: 'id' };

/**
 * Whether `reference` points into the platform's own images (see PlatformImage), undefined when it does not.
 * Docker Hub's default domain (`docker.io`, `index.docker.io`) is the same place as none.
 * @param repositories the cloud's image repositories (`<registry>/<name>`, IMAGE_REPOSITORY_URI), wholly the platform's.
 */
export function platformImageOf(reference: string, repositories: readonly string[] = []): PlatformImage | undefined {
  if (IMAGE_ID.test(reference) || /^[a-f0-9]+$/.test(reference)) return { kind: 'id' };
  const match = PARTS.exec(reference);
  if (!match) return undefined;
  const [, fullName, tagPart, digestPart] = match as unknown as [string, string, string | undefined, string | undefined];
  const slash = fullName.indexOf('/');
  const first = slash < 0 ? '' : fullName.slice(0, slash);
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.toLowerCase() !== first);
  const domain = hasDomain ? first.toLowerCase() : 'docker.io';
  const path = hasDomain ? fullName.slice(slash + 1) : fullName;
  const ecrBuild = tagPart === undefined ? null : ECR_BUILD_TAG.exec(tagPart);
  if (domain === 'docker.io' || domain === 'index.docker.io') {
    if (path !== PLATFORM_REPOSITORY && !path.startsWith(`${PLATFORM_REPOSITORY}/`)) return undefined;
    const build = DEV_BUILD_PATH.exec(path);
    if (build && tagPart !== undefined && BUILD_NUMBER.test(tagPart) && digestPart === undefined)
      return { kind: 'build', imageId: build[1]!.toUpperCase(), build: Number(tagPart) };
    return { kind: 'namespace' };
  }
  const repository = `${domain}/${path}`;
  const ours = repositories.some((uri) => uri.toLowerCase() === repository);
  if (!ours && !(ECR_HOST.test(domain) && ecrBuild)) return undefined;
  if (ecrBuild && digestPart === undefined) return { kind: 'build', imageId: ecrBuild[1]!.toUpperCase(), build: Number(ecrBuild[2]) };
  return { kind: 'namespace' };
}
