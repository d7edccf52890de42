/**
 * Dev mode's log pipeline: each run's container output is followed through the Engine API
 * (`GET /containers/{id}/logs?follow=1`) and appended to the run's log file as it comes, with
 * backpressure (nothing is held whole in memory), up to a per-run cap. A follow that ends or
 * fails early (a restart, a daemon hiccup) is resumed from the last line it copied, or after a
 * restart from where the file ends. A run of several containers has one copy per container, all
 * into the run's one file under one cap. The lines are made by the encoder (log-encoder.ts).
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { MAIN_CONTAINER } from '../../shared/domain.js';
import { logger } from '../../shared/logger.js';
import type { TaskRef } from '../../shared/ports.js';
import { readTail, type LogTail } from './log-file.js';
import { ALIGN_MS, LogEncoder, sinceOf, type LogBudget, type LogPosition } from './log-encoder.js';

/** Where local/docker/ found it before the encoder had its own file. */
export { truncationMessage } from './log-encoder.js';

/**
 * Copies run containers' output into their files; at most one copy per container at a time,
 * every container of a run into the run's one file under one cap. A launch attaches before the
 * container starts: attach streams carry backpressure (a reader that falls behind slows the
 * job, as the awslogs driver's default "blocking" mode does on Fargate), so nothing is lost
 * however fast the job writes. A copy resumed later (after a restart, or once the container
 * stopped) follows the log driver's copy from where the container's lines in the file end
 * instead; that one cannot slow the job, so output Docker rotated away before it was read (past
 * its 64 MiB) is lost.
 */
export class LogPipeline {
  /** Copies under way, by copyKey. */
  private readonly follows = new Map<string, Promise<void>>();
  /** Containers whose copy saw the output end (by copyKey): their part of the file is complete, nothing to resume. */
  private readonly complete = new Set<string>();
  /** Where each container's last `logs` copy of this process stopped (by copyKey): the next one resumes there exactly. */
  private readonly positions = new Map<string, LogPosition>();
  /** The budget of each run with copies under way, shared by them; read afresh from the file when none is. */
  private readonly budgets = new Map<string, { budget: Promise<LogBudget>; copies: number }>();

  /** `fileOf` names a run's log file; `maxBytes` is the per-run cap on the file (bytes). */
  constructor(
    private readonly docker: Docker,
    private readonly fileOf: (runId: string) => string,
    private readonly maxBytes: number,
  ) {}

  /**
   * Attaches to a created container's output (call before starting it) and copies it to the
   * run's file in the background. Resolves once attached (or when attaching failed, logged:
   * a later follow resumes from the log driver's copy). Does nothing when a copy of that
   * container is under way.
   */
  attach(runId: string, ref: TaskRef, container: string = MAIN_CONTAINER): Promise<void> {
    const key = copyKey(runId, container);
    if (this.follows.has(key)) return Promise.resolve();
    let attached!: () => void;
    const ready = new Promise<void>((resolve) => (attached = resolve));
    const copying = this.register(runId, container, ref, async (budget) => {
      const tail = await this.tailOf(runId, container);
      if (tail.truncated) return;
      const source = (await this.docker.getContainer(ref).attach({ stream: true, stdout: true, stderr: true, logs: false })) as unknown as Readable;
      attached();
      await this.copy(runId, source, new LogEncoder(tail, this.maxBytes, 'attach', undefined, { container, budget }));
      this.complete.add(key);
    });
    return Promise.race([ready, copying]);
  }

  /**
   * Makes sure the container's output is being copied (idempotent): the copy under way, or a
   * new follow of the log driver's copy from where the last one stopped (else from where the
   * container's lines in the file end). Settles once the container's output has ended (it
   * stopped or was removed) or the cap was reached. Never rejects: a failure is logged, and the
   * next call resumes.
   */
  follow(runId: string, ref: TaskRef, container: string = MAIN_CONTAINER): Promise<void> {
    const key = copyKey(runId, container);
    if (this.complete.has(key)) return Promise.resolve();
    return (
      this.follows.get(key) ??
      this.register(runId, container, ref, async (budget) => {
        await this.copyLogs(runId, container, ref, budget);
        const info = await this.docker
          .getContainer(ref)
          .inspect()
          .catch(() => undefined);
        // Still running (the daemon went away) or removed: nothing more to read now.
        if (!info || info.State.Running) return;
        // A follow may end at the container's exit without the last lines: Docker 20.10 ends it
        // so when the container stops while the follower is still catching up on older output.
        // Read once more, from the last line copied, now that the log driver's copy is final.
        await this.copyLogs(runId, container, ref, budget);
        this.complete.add(key);
      })
    );
  }

  /** Settles when every copy of the run under way (if any) has closed the file. */
  async active(runId: string): Promise<void> {
    const prefix = copyKey(runId, '');
    await Promise.all([...this.follows].filter(([key]) => key.startsWith(prefix)).map(([, copying]) => copying));
  }

  /** Forgets a released run (its containers are gone). */
  forget(runId: string): void {
    const prefix = copyKey(runId, '');
    for (const key of [...this.complete]) if (key.startsWith(prefix)) this.complete.delete(key);
    for (const key of [...this.positions.keys()]) if (key.startsWith(prefix)) this.positions.delete(key);
  }

  private register(runId: string, container: string, ref: TaskRef, work: (budget: LogBudget) => Promise<void>): Promise<void> {
    const key = copyKey(runId, container);
    const following = this.withBudget(runId, work)
      .catch((err) =>
        logger.warn("copying a run's output failed; it resumes at the next describe or release", { runId, container, taskRef: ref, error: err as Error }),
      )
      .finally(() => this.follows.delete(key));
    this.follows.set(key, following);
    return following;
  }

  /** Runs `work` with the run's shared budget, read from the file (repaired) by the first of the run's copies under way. */
  private async withBudget(runId: string, work: (budget: LogBudget) => Promise<void>): Promise<void> {
    let entry = this.budgets.get(runId);
    if (!entry) {
      const budget = this.tailOf(runId, MAIN_CONTAINER, { repair: true }).then((tail) => ({ written: tail.size, truncated: tail.truncated }));
      entry = { budget, copies: 0 };
      this.budgets.set(runId, entry);
    }
    entry.copies++;
    try {
      await work(await entry.budget);
    } finally {
      if (--entry.copies === 0 && this.budgets.get(runId) === entry) this.budgets.delete(runId);
    }
  }

  /** Follows the log driver's copy into the file until it ends: from the last line copied, else (after a restart) from where the container's lines in the file end. */
  private async copyLogs(runId: string, container: string, ref: TaskRef, budget: LogBudget): Promise<void> {
    const key = copyKey(runId, container);
    const tail = await this.tailOf(runId, container);
    if (tail.truncated) return;
    const after = this.positions.get(key);
    // Docker's `since` keeps lines at or after it, in seconds with a fraction; the encoder drops those the file has.
    const since = after ? sinceOf(after) : tail.lastMs !== undefined ? (Math.max(0, tail.lastMs - ALIGN_MS) / 1000).toFixed(3) : undefined;
    const source = (await this.docker.getContainer(ref).logs({
      // Also for a stopped container: without it dockerode buffers the whole log in memory.
      follow: true,
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(since !== undefined && { since: since as unknown as number }),
    })) as unknown as Readable;
    const encoder = new LogEncoder(tail, this.maxBytes, 'logs', after, { container, budget });
    // Unknown while copying: after a failed copy the file may hold lines past it, so the next one aligns on the file instead.
    this.positions.delete(key);
    await this.copy(runId, source, encoder);
    const position = encoder.position ?? after;
    if (position) this.positions.set(key, position);
  }

  /** The end of the run's file as `container`'s copy resumes it; `repair` (cutting a partial last line) only while no other copy writes. */
  private async tailOf(runId: string, container: string, options: { repair: boolean } = { repair: false }): Promise<LogTail> {
    const file = this.fileOf(runId);
    await mkdir(path.dirname(file), { recursive: true });
    return readTail(file, { repair: options.repair, container });
  }

  private async copy(runId: string, source: Readable, encoder: LogEncoder): Promise<void> {
    // Appends (O_APPEND): each write of whole lines lands at the end, whichever container's copy makes it.
    const sink = createWriteStream(this.fileOf(runId), { flags: 'a' });
    // Past the cap nothing more is kept: once the marker is on disk, stop reading the container's output.
    encoder.once('truncated', () => sink.once('finish', () => source.destroy()));
    try {
      await pipeline(source, encoder, sink);
    } catch (err) {
      if (!encoder.truncated) throw err;
    }
  }
}

/** The key of one container's copy: the run id and the container name (neither holds a space). */
function copyKey(runId: string, container: string): string {
  return `${runId} ${container}`;
}
