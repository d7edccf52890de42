/**
 * The encoder of dev mode's log pipeline (log-pipeline.ts): turns a container's output, as
 * Docker streams it (the log driver's timestamped frames, or the live attach stream's chunks),
 * into the run's log-file lines (log-file.ts), holding back what the file has already when a
 * copy resumes, and closing the file with one marker line at the run's cap.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { MAIN_CONTAINER } from '../../shared/domain.js';
import { logger } from '../../shared/logger.js';
import { encodeLine, lineKey, type LogTail } from './log-file.js';

/** How far apart (ms) the file's arrival stamps and Docker's log driver stamps of one line may be, when resuming. */
export const ALIGN_MS = 2_000;
/** The most held while looking for where the file ends (bytes). */
const ALIGN_MAX_BYTES = 4 * 1024 * 1024;
/** Room kept under the cap for the marker line (bytes). */
const MARKER_RESERVE = 256;
const MIB = 1024 * 1024;

/** The message of the line that closes a truncated log. */
export function truncationMessage(maxBytes: number): string {
  return `[containerizer] log output past ${(maxBytes / MIB).toFixed(0)} MiB for this run was dropped (per-run log cap)`;
}

/** Where a stream comes from: `logs` (the log driver's copy, each frame one line after its timestamp) or `attach` (the live output, frames of raw chunks). */
export type LogStreamKind = 'logs' | 'attach';

/** Docker's own limit on one log message: longer lines are kept as several events. */
const MESSAGE_MAX_BYTES = 16 * 1024;

const NANOS_PER_MS = 1_000_000n;
const NANOS_PER_SECOND = 1_000_000_000n;

/** Bytes a run's copies have written to its file together, and whether one wrote the marker: shared so the cap is the run's, with one marker. */
export interface LogBudget {
  written: number;
  truncated: boolean;
}

/**
 * A line of Docker's copy of a container's output, exactly: its log driver timestamp (ns since
 * the epoch) and how many lines up to it carried that same timestamp (the parts of a line Docker
 * split at 16 KiB share one).
 */
export interface LogPosition {
  nanos: bigint;
  count: number;
}

/** Docker's RFC 3339 timestamp (up to 9 fractional digits, `Z` or an offset) in ns since the epoch; undefined when it is not one. */
export function stampNanos(stamp: string): bigint | undefined {
  const match = /^([^.]+?)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(stamp);
  const ms = match ? Date.parse(match[1] + match[3]) : NaN;
  if (!match || Number.isNaN(ms)) return undefined;
  return BigInt(ms) * NANOS_PER_MS + BigInt((match[2] ?? '').padEnd(9, '0'));
}

/** The Engine API's `since` (seconds, a fraction of up to 9 digits read as such) for the timestamp of `position`. */
export function sinceOf(position: LogPosition): string {
  return `${position.nanos / NANOS_PER_SECOND}.${(position.nanos % NANOS_PER_SECOND).toString().padStart(9, '0')}`;
}

/**
 * Turns the Engine API's multiplexed stream of a container without a TTY (Docker Engine API,
 * "Stream format": an 8-byte header — stream type 1 stdout / 2 stderr, three zero bytes,
 * payload size as a big-endian uint32 — then the payload) into log file lines.
 * From `logs` each payload is "<RFC 3339 nano timestamp> <message>\n"; when the file has
 * lines already, the copy resumes after them: lines are dropped up to the first run of lines
 * equal to the file's last ones (`tail.lastKeys`), searched within ALIGN_MS of `tail.lastMs`
 * (the file's stamps are taken on arrival, Docker's by its log driver, a little apart), so
 * nothing is written twice unless the file's last lines repeat within that window. From `attach` payloads are raw output, split here into lines
 * (at most 16 KiB, as Docker does) stamped on arrival. Given `after` (where an earlier `logs`
 * copy of this process stopped), a `logs` copy drops the lines up to it instead of aligning.
 * `position` is the last line read from `logs`. Past `maxBytes` of file in all (the `budget` of
 * the run's copies together), writes one marker line, ends its output and emits `truncated`;
 * later input is dropped. An encoder of a copy that finds the budget spent by another ends the
 * same way without a marker. Lines are written as `container`'s (default the main one).
 */
export class LogEncoder extends Transform {
  truncated = false;
  private pending = Buffer.alloc(0);
  private readonly partial: Record<'o' | 'e', Buffer> = { o: Buffer.alloc(0), e: Buffer.alloc(0) };
  private readonly budget: LogBudget;
  private readonly container: string;
  /** While resuming: lines seen so far (keys), and those that may be new if no alignment is found. */
  private aligning: boolean;
  private recent: string[] = [];
  private seen = 0;
  private held: Array<{ ms: number; mark: 'o' | 'e'; message: Buffer }> = [];
  private heldBytes = 0;
  private lines: Buffer[] = [];
  /** The last line read from `logs`, if any. */
  position: LogPosition | undefined;

  constructor(
    private readonly tail: LogTail,
    private readonly maxBytes: number,
    private readonly kind: LogStreamKind,
    private readonly after?: LogPosition,
    options: { container?: string; budget?: LogBudget } = {},
  ) {
    super();
    this.container = options.container ?? MAIN_CONTAINER;
    this.budget = options.budget ?? { written: tail.size, truncated: false };
    this.aligning = kind === 'logs' && !after && tail.lastKeys.length > 0;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.truncated) return done();
    const buffer = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    while (offset + 8 <= buffer.length && !this.truncated) {
      const end = offset + 8 + buffer.readUInt32BE(offset + 4);
      if (end > buffer.length) break;
      const type = buffer[offset];
      const payload = buffer.subarray(offset + 8, end);
      offset = end;
      if (type !== 1 && type !== 2) continue;
      if (this.kind === 'logs') this.logLine(type === 1 ? 'o' : 'e', payload);
      else this.output(type === 1 ? 'o' : 'e', payload);
    }
    // Copied: a view would keep the whole chunk alive.
    this.pending = Buffer.from(buffer.subarray(offset));
    this.flushLines();
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.aligning) this.giveUpAligning();
    // The last line of each stream may lack its newline.
    for (const mark of ['o', 'e'] as const) if (this.partial[mark].length > 0 && !this.truncated) this.keep(Date.now(), mark, this.partial[mark]);
    this.flushLines();
    done();
  }

  private logLine(mark: 'o' | 'e', payload: Buffer): void {
    const space = payload.indexOf(0x20);
    const nanos = stampNanos(payload.toString('latin1', 0, space < 0 ? payload.length : space));
    const ms = nanos === undefined ? NaN : Number(nanos / NANOS_PER_MS);
    if (nanos !== undefined) {
      this.position = { nanos, count: nanos === this.position?.nanos ? this.position.count + 1 : 1 };
      if (this.after && isAtOrBefore(this.position, this.after)) return;
    }
    const messageEnd = payload[payload.length - 1] === 0x0a ? payload.length - 1 : payload.length;
    const message = space < 0 ? Buffer.alloc(0) : payload.subarray(space + 1, messageEnd);
    if (this.aligning) this.align(ms, mark, message);
    else this.keep(ms, mark, message);
  }

  private align(ms: number, mark: 'o' | 'e', message: Buffer): void {
    const { lastKeys, lastMs = 0 } = this.tail;
    const line = encodeLine(ms, mark, message, this.container);
    // Decoded as readTail decodes the file's lines.
    this.recent.push(lineKey(line.toString('utf8', 0, line.length - 1)));
    if (this.recent.length > lastKeys.length) this.recent.shift();
    this.seen++;
    // Aligned when the last lines seen are the file's last lines: all of them, or as many as came (the replay began within them).
    const suffix = lastKeys.slice(lastKeys.length - this.recent.length);
    if ((this.recent.length === lastKeys.length || this.seen === this.recent.length) && this.recent.every((key, i) => key === suffix[i])) {
      // Found where the file ends: what came before is in it already.
      this.aligning = false;
      this.held = [];
      return;
    }
    // Older than the file's end: in the file already (Docker stamps a line no earlier than its arrival here, give or take).
    if (ms < lastMs) return;
    this.held.push({ ms, mark, message: Buffer.from(message) });
    this.heldBytes += message.length;
    if (ms > lastMs + ALIGN_MS || this.heldBytes > ALIGN_MAX_BYTES) this.giveUpAligning();
  }

  /** No alignment found (Docker rotated that part away, or the output changed): keep what came at or after the file's end. */
  private giveUpAligning(): void {
    this.aligning = false;
    logger.warn('resumed log copy could not find where the file ends; keeping lines from its last timestamp on');
    for (const line of this.held) if (!this.truncated) this.keep(line.ms, line.mark, line.message);
    this.held = [];
  }

  private output(mark: 'o' | 'e', payload: Buffer): void {
    const ms = Date.now();
    let rest = this.partial[mark].length > 0 ? Buffer.concat([this.partial[mark], payload]) : payload;
    for (let newline = rest.indexOf(0x0a); newline >= 0 && !this.truncated; newline = rest.indexOf(0x0a)) {
      this.keepSplit(ms, mark, rest.subarray(0, newline));
      rest = rest.subarray(newline + 1);
    }
    while (rest.length >= MESSAGE_MAX_BYTES && !this.truncated) {
      this.keep(ms, mark, rest.subarray(0, MESSAGE_MAX_BYTES));
      rest = rest.subarray(MESSAGE_MAX_BYTES);
    }
    this.partial[mark] = Buffer.from(rest);
  }

  private keepSplit(ms: number, mark: 'o' | 'e', message: Buffer): void {
    for (let at = MESSAGE_MAX_BYTES; at < message.length && !this.truncated; at += MESSAGE_MAX_BYTES) {
      this.keep(ms, mark, message.subarray(at - MESSAGE_MAX_BYTES, at));
    }
    if (!this.truncated) this.keep(ms, mark, message.subarray(Math.floor(Math.max(0, message.length - 1) / MESSAGE_MAX_BYTES) * MESSAGE_MAX_BYTES));
  }

  private keep(ms: number, mark: 'o' | 'e', message: Buffer): void {
    this.truncated = this.budget.truncated;
    if (this.truncated) return;
    const line = encodeLine(ms, mark, message, this.container);
    if (this.budget.written + line.length <= this.maxBytes - MARKER_RESERVE) {
      this.budget.written += line.length;
      this.lines.push(line);
      return;
    }
    this.truncated = this.budget.truncated = true;
    this.lines.push(encodeLine(ms, 'x', Buffer.from(truncationMessage(this.maxBytes))));
  }

  private flushLines(): void {
    if (this.lines.length > 0) this.push(Buffer.concat(this.lines));
    this.lines = [];
    if (this.truncated && !this.readableEnded) {
      // After the marker: end the output, so the file is closed while the input may still be open.
      this.push(null);
      this.emit('truncated');
    }
  }
}

function isAtOrBefore(position: LogPosition, other: LogPosition): boolean {
  return position.nanos < other.nanos || (position.nanos === other.nanos && position.count <= other.count);
}
