/**
 * Docker image references, checked with the grammar of distribution/reference (the
 * `reference.go` grammar Docker and ECS parse): `[domain[:port]/]path[:tag][@digest]`.
 * A string that is not one (`..`, `../x`, a URL) never reaches a container runtime.
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

/** distribution/reference's NameTotalLengthMax: a repository name is at most 255 characters. */
export const MAX_IMAGE_NAME_CHARS = 255;

/** A name, a 128-character tag and a long digest fit in this (characters); longer strings are refused before the regex runs. */
const MAX_REFERENCE_CHARS = 512;

/** True when `image` is a valid image reference (name at most MAX_IMAGE_NAME_CHARS). */
export function isImageReference(image: string): boolean {
  if (image.length > MAX_REFERENCE_CHARS) return false;
  const match = REFERENCE.exec(image);
  return match !== null && match[1]!.length <= MAX_IMAGE_NAME_CHARS;
}
