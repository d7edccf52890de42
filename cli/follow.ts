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
      fetch: async (input, init) => {
        const request = new Request(input, init);
        return session.send(request);
      },
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

function refusal(message: string | undefined) {
  return { detail: message ?? 'the API refused the log follow' };
}
