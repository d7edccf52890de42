/**
 * The Docker Hub base images of a Dockerfile, for builds that pull them through an ECR
 * pull-through cache (infra/images.ts, context `dockerHubCacheSecretArn`): CodeBuild pulls
 * each one as `<registry>/docker-hub/<ref>` and tags it with its Docker Hub name, so the
 * Dockerfile builds unchanged while Docker Hub's anonymous pull limit (429) never applies.
 * Pure: the Dockerfile's FROM instructions only (Dockerfile reference, "FROM").
 */

/** Hosts that are Docker Hub under another name. */
const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The Docker Hub images the FROM instructions of `dockerfile` name, each as the pull-through
 * cache's path wants it (`library/alpine:3.20`, `grafana/grafana:latest`, `library/node@sha256:…`),
 * in order, without repeats. Left out: `scratch`, earlier stages (`FROM build AS final`), images
 * of other registries (a first path part with `.` or `:`, or `localhost`), and references built
 * from build arguments (`FROM ${BASE}`: their value is only known to the build).
 */
export function dockerHubBaseImages(dockerfile: string): string[] {
  const stages = new Set<string>();
  const images: string[] = [];
  for (const line of dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const words = line.trim().split(/\s+/);
    if (words[0]?.toUpperCase() !== 'FROM') continue;
    const [image, as, stage] = words.slice(1).filter((word) => !word.startsWith('--'));
    // A stage named earlier is no image; the alias counts from the next FROM on.
    const earlierStage = image !== undefined && stages.has(image.toLowerCase());
    if (as?.toUpperCase() === 'AS' && stage) stages.add(stage.toLowerCase());
    if (!image || earlierStage || image.includes('$') || image.toLowerCase() === 'scratch') continue;
    const ref = dockerHubPath(image);
    if (ref && !images.includes(ref)) images.push(ref);
  }
  return images;
}

/** `image` as a Docker Hub repository path with its tag or digest, or undefined for another registry's image. */
function dockerHubPath(image: string): string | undefined {
  const parts = image.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) {
    if (!DOCKER_HUB_HOSTS.has(parts[0]!)) return undefined;
    parts.shift();
  }
  if (parts.length === 1) parts.unshift('library');
  const last = parts[parts.length - 1]!;
  if (!last.includes(':') && !last.includes('@')) parts[parts.length - 1] = `${last}:latest`;
  return parts.join('/');
}
