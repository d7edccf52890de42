/**
 * A run's volumes. An image's `VOLUME` paths get an anonymous volume each when its container is
 * created; left to Docker, those carry no label, outlive the container unless it is removed with
 * `v=true`, and hold what a job writes there outside its writable layer (the disk guard's
 * SizeRw). So each declared path is mounted explicitly, still as an anonymous volume (no Source,
 * so `DELETE /containers/{id}?v=true` removes it), filled from the image as Docker would, and
 * labelled with the run's id and this installation's: the disk guard counts it with its container
 * (writable-layer-guard.ts), and garbage collection finds one a crash left (garbage-collector.ts).
 */
import type Docker from 'dockerode';
import { LABELS } from './docker-events.js';

/** The run's labels a volume carries. */
const VOLUME_LABELS = [LABELS.instanceId, LABELS.runId, LABELS.ownerId] as const;

/** `options` with a labelled anonymous volume mounted at each VOLUME path of its image (none: unchanged). @throws the image inspection's error. */
export async function withRunVolumes(docker: Docker, options: Docker.ContainerCreateOptions): Promise<Docker.ContainerCreateOptions> {
  const { Config } = await docker.getImage(options.Image!).inspect();
  const paths = Object.keys(Config?.Volumes ?? {});
  if (paths.length === 0) return options;
  const labels = Object.fromEntries(VOLUME_LABELS.filter((key) => options.Labels?.[key] !== undefined).map((key) => [key, options.Labels![key]!]));
  // NoCopy false: the volume starts with the image's files at that path, as Docker's own would.
  const Mounts: Docker.MountSettings[] = paths.map((Target) => ({
    Type: 'volume',
    Source: '',
    Target,
    VolumeOptions: { NoCopy: false, Labels: labels, DriverConfig: { Name: 'local', Options: {} } },
  }));
  return { ...options, HostConfig: { ...options.HostConfig, Mounts } };
}
