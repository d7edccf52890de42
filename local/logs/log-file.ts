/**
 * A run's log file: one compact line per event, appended as the output comes, read by byte
 * offset so that a page costs time in proportion to the page, never to the log.
 *
 * Line format (UTF-8, the message's bytes as the container wrote them):
 *
 *   <ms since epoch> <mark> <message>\n      e.g. "1732924852123 o hello"
 *
 * where mark is `o` (stdout), `e` (stderr) or `x` (the platform's truncation marker, read as
 * stderr), and the message has `\` and newline escaped as `\\` and `\n`. That is 17 bytes on
 * top of each line of output (its own newline included): 1.17 bytes on disk per byte of a
 * 100-byte line, 1.2 for an 80-column one. A cursor is the byte offset of a line start.
 *
 * A run of several containers writes them all to its one file: a sidecar's lines carry its
 * name after the mark (`o:<name>`, `e:<name>`; container names have no space or colon), the
 * main container's (MAIN_CONTAINER) and the marker's stay as above.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { MAIN_CONTAINER } from '../../shared/domain.js';
import type { LogEvent, LogPage } from '../../shared/ports.js';
import { invalidCursor } from '../../shared/errors.js';

export type LineMark = 'o' | 'e' | 'x';

const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
/** The most a page reads (bytes), as CloudWatch's GetLogEvents returns at most 1 MB per call; a page may hold fewer than `limit` events. */
export const PAGE_MAX_BYTES = 1024 * 1024;
/** Docker splits lines at 16 KiB, so one line of the file (escaped, with its header) is well under this. */
const LINE_MAX_BYTES = 64 * 1024;

/** The token after a line's timestamp: the mark, with the container's name unless it is the main one (or the line is the marker). */
export function markToken(mark: LineMark, container: string = MAIN_CONTAINER): string {
  return container === MAIN_CONTAINER || mark === 'x' ? mark : `${mark}:${container}`;
}

/**
 * One line of the file for an event at `ms` (ms since the epoch) with the message's raw bytes (no
 * trailing newline), written by `container` (default the main one).
 */
export function encodeLine(ms: number, mark: LineMark, message: Buffer, container?: string): Buffer {
  const header = `${ms} ${markToken(mark, container)} `;
  const body = message.includes(BACKSLASH) || message.includes(NEWLINE) ? escape(message) : message;
  // One allocation per line (from Node's pool): this runs for every line a job prints.
  const line = Buffer.allocUnsafe(header.length + body.length + 1);
  line.write(header, 0, 'latin1');
  body.copy(line, header.length);
  line[line.length - 1] = NEWLINE;
  return line;
}

function escape(message: Buffer): Buffer {
  // latin1 maps bytes to characters one to one, so the UTF-8 bytes pass through untouched.
  return Buffer.from(message.toString('latin1').replace(/\\/g, '\\\\').replace(/\n/g, '\\n'), 'latin1');
}

/** The event a line (without its newline) holds, with its mark; `container` only on a sidecar's line (absent: the main container). */
export function decodeLine(line: string): LogEvent & { mark: LineMark } {
  const space = line.indexOf(' ');
  const mark = line[space + 1] as LineMark;
  const tokenEnd = line.indexOf(' ', space + 1);
  const raw = line.slice(tokenEnd + 1);
  const message = raw.includes('\\') ? raw.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')) : raw;
  const event = { timestamp: Number(line.slice(0, space)), stream: mark === 'o' ? ('stdout' as const) : ('stderr' as const), message, mark };
  return tokenEnd > space + 2 ? { ...event, container: line.slice(space + 3, tokenEnd) } : event;
}

async function openIfExists(file: string, flags: 'r' | 'r+' = 'r'): Promise<FileHandle | undefined> {
  try {
    return await open(file, flags);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/**
 * Up to `limit` events (and at most PAGE_MAX_BYTES) of `file` from `cursor` (a byte offset
 * returned earlier), or else from the first event at or after `startTime` (ms), or else from
 * the start. Only complete lines are returned (the writer may be mid-line). With `container`,
 * only that container's lines (and the truncation marker) are kept: the others are skipped
 * within the same read, so a page may hold fewer than `limit` events, none even, while
 * `nextCursor` moves past them; `cursors` holds the line start after each event. A missing file is an empty log. Throws a 400 ClientError (field
 * `cursor`) on a cursor that is not a line start of this file.
 */
export async function readPage(file: string, options: { cursor?: string; limit: number; startTime?: number; container?: string }): Promise<LogPage> {
  if (options.cursor !== undefined && !/^\d{1,15}$/.test(options.cursor)) throw invalidCursor();
  const handle = await openIfExists(file);
  if (!handle) {
    if (options.cursor !== undefined && options.cursor !== '0') throw invalidCursor();
    return { events: [], nextCursor: '0' };
  }
  try {
    const { size } = await handle.stat();
    let from: number;
    if (options.cursor !== undefined) {
      from = Number(options.cursor);
      if (from > size || (from > 0 && (await readAt(handle, from - 1, 1))[0] !== NEWLINE)) throw invalidCursor();
    } else {
      from = options.startTime === undefined ? 0 : await firstAtOrAfter(handle, size, options.startTime);
    }
    const chunk = await readAt(handle, from, Math.min(PAGE_MAX_BYTES, size - from));
    const events: LogEvent[] = [];
    const cursors: string[] = [];
    let offset = 0;
    while (events.length < options.limit) {
      const end = chunk.indexOf(NEWLINE, offset);
      if (end < 0) break;
      const { mark, ...event } = decodeLine(chunk.toString('utf8', offset, end));
      offset = end + 1;
      if (options.container === undefined || mark === 'x' || (event.container ?? MAIN_CONTAINER) === options.container) {
        events.push(event);
        cursors.push(String(from + offset));
      }
    }
    return { events, nextCursor: String(from + offset), ...(events.length > 0 && { cursors }) };
  } finally {
    await handle.close();
  }
}

/** The offset of the first line start at or after `position` (`size` when none). */
async function lineStartFrom(handle: FileHandle, position: number, size: number): Promise<number> {
  if (position === 0) return 0;
  for (let at = position - 1; at < size; at += LINE_MAX_BYTES) {
    const chunk = await readAt(handle, at, LINE_MAX_BYTES);
    const newline = chunk.indexOf(NEWLINE);
    if (newline >= 0) return at + newline + 1;
  }
  return size;
}

async function timestampAt(handle: FileHandle, lineStart: number): Promise<number> {
  const head = (await readAt(handle, lineStart, 24)).toString('latin1');
  return Number(head.slice(0, head.indexOf(' ')));
}

/**
 * Binary search over line starts for the first line whose timestamp is at or after `startTime`
 * (ms): O(log size) small reads. Docker timestamps each line as it reads it, so they ascend
 * (stdout and stderr interleave within a few µs at most).
 */
async function firstAtOrAfter(handle: FileHandle, size: number, startTime: number): Promise<number> {
  let low = 0; // every line before `low` is earlier than startTime
  let high = size; // `high` is size or a line start at or after startTime
  while (low < high) {
    const start = await lineStartFrom(handle, Math.floor((low + high) / 2), size);
    const probe = start < high ? start : low;
    // A line being written may not have its timestamp yet (NaN): treat it as late.
    if (!((await timestampAt(handle, probe)) < startTime)) high = probe;
    else low = await lineStartFrom(handle, probe + 1, size);
  }
  return low;
}

/** How many of the file's last lines a resumed copy must find in Docker's log to know where the file ends. */
export const TAIL_KEYS = 16;

/** A line without its timestamp ("<mark> <escaped message>"): the same output has the same key whoever stamped it. */
export function lineKey(line: string): string {
  return line.slice(line.indexOf(' ') + 1);
}

/** The end of a log file as a writer of one of its containers resumes it. */
export interface LogTail {
  /** Bytes of complete lines (a partial last line, left by a crash, is cut off). */
  size: number;
  /** The timestamp (ms) of the container's last line, if any. */
  lastMs?: number;
  /** The container's last lines (at most TAIL_KEYS), each without its timestamp: what a resumed copy aligns on. */
  lastKeys: string[];
  /** The truncation marker is among the last lines: the run's log is closed. */
  truncated: boolean;
}

/**
 * Reads the end of `file` (at most PAGE_MAX_BYTES, never the whole log) as `container`'s writer
 * (default the main container) resumes it: its own last lines, the others' interleaved lines
 * left out. With `repair`, cuts off a partial last line (only when no writer is at work). A
 * missing file is empty.
 */
export async function readTail(file: string, options: { repair: boolean; container?: string }): Promise<LogTail> {
  const handle = await openIfExists(file, options.repair ? 'r+' : 'r');
  if (!handle) return { size: 0, lastKeys: [], truncated: false };
  try {
    let { size } = await handle.stat();
    const start = Math.max(0, size - PAGE_MAX_BYTES);
    const chunk = await readAt(handle, start, size - start);
    const lastNewline = chunk.lastIndexOf(NEWLINE);
    if (start + lastNewline + 1 < size) {
      size = start + lastNewline + 1;
      if (options.repair) await handle.truncate(size);
    }
    const lines = chunk
      .toString('utf8', 0, lastNewline + 1)
      .split('\n')
      .slice(start > 0 ? 1 : 0, -1);
    const decoded = lines.map(decodeLine);
    // Writers of other containers may have appended a few lines after the marker.
    const truncated = decoded.some((event) => event.mark === 'x');
    const container = options.container ?? MAIN_CONTAINER;
    const own = lines.filter((_, i) => decoded[i]!.mark !== 'x' && (decoded[i]!.container ?? MAIN_CONTAINER) === container);
    if (own.length === 0) return { size, lastKeys: [], truncated };
    return { size, lastMs: decodeLine(own[own.length - 1]!).timestamp, lastKeys: own.slice(-TAIL_KEYS).map(lineKey), truncated };
  } finally {
    await handle.close();
  }
}
