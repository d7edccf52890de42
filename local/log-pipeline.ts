/**
 * Dev mode's log pipeline: each run's container output is followed through the Engine API
 * (`GET /containers/{id}/logs?follow=1`) and appended to the run's log file as it comes, with
 * backpressure (nothing is held whole in memory), up to a per-run cap. A follow that ends or
 * fails early (a restart, a daemon hiccup) is resumed from where the file ends.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type Docker from 'dockerode';
import { logger } from '../shared/logger.js';
import type { TaskRef } from '../shared/ports.js';
import { encodeLine, readTail, type LogTail } from './log-file.js';

/** Room kept under the cap for the marker line (bytes). */
const MARKER_RESERVE = 256;
const MIB = 1024 * 1024;

/** The message of the line that closes a truncated log. */
export function truncationMessage(maxBytes: number): string {
  return `[containerizer] log output past ${(maxBytes / MIB).toFixed(0)} MiB for this run was dropped (per-run log cap)`;
}

/**
 * Turns the Engine API's multiplexed log stream of a container without a TTY (Docker Engine
 * API, "Stream format": an 8-byte header — stream type 1 stdout / 2 stderr, three zero bytes,
 * payload size as a big-endian uint32 — then "<RFC 3339 nano timestamp> <message>\n") into
 * log file lines. Skips the first `tail.lastMsCount` events stamped `tail.lastMs` (already in
 * the file: the resumed follow starts at that ms). Past `maxBytes` of file in all, writes one
 * marker line and drops the rest (`truncated` turns true).
 */
export class LogEncoder extends Transform {
  truncated = false;
  private pending = Buffer.alloc(0);
  private written: number;
  private skipping: number;
  private readonly skipMs: number | undefined;

  constructor(
    tail: LogTail,
    private readonly maxBytes: number,
  ) {
    super();
    this.written = tail.size;
    this.skipping = tail.lastMsCount;
    this.skipMs = tail.lastMs;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.truncated) return done();
    const buffer = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const lines: Buffer[] = [];
    let offset = 0;
    while (offset + 8 <= buffer.length && !this.truncated) {
      const end = offset + 8 + buffer.readUInt32BE(offset + 4);
      if (end > buffer.length) break;
      const type = buffer[offset];
      const payload = buffer.subarray(offset + 8, end);
      offset = end;
      if (type === 1 || type === 2) {
        const line = this.lineOf(type === 1 ? 'o' : 'e', payload);
        if (line) lines.push(line);
      }
    }
    // Copied: a view would keep the whole chunk alive.
    this.pending = Buffer.from(buffer.subarray(offset));
    if (lines.length > 0) this.push(Buffer.concat(lines));
    if (this.truncated) this.close();
    done();
  }

  private lineOf(mark: 'o' | 'e', payload: Buffer): Buffer | undefined {
    const space = payload.indexOf(0x20);
    const ms = Date.parse(payload.toString('latin1', 0, space < 0 ? payload.length : space));
    if (this.skipping > 0) {
      if (ms === this.skipMs) {
        this.skipping--;
        return undefined;
      }
      this.skipping = 0;
    }
    const messageEnd = payload[payload.length - 1] === 0x0a ? payload.length - 1 : payload.length;
    const line = encodeLine(ms, mark, space < 0 ? Buffer.alloc(0) : payload.subarray(space + 1, messageEnd));
    if (this.written + line.length <= this.maxBytes - MARKER_RESERVE) {
      this.written += line.length;
      return line;
    }
    this.truncated = true;
    return encodeLine(ms, 'x', Buffer.from(truncationMessage(this.maxBytes)));
  }

  /** After the marker: ends the output, so the file is closed while the input is still open. */
  private close(): void {
    this.push(null);
    this.emit('truncated');
  }
}

/** Follows run containers' logs into files; at most one follow per run at a time. */
export class LogPipeline {
  private readonly follows = new Map<string, Promise<void>>();

  /** `fileOf` names a run's log file; `maxBytes` is the per-run cap on the file (bytes). */
  constructor(
    private readonly docker: Docker,
    private readonly fileOf: (runId: string) => string,
    private readonly maxBytes: number,
  ) {}

  /**
   * Makes sure the run's container is being followed (idempotent) and returns the follow,
   * which settles once the container's output has ended (it stopped or was removed) or the
   * cap was reached. Never rejects: a failure is logged, and the next call resumes.
   */
  follow(runId: string, ref: TaskRef): Promise<void> {
    let following = this.follows.get(runId);
    if (!following) {
      following = this.copy(runId, ref)
        .catch((err) => logger.warn('log follow failed; it resumes at the next describe or release', { runId, taskRef: ref, error: err as Error }))
        .finally(() => this.follows.delete(runId));
      this.follows.set(runId, following);
    }
    return following;
  }

  /** The run's follow under way, if any. */
  active(runId: string): Promise<void> | undefined {
    return this.follows.get(runId);
  }

  private async copy(runId: string, ref: TaskRef): Promise<void> {
    const file = this.fileOf(runId);
    await mkdir(path.dirname(file), { recursive: true });
    const tail = await readTail(file, { repair: true });
    if (tail.truncated) return;
    const source = (await this.docker.getContainer(ref).logs({
      follow: true,
      stdout: true,
      stderr: true,
      timestamps: true,
      // Docker's `since` keeps lines at or after it, in seconds with a fraction (the encoder skips the ones already kept).
      ...(tail.lastMs !== undefined && { since: (tail.lastMs / 1000).toFixed(3) as unknown as number }),
    })) as unknown as Readable;
    const encoder = new LogEncoder(tail, this.maxBytes);
    const sink = createWriteStream(file, { flags: 'a' });
    // Past the cap nothing more is kept: once the marker is on disk, stop reading the container's output.
    encoder.once('truncated', () => sink.once('finish', () => source.destroy()));
    try {
      await pipeline(source, encoder, sink);
    } catch (err) {
      if (!encoder.truncated) throw err;
    }
  }
}
