/**
 * Following a log live (a run's or a build's) over the API's Server-Sent Events. A browser's
 * EventSource cannot send an Authorization header, and a token in the URL would end up in logs
 * and histories, so the stream is read with fetch() (Microsoft's fetch-event-source), which sends
 * the bearer token — a fresh one on every (re)connection — and Last-Event-ID when resuming. Each
 * response is bounded by the API (size and time; in the cloud the buffered API Gateway answers
 * with what there is now): when one closes before the `end` event, the follow reconnects from the
 * last id, so nothing is lost or repeated.
 */
import { fetchEventSource } from '@microsoft/fetch-event-source';
import { accessToken } from './session.js';
import type { LogEvent } from './types.js';

/** What the `end` event says: the run's or build's final status. */
export interface FollowEnd {
  status: string;
  exitCode?: number;
}

export interface FollowHandlers {
  onLines: (lines: LogEvent[]) => void;
  onEnd: (end: FollowEnd) => void;
  onError?: (message: string) => void;
}

class Resume extends Error {}
class Fatal extends Error {}

/** Wait (ms) before reconnecting after a response closed, or failed. */
const RESUME_MS = 1_000;

/**
 * Follows `url` (absolute) until its `end` event or `signal` aborts. Lines arriving together are
 * delivered in one batch (one render per network read, not per line).
 */
export function followLog(url: string, handlers: FollowHandlers, signal: AbortSignal): Promise<void> {
  let batch: LogEvent[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (batch.length === 0) return;
    const lines = batch;
    batch = [];
    handlers.onLines(lines);
  };
  let ended = false;
  return fetchEventSource(url, {
    signal,
    openWhenHidden: true,
    headers: { accept: 'text/event-stream' },
    // A fresh token on every (re)connection: a follow may outlive the access token.
    fetch: async (input, init) => {
      const token = await accessToken();
      const headers = new Headers(init?.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      return fetch(input, { ...init, headers });
    },
    async onopen(res) {
      if (res.ok && (res.headers.get('content-type') ?? '').startsWith('text/event-stream')) return;
      const problem = await res.json().catch(() => ({}));
      throw new Fatal(problem.detail ?? `HTTP ${res.status}`);
    },
    onmessage(message) {
      if (message.event === 'log') {
        batch.push(JSON.parse(message.data) as LogEvent);
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(flush);
        }
      } else if (message.event === 'end') {
        flush();
        ended = true;
        handlers.onEnd(JSON.parse(message.data) as FollowEnd);
      }
    },
    onclose() {
      flush();
      if (!ended) throw new Resume();
    },
    onerror(err) {
      if (err instanceof Fatal) {
        handlers.onError?.(err.message);
        throw err;
      }
      return RESUME_MS;
    },
  }).catch((err) => {
    if (!(err instanceof Fatal)) throw err;
  });
}
