/**
 * Bounds each run's writable layer where Docker cannot. `HostConfig.StorageOpt.size` needs a
 * storage driver with quotas (overlay2 over xfs mounted with pquota, btrfs, zfs…); with
 * overlay2 over ext4 the daemon refuses it ("--storage-opt is supported only for overlay over
 * xfs with 'pquota' mount option"). So, as the kubelet enforces `ephemeral-storage` limits,
 * the layer is measured periodically (`GET /containers/json?size=1`, SizeRw) and a container
 * past the bound is killed with a reason. Between two checks a job can overshoot by what it
 * writes in one interval.
 */
import type Docker from 'dockerode';
import { logger } from '../shared/logger.js';
import { LABELS } from './docker-events.js';

/** Called for a running container whose writable layer is larger than the bound. */
export type OnExceeded = (containerId: string, runId: string, sizeRwBytes: number) => Promise<void>;

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
    // SizeRw is in the API's ContainerSummary with size=1, but not in dockerode's typing.
    for (const container of containers as Array<Docker.ContainerInfo & { SizeRw?: number }>) {
      const size = container.SizeRw ?? 0;
      if (size <= this.maxBytes) continue;
      await this.onExceeded(container.Id, container.Labels[LABELS.runId], size).catch((err) =>
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
