/**
 * Dev mode's LogSource: each run's output lives in one file, `<logDir>/<runId>.log` (format in
 * log-file.ts), written as it comes by the log pipeline and read by byte offset. A run of
 * several containers has them all in that one file, each line naming its container.
 */
import path from 'node:path';
import type Docker from 'dockerode';
import { MAIN_CONTAINER, type Run } from '../../shared/domain.js';
import type { LogPage, LogSource, TaskRef } from '../../shared/ports.js';
import { readPage, readTail } from './log-file.js';
import { LogPipeline } from './log-pipeline.js';

/** Dev mode's logs: the pipeline that fills each run's file, and pages read from it. */
export class ContainerLogs implements LogSource {
  private readonly pipeline: LogPipeline;

  /** `maxBytesPerRun` caps each run's file (bytes, all its containers together); output past it is dropped after one marker line. */
  constructor(
    docker: Docker,
    private readonly logDir: string,
    readonly maxBytesPerRun: number,
  ) {
    this.pipeline = new LogPipeline(docker, (runId) => this.fileOf(runId), maxBytesPerRun);
  }

  /** Attaches to a created container of the run (`container`: its name in the task) before it starts; see LogPipeline.attach. Never rejects. */
  attach(runId: string, ref: TaskRef, container: string = MAIN_CONTAINER): Promise<void> {
    return this.pipeline.attach(runId, ref, container);
  }

  /** Starts (or keeps) copying the container's output to the run's file; see LogPipeline.follow. Never rejects. */
  follow(runId: string, ref: TaskRef, container: string = MAIN_CONTAINER): Promise<void> {
    return this.pipeline.follow(runId, ref, container);
  }

  /** Settles when the run's copies under way (if any) have closed the file; then forgets the run (its containers are gone). */
  async settled(runId: string): Promise<void> {
    await this.pipeline.active(runId);
    this.pipeline.forget(runId);
  }

  /** True when the run's output passed the cap (its file holds the marker line). */
  async truncated(runId: string): Promise<boolean> {
    return (await readTail(this.fileOf(runId), { repair: false })).truncated;
  }

  /**
   * Up to `limit` events from `cursor` (a byte offset into the run's file, as a decimal string)
   * on; without a cursor, from the first event at or after `startTime` (ms); with `container`,
   * that container's events only (a page may then hold fewer than `limit`). Each event names its
   * container. Costs one bounded read (PAGE_MAX_BYTES), plus O(log size) small ones for
   * `startTime`. Throws a 400 ClientError naming `cursor` on a cursor this class did not produce.
   */
  async read(run: Run, options: { cursor?: string; limit: number; startTime?: number; container?: string }): Promise<LogPage> {
    const page = await readPage(this.fileOf(run.runId), options);
    return { ...page, events: page.events.map((event) => ({ ...event, container: event.container ?? MAIN_CONTAINER })) };
  }

  /** The path of a run's log file. */
  fileOf(runId: string): string {
    // The run id becomes a file name: refuse anything that could leave logDir.
    if (!/^[A-Za-z0-9_-]+$/.test(runId)) throw new Error(`invalid run id "${runId}"`);
    return path.join(this.logDir, `${runId}.log`);
  }
}
