/**
 * Following a log as the API streams it (Server-Sent Events) with the `eventsource` client: it
 * reconnects by itself when a response ends (the API bounds each to ~1 MiB and says `retry:`)
 * or the connection drops, sending Last-Event-ID, and the API resumes after that very line.
 */
import { EventSource } from 'eventsource';
import type { Session } from './client.js';
import { problemError } from './client.js';

/** One log line as the API sends it. */
export interface LogLine {
  timestamp: number;
  container?: string;
  stream: 'stdout' | 'stderr';
  message: string;
}

/**
 * Streams the log at `path` (a route of the API, with its query) to `onLine`, line by line in
 * order, until the producer ends; resolves with the `end` event's data. `signal` stops early
 * (resolves undefined). Rejects with the API's problem when the follow is refused (401, 404…).
 */
export function followLog(session: Session, path: string, onLine: (line: LogLine) => void, signal?: AbortSignal): Promise<Record<string, unknown> | undefined> {
  return new Promise((resolve, reject) => {
    const source = new EventSource(`${session.api}${path}`, {
      // Each (re)connection is signed afresh: a long follow outlives an access token.
      fetch: async (input, init) => wholeEvents(await session.send(new Request(input, init))),
    });
    const finish = (result: Record<string, unknown> | undefined, error?: Error) => {
      source.close();
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(result);
    };
    const onAbort = () => finish(undefined);
    signal?.addEventListener('abort', onAbort);
    source.addEventListener('log', (event) => onLine(JSON.parse(event.data) as LogLine));
    source.addEventListener('end', (event) => finish(JSON.parse(event.data) as Record<string, unknown>));
    source.addEventListener('error', (event) => {
      // CONNECTING: the client reconnects by itself. CLOSED: the API refused the follow.
      if (source.readyState !== EventSource.CLOSED) return;
      const { code, message } = event as { code?: number; message?: string };
      finish(undefined, code ? problemError(new Response(null, { status: code }), refusal(message)) : new Error(message ?? 'the log follow failed'));
    });
  });
}

const BOUNDARY = new TextEncoder().encode('\n\n');

/** The offset just past the last blank line (`\n\n`, the API's event terminator) in `bytes`, 0 when none. */
function lastBoundary(bytes: Uint8Array): number {
  for (let i = bytes.length - BOUNDARY.length; i >= 0; i--) if (bytes[i] === 0x0a && bytes[i + 1] === 0x0a) return i + 2;
  return 0;
}

/**
 * The response with a body that passes on whole events only and ENDS (rather than fails) when
 * the connection drops. The `eventsource` client resets its parser only when a body ends: on a
 * failed read it keeps the half event it had and glues the next connection's first bytes to it
 * (a corrupted or lost line). Ended, the half event is dropped (as WHATWG says for an
 * incomplete event) and the client reconnects with the last whole event's id.
 *
 * Each `pull` reads until it has a whole event to enqueue (or the body ends): a stream calls
 * `pull` again only after one that enqueued something (WHATWG Streams,
 * ReadableStreamDefaultControllerCallPullIfNeeded), so a pull that returned empty-handed on a
 * chunk with no event end in it — a small TCP segment, the last bytes before a drop — left the
 * reader waiting forever.
 */
export function wholeEvents(response: Response): Response {
  if (!response.ok || !response.body) return response;
  const reader = response.body.getReader();
  let pending = new Uint8Array(0);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) {
            if (pending.length > 0) controller.enqueue(pending);
            return controller.close();
          }
          const joined = new Uint8Array(pending.length + value.length);
          joined.set(pending);
          joined.set(value, pending.length);
          const end = lastBoundary(joined);
          pending = joined.slice(end);
          if (end > 0) return controller.enqueue(joined.subarray(0, end));
        }
      } catch {
        controller.close(); // the connection dropped: end at the last whole event
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function refusal(message: string | undefined) {
  return { detail: message ?? 'the API refused the log follow' };
}
