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
