/**
 * Following a run's log as Server-Sent Events (the WHATWG HTML "Server-sent events" format):
 * `log` events carry one log event each with the cursor after it as the event id, so a client
 * that reconnects with Last-Event-ID resumes where it stopped; `end` says the run is over.
 */
import type { SSEStreamingApi } from 'hono/streaming';
import { isTerminal, type Run } from '../domain.js';
import type { LogSource } from '../ports.js';

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
  /** Only this container's lines. */
  container?: string;
  /** How long (ms) this response may stay open before the client must resume. */
  maxFollowMs: number;
}

/** Writes the log to `stream` as it grows, until the run ends, the client goes or maxFollowMs passes. */
export async function followLogs(stream: SSEStreamingApi, follow: LogFollow): Promise<void> {
  let cursor = follow.cursor;
  const deadline = Date.now() + follow.maxFollowMs;
  while (!stream.aborted && Date.now() < deadline) {
    const run = await follow.readRun();
    const page = await follow.logs.read(run, { cursor, limit: follow.limit, startTime: follow.startTime, container: follow.container });
    cursor = page.nextCursor;
    for (const event of page.events) await stream.writeSSE({ event: 'log', id: cursor, data: JSON.stringify(event) });
    if (page.events.length > 0) continue;
    if (isTerminal(run.status)) {
      await stream.writeSSE({ event: 'end', id: cursor, data: JSON.stringify({ status: run.status, exitCode: run.exitCode }) });
      return;
    }
    await stream.sleep(FOLLOW_POLL_MS);
  }
}
