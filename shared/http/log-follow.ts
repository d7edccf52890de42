/**
 * Following a log as Server-Sent Events (the WHATWG HTML "Server-sent events" format): a run's
 * or a build's. `log` events carry one log event each, and EVERY one carries the cursor after it
 * as its event id: the source's own per-event cursor when it has one (dev mode's byte offset of
 * the next line), else the page's start cursor and the number of its lines already sent
 * (`<cursor>~<n>`, CloudWatch's token plus an offset within the page), and the page's cursor on
 * its last line. A client that reconnects with Last-Event-ID, however mid-page it was cut off,
 * therefore repeats nothing and loses nothing. `end` says the producer is done.
 *
 * Every response is bounded: it ends once `maxBytes` are written (after a whole page, so a
 * resume always progresses) or after `maxFollowMs`; the client resumes with Last-Event-ID. Each
 * response opens with `retry: RECONNECT_MS`, so a client reconnects at once at such a boundary
 * instead of after its default delay (3 s for most EventSource clients); a host that cannot wait
 * for lines (maxFollowMs 0) says the idle poll's longest delay instead, as reconnects poll it.
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

/**
 * Dev mode's polling delays (ms): a poll there is a small read of a local file and of dynalite,
 * so a follow learns of a run's end within a quarter second (a short job's `run --follow` is not
 * left waiting out a CloudWatch-sized backoff).
 */
export const LOCAL_FOLLOW_POLL_MS = { initial: 50, max: 250 } as const;

/** Polling delays (ms) of an idle follow: from `initial`, doubled per empty poll up to `max`. */
export interface PollDelays {
  initial: number;
  max: number;
}

/**
 * The reconnection delay (ms) a follow response announces (`retry:`): a bounded response ending
 * is routine, so a client should come back at once; a little above 0 so a client whose server is
 * gone does not spin.
 */
export const RECONNECT_MS = 100;

/** How one follow response is bounded, and where a client can follow live when this one cannot. */
export interface FollowOptions {
  /** How long (ms) a response may wait for new lines; 0 = answer with what there is now (a buffering host). */
  maxMs: number;
  /** Bytes after which a response ends (checked after each whole page). */
  maxBytes: number;
  /** The URL of a live follow of the same route (the cloud's streaming function URL), advertised in a Link header. */
  liveUrl?: string;
  /** Polling delays of an idle follow; default FOLLOW_POLL_MS (CloudWatch's quota). */
  pollMs?: PollDelays;
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
  /** Where to start: Last-Event-ID, else the `cursor` query parameter (a source cursor or an event id this follow sent); none = the beginning. */
  cursor?: string;
  /** How long (ms) this response may wait for new lines before the client must resume; 0 = answer with what there is now. */
  maxFollowMs: number;
  /** Bytes after which this response ends (checked after each whole page). */
  maxBytes: number;
  /** Polling delays of an idle follow; default FOLLOW_POLL_MS. */
  pollMs?: PollDelays;
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

/** A page as the JSON log routes answer it (LogPage's schema: the per-event cursors are the follow's). */
export function logPageView({ events, nextCursor }: LogPage): { events: LogPage['events']; nextCursor: string } {
  return { events, nextCursor };
}

/** SSE framing around one event's data and id: `event: log\ndata: …\nid: …\n\n`, an upper bound. */
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
  let { cursor, skip } = parseEventId(follow.cursor);
  let written = 0;
  const poll = follow.pollMs ?? FOLLOW_POLL_MS;
  let delay = poll.initial;
  // A host that answers with what there is now (maxFollowMs 0: API Gateway buffering) is polled by reconnects: no faster than the idle poll.
  await stream.write(`retry: ${follow.maxFollowMs > 0 ? RECONNECT_MS : poll.max}\n\n`);
  const deadline = Date.now() + follow.maxFollowMs;
  while (!stream.aborted) {
    const page = await readOrThrottled(follow, cursor);
    if (page && page.events.length > 0) {
      // Resuming mid-page: the lines of this page the client already has are left out.
      const sent = Math.min(skip, page.events.length);
      skip -= sent;
      const start = cursor;
      cursor = page.nextCursor;
      const last = page.events.length - 1;
      for (let i = sent; i <= last; i++) {
        const data = JSON.stringify(page.events[i]);
        const id = i === last ? page.nextCursor : (page.cursors?.[i] ?? eventId(start, i + 1));
        await stream.writeSSE({ event: 'log', data, id });
        written += Buffer.byteLength(data) + FRAME_BYTES + Buffer.byteLength(id);
      }
      delay = poll.initial;
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
    delay = Math.min(delay * 2, poll.max);
  }
}

/** The id of the event after which `sent` lines of the page read from `start` are sent: `<start>~<sent>`. */
function eventId(start: string | undefined, sent: number): string {
  return `${start ?? ''}~${sent}`;
}

/**
 * Where an id (or a cursor) resumes: the source cursor to read from and how many lines of that
 * page the client already has. An id without `~<n>` is a source cursor itself. An empty start
 * means the log's beginning (or `startTime`, which a reconnecting client sends again in its URL).
 */
export function parseEventId(id: string | undefined): { cursor: string | undefined; skip: number } {
  const match = id === undefined ? null : /^(.*)~(\d{1,9})$/s.exec(id);
  if (!match) return { cursor: id, skip: 0 };
  return { cursor: match[1] || undefined, skip: Number(match[2]) };
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
