/**
 * Following a log as Server-Sent Events (the WHATWG HTML "Server-sent events" format): `log`
 * events carry one log event each with the cursor after it as the event id, so a client that
 * reconnects with Last-Event-ID resumes where it stopped; `end` says the run (or build) is over.
 */
import type { SSEStreamingApi } from 'hono/streaming';
import { isTerminal, type Run } from '../domain.js';
import type { LogPage, LogSource } from '../ports.js';

/** How often (ms) a follow polls for new lines once it has read all there is. */
const FOLLOW_POLL_MS = 500;

export interface LogFollow {
  /** Reads the run afresh (its status decides when the follow ends). */
  readRun: () => Promise<Run>;
  logs: LogSource;
  /** Where to start: Last-Event-ID, else the `cursor` query parameter; none = the beginning. */
  cursor?: string;
  /** Log events per page. */
  limit: number;
  /** ms since the epoch; ignored with a cursor. */
  startTime?: number;
  /** How long (ms) this response may stay open before the client must resume. */
  maxFollowMs: number;
}

/** Writes the run's log to `stream` as it grows, until the run ends, the client goes or maxFollowMs passes. */
export function followLogs(stream: SSEStreamingApi, follow: LogFollow): Promise<void> {
  let run: Run | undefined;
  return followPages(stream, {
    cursor: follow.cursor,
    maxFollowMs: follow.maxFollowMs,
    read: async (cursor) => {
      run = await follow.readRun();
      return follow.logs.read(run, { cursor, limit: follow.limit, startTime: follow.startTime });
    },
    // Decided on the run read before the page: lines written before it ended are all in the page.
    ended: async () => (run && isTerminal(run.status) ? { status: run.status, exitCode: run.exitCode } : undefined),
  });
}

/** Any log read page by page: `ended` gives the `end` event's data once the producer is done, undefined before. */
export interface PageFollow {
  /** Reads the page after `cursor`; state that `ended` needs must be read before the page. */
  read: (cursor: string | undefined) => Promise<LogPage>;
  ended: () => Promise<object | undefined>;
  cursor?: string;
  maxFollowMs: number;
}

/** Writes pages to `stream` as they come; an empty page after the producer ended sends `end`. */
export async function followPages(stream: SSEStreamingApi, follow: PageFollow): Promise<void> {
  let cursor = follow.cursor;
  const deadline = Date.now() + follow.maxFollowMs;
  while (!stream.aborted && Date.now() < deadline) {
    const page = await follow.read(cursor);
    cursor = page.nextCursor;
    for (const event of page.events) await stream.writeSSE({ event: 'log', id: cursor, data: JSON.stringify(event) });
    if (page.events.length > 0) continue;
    const end = await follow.ended();
    if (end) {
      await stream.writeSSE({ event: 'end', id: cursor, data: JSON.stringify(end) });
      return;
    }
    await stream.sleep(FOLLOW_POLL_MS);
  }
}
