/**
 * Dev mode's LogSource: each run's output lives in one file, `<logDir>/<runId>.log` (format in
 * log-file.ts), written as it comes by the log pipeline and read by byte offset.
 */
import path from 'node:path';
import type Docker from 'dockerode';
import type { Run } from '../shared/domain.js';
import type { LogPage, LogSource, TaskRef } from '../shared/ports.js';
import { readPage, readTail } from './log-file.js';
import { LogPipeline } from './log-pipeline.js';

/** Dev mode's logs: the pipeline that fills each run's file, and pages read from it. */
export class ContainerLogs implements LogSource {
  private readonly pipeline: LogPipeline;

  /** `maxBytesPerRun` caps each run's file (bytes); output past it is dropped after one marker line. */
  constructor(
    docker: Docker,
    private readonly logDir: string,
    readonly maxBytesPerRun: number,
  ) {
    this.pipeline = new LogPipeline(docker, (runId) => this.fileOf(runId), maxBytesPerRun);
  }

  /** Attaches to a created container's output before it starts; see LogPipeline.attach. Never rejects. */
  attach(runId: string, ref: TaskRef): Promise<void> {
    return this.pipeline.attach(runId, ref);
  }

  /** Starts (or keeps) copying the container's output to the run's file; see LogPipeline.follow. Never rejects. */
  follow(runId: string, ref: TaskRef): Promise<void> {
    return this.pipeline.follow(runId, ref);
  }

  /** Settles when the run's copy under way (if any) has closed the file; then forgets the run (its container is gone). */
  async settled(runId: string): Promise<void> {
    await this.pipeline.active(runId);
    this.pipeline.forget(runId);
  }

  /** True when the run's output passed the cap (its file ends with the marker line). */
  async truncated(runId: string): Promise<boolean> {
    return (await readTail(this.fileOf(runId), { repair: false })).truncated;
  }

  /**
   * Up to `limit` events from `cursor` (a byte offset into the run's file, as a decimal string)
   * on; without a cursor, from the first event at or after `startTime` (ms). Costs one
   * bounded read (PAGE_MAX_BYTES), plus O(log size) small ones for `startTime`. Throws a 400
   * ClientError naming `cursor` on a cursor this class did not produce.
   */
  read(run: Run, options: { cursor?: string; limit: number; startTime?: number }): Promise<LogPage> {
    return readPage(this.fileOf(run.runId), options);
  }

  /** The path of a run's log file. */
  fileOf(runId: string): string {
    // The run id becomes a file name: refuse anything that could leave logDir.
    if (!/^[A-Za-z0-9_-]+$/.test(runId)) throw new Error(`invalid run id "${runId}"`);
    return path.join(this.logDir, `${runId}.log`);
  }
}
