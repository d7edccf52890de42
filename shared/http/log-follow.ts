/**
 * Following a log as Server-Sent Events (the WHATWG HTML "Server-sent events" format): a run's
 * or a build's. `log` events carry one log event each; the LAST line of each page read carries
 * the cursor after that page as its event id (a page's lines share one cursor, so an id on an
 * earlier line would skip the rest of its page on resume). A client that reconnects with
 * Last-Event-ID therefore repeats nothing and loses nothing. `end` says the producer is done.
 *
 * Every response is bounded: it ends once `maxBytes` are written (after a whole page, so a
 * resume always progresses) or after `maxFollowMs`; the client resumes with Last-Event-ID.
 */
import type { SSEStreamingApi } from 'hono/streaming';
import { isTerminal, type Run } from '../domain.js';
import { ServiceUnavailableError } from '../errors.js';
import type { LogPage, LogSource } from '../ports.js';

/**
 * Polling delays (ms) once a follow has read all there is: from `initial`, doubled per empty
 * poll up to `max`, back to `initial` when lines come. CloudWatch's GetLogEvents allows 25
 * requests/s per account and Region (a hard quota shared by every follower), so an idle
 * follower must not poll twice a second forever.
 */
export const FOLLOW_POLL_MS = { initial: 500, max: 4_000 } as const;

/** How one follow response is bounded, and where a client can follow live when this one cannot. */
export interface FollowOptions {
  /** How long (ms) a response may wait for new lines; 0 = answer with what there is now (a buffering host). */
  maxMs: number;
  /** Bytes after which a response ends (checked after each whole page). */
  maxBytes: number;
  /** The URL of a live follow of the same route (the cloud's streaming function URL), advertised in a Link header. */
  liveUrl?: string;
}

/** Dev mode's follow: open until the run ends, 1 MiB per response. */
export const DEFAULT_FOLLOW: FollowOptions = { maxMs: Infinity, maxBytes: 1024 * 1024 };

/** Any log read page by page, and how this response is bounded. */
export interface PageFollow {
  /** Reads the page after `cursor`; state that `ended` needs must be read before the page. */
  read: (cursor: string | undefined) => Promise<LogPage>;
  /** True when `read` leaves lines out (a container filter): an empty page may then still move the cursor on. */
  filtered?: boolean;
  /** The `end` event's data once the producer is done (all its lines are in the pages read); undefined before. */
  ended: () => Promise<object | undefined>;
  /** Where to start: Last-Event-ID, else the `cursor` query parameter; none = the beginning. */
  cursor?: string;
  /** How long (ms) this response may wait for new lines before the client must resume; 0 = answer with what there is now. */
  maxFollowMs: number;
  /** Bytes after which this response ends (checked after each whole page). */
  maxBytes: number;
}

/** A run's log follow: the run read afresh before each page decides when it ends. */
export interface LogFollow extends Omit<PageFollow, 'read' | 'ended'> {
  readRun: () => Promise<Run>;
  logs: LogSource;
  /** Log events per page. */
  limit: number;
  /** ms since the epoch; ignored with a cursor. */
  startTime?: number;
  /** Only this container's lines. */
  container?: string;
}

/** SSE framing around one event's data: `event: log\ndata: …\nid: …\n\n`, an upper bound. */
const FRAME_BYTES = 32;

/** Writes the run's log to `stream` as it grows; see followPages. */
export function followLogs(stream: SSEStreamingApi, { readRun, logs, limit, startTime, container, ...bounds }: LogFollow): Promise<void> {
  let run: Run | undefined;
  return followPages(stream, {
    ...bounds,
    filtered: container !== undefined,
    read: async (cursor) => {
      run = await readRun();
      return logs.read(run, { cursor, limit, startTime, container });
    },
    // Decided on the run read before the page: lines written before it ended are all in the page.
    ended: async () => (run && isTerminal(run.status) ? { status: run.status, exitCode: run.exitCode } : undefined),
  });
}

/**
 * Writes pages to `stream` as they come, until the producer ends, the client goes, `maxBytes`
 * are written or `maxFollowMs` passes. A throttled read (ServiceUnavailableError) is waited out
 * with the same backoff, never surfaced mid-stream.
 */
export async function followPages(stream: SSEStreamingApi, follow: PageFollow): Promise<void> {
  let cursor = follow.cursor;
  const deadline = Date.now() + follow.maxFollowMs;
  let written = 0;
  let delay: number = FOLLOW_POLL_MS.initial;
  while (!stream.aborted) {
    const page = await readOrThrottled(follow, cursor);
    if (page && page.events.length > 0) {
      cursor = page.nextCursor;
      const last = page.events.length - 1;
      for (const [i, event] of page.events.entries()) {
        const data = JSON.stringify(event);
        await stream.writeSSE({ event: 'log', data, ...(i === last && { id: cursor }) });
        written += Buffer.byteLength(data) + FRAME_BYTES + (i === last ? Buffer.byteLength(cursor) : 0);
      }
      delay = FOLLOW_POLL_MS.initial;
      if (written >= follow.maxBytes) return;
      continue;
    }
    if (page && follow.filtered && page.nextCursor !== cursor) {
      // An empty page that still moved on skipped lines the filter left out: read on from there at once.
      cursor = page.nextCursor;
      continue;
    }
    const end = page && (await follow.ended());
    if (page && end) {
      await stream.writeSSE({ event: 'end', id: page.nextCursor, data: JSON.stringify(end) });
      return;
    }
    if (Date.now() + delay > deadline) return;
    await stream.sleep(delay);
    delay = Math.min(delay * 2, FOLLOW_POLL_MS.max);
  }
}

/** One page, or undefined when the log source is throttled (the caller backs off and retries). */
async function readOrThrottled(follow: PageFollow, cursor: string | undefined): Promise<LogPage | undefined> {
  try {
    return await follow.read(cursor);
  } catch (err) {
    if (err instanceof ServiceUnavailableError) return undefined;
    throw err;
  }
}
