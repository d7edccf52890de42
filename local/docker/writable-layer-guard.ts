/**
 * Bounds each run's writable layer where Docker cannot. `HostConfig.StorageOpt.size` needs a
 * storage driver with quotas (overlay2 over xfs mounted with pquota, btrfs, zfs…); with
 * overlay2 over ext4 the daemon refuses it ("--storage-opt is supported only for overlay over
 * xfs with 'pquota' mount option"). So, as the kubelet enforces `ephemeral-storage` limits,
 * the layer is measured periodically (`GET /containers/json?size=1`, SizeRw) and a container
 * past the bound is killed with a reason. Between two checks a job can overshoot by what it
 * writes in one interval. What a job writes under a VOLUME path of its image is outside that layer:
 * the volumes the container mounts (run-volumes.ts) count too, measured by `GET /system/df`
 * (UsageData.Size), only when a running run container mounts one (df walks every volume).
 */
import type Docker from 'dockerode';
import { logger } from '../../shared/logger.js';
import { LABELS } from './docker-events.js';

/** Called for a running container whose writable layer and volumes hold more than the bound: their bytes, of which `volumeBytes` in volumes. */
export type OnExceeded = (containerId: string, runId: string, bytes: number, volumeBytes: number) => Promise<void>;

/** The part of `GET /system/df` (SystemDataUsageResponse) read here: each volume's size (-1 when not measured). */
interface VolumeUsage {
  Volumes?: { Name: string; UsageData?: { Size: number } | null }[] | null;
}

export class WritableLayerGuard {
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  /** `maxBytes`: the bound (bytes); `everyMs`: the check interval (ms). */
  constructor(
    private readonly docker: Docker,
    private readonly maxBytes: number,
    private readonly everyMs: number,
    private readonly onExceeded: OnExceeded,
  ) {}

  /** Starts the periodic check (idempotent); the timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.checking ??= this.check()
        .catch((err) => logger.warn('writable layer check failed', { error: err as Error }))
        .finally(() => (this.checking = undefined));
    }, this.everyMs);
    this.timer.unref();
  }

  /** One pass over the running run containers. Throws when Docker cannot list them. */
  async check(): Promise<void> {
    const containers = await this.docker.listContainers({ size: true, filters: { label: [LABELS.runId], status: ['running'] } });
    const volumeNames = (c: Docker.ContainerInfo) => c.Mounts.filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!);
    const volumeBytes = new Map<string, number>();
    if (containers.some((c) => volumeNames(c).length > 0)) {
      const usage = (await this.docker.df()) as VolumeUsage;
      for (const volume of usage.Volumes ?? []) volumeBytes.set(volume.Name, Math.max(0, volume.UsageData?.Size ?? 0));
    }
    // SizeRw is in the API's ContainerSummary with size=1, but not in dockerode's typing.
    for (const container of containers as Array<Docker.ContainerInfo & { SizeRw?: number }>) {
      const inVolumes = volumeNames(container).reduce((sum, name) => sum + (volumeBytes.get(name) ?? 0), 0);
      const size = (container.SizeRw ?? 0) + inVolumes;
      if (size <= this.maxBytes) continue;
      await this.onExceeded(container.Id, container.Labels[LABELS.runId], size, inVolumes).catch((err) =>
        logger.warn('could not stop a container past its writable layer bound', { taskRef: container.Id, error: err as Error }),
      );
    }
  }

  /** Stops the periodic check and waits for one under way. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }
}
