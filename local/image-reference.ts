/**
 * Docker's image reference grammar, so that no other string ever reaches the Engine API, where
 * an image name becomes part of a request path (`..`, `../x` or a URL would address another
 * endpoint). Transcribed from distribution/reference's grammar (reference.go, regexp.go):
 *
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [domain "/"] path-component ["/" path-component]*   (at most 255 characters)
 *   domain    := host [":" port]   host := domain-name | IPv4 | "[" IPv6 "]"
 *   path-component := [a-z0-9]+ ([_.]|__|-+ [a-z0-9]+)*
 *   tag       := [\w][\w.-]{0,127}
 *   digest    := algorithm ":" hex{32,}
 *
 * An image id (64 hex digits, optionally prefixed "sha256:") is accepted too, as by `docker run`.
 * (The npm package @swimlane/docker-reference implements the same grammar; it is not installed here.)
 */
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const domain = `(?:${domainName}|${ipv6})(?::[0-9]+)?`;
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${name})(?::${tag})?(?:@${digest})?$`);
const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{64}$/;
const NAME_MAX_LENGTH = 255;

/** True when `image` is a Docker image reference (see the grammar above) or an image id. */
export function isImageReference(image: string): boolean {
  if (IMAGE_ID.test(image)) return true;
  const match = REFERENCE.exec(image);
  return match !== null && match[1].length <= NAME_MAX_LENGTH;
}

/** Throws an Error naming the image when it is not a Docker image reference; the run records it as its FAILED reason. */
export function assertImageReference(image: string): void {
  if (!isImageReference(image)) {
    throw new Error(
      `image ${JSON.stringify(image.slice(0, 300))} is not a Docker image reference (expected e.g. "name", "registry:5000/team/name:tag" or "name@sha256:<hex>")`,
    );
  }
}
