/**
 * The SSE log follow (shared/http/log-follow.ts) over a LogSource that pages like CloudWatch's
 * GetLogEvents (one cursor per page, after its last line) or like dev mode's log file (a cursor per line).
 */
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { describe, expect, it } from 'vitest';
import type { Run } from '../../shared/domain.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { FOLLOW_POLL_MS, followLogs, RECONNECT_MS, type LogFollow } from '../../shared/http/log-follow.js';
import type { LogEvent, LogSource } from '../../shared/ports.js';
import { sampleRun } from '../aws/fixtures.js';
import { sseEvents, type SseEvent } from '../support/sse.js';
import { secretMasker, SPLIT_PIECE_MIN_BYTES } from '../../shared/rules/secret-rules.js';
import { maskedLogs } from '../../shared/services/secret-launch.js';
import type { SecretService } from '../../shared/services/secrets.js';

/** A finished run's log of `lines` lines, read `pageSize` at a time; the cursor is the index after the page. */
function pagedLog(lines: string[], pageSize: number): LogSource & { reads: number[] } {
  const reads: number[] = [];
  return {
    reads,
    async read(_run, { cursor }) {
      reads.push(Date.now());
      const from = cursor ? Number(cursor) : 0;
      const events: LogEvent[] = lines.slice(from, from + pageSize).map((message, i) => ({ timestamp: from + i, stream: 'stdout', message }));
      return { events, nextCursor: String(from + events.length) };
    },
  };
}

async function follow(options: Partial<LogFollow> & Pick<LogFollow, 'logs'>, run: Run = sampleRun({ status: 'SUCCEEDED', exitCode: 0 })): Promise<SseEvent[]> {
  const app = new Hono().get('/', (c) =>
    streamSSE(c, (stream) => followLogs(stream, { readRun: async () => run, limit: 100, maxFollowMs: Infinity, maxBytes: Infinity, ...options })),
  );
  const events: SseEvent[] = [];
  for await (const event of sseEvents(await app.request('/'))) events.push(event);
  return events;
}

const messages = (events: SseEvent[]) => events.filter((e) => e.event === 'log').map((e) => JSON.parse(e.data).message);
const lines = Array.from({ length: 10 }, (_, i) => `line ${i}`);

describe('followLogs', () => {
  it('gives every line its own id (the page start and an offset, the page cursor on its last line), so resuming from any id neither loses nor repeats a line', async () => {
    const logs = pagedLog(lines, 3);
    const events = await follow({ logs });
    expect(messages(events)).toEqual(lines);
    const logEvents = events.filter((e) => e.event === 'log');
    // Pages: 0-2, 3-5, 6-8, 9.
    expect(logEvents.map((e) => e.id)).toEqual(['~1', '~2', '3', '3~1', '3~2', '6', '6~1', '6~2', '9', '10']);
    expect(events.at(-1)).toMatchObject({ event: 'end', id: '10' });

    for (const [i, event] of logEvents.entries()) {
      expect(messages(await follow({ logs, cursor: event.id })), `resumed after line ${i}`).toEqual(lines.slice(i + 1));
    }
  });

  it("uses the source's own cursor after each line when it has one (dev mode's byte offsets)", async () => {
    const paged = pagedLog(lines, 4);
    const logs: LogSource = {
      read: async (run, options) => {
        const page = await paged.read(run, options);
        return { ...page, cursors: page.events.map((e) => `${e.timestamp + 1}`) };
      },
    };
    const events = await follow({ logs });
    expect(events.filter((e) => e.event === 'log').map((e) => e.id)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect(messages(await follow({ logs, cursor: '6' }))).toEqual(lines.slice(6));
  });

  it('opens each response with a short retry, so a client reconnects at once when a bounded response ends', async () => {
    const app = new Hono().get('/', (c) =>
      streamSSE(c, (stream) =>
        followLogs(stream, {
          readRun: async () => sampleRun({ status: 'SUCCEEDED' }),
          logs: pagedLog(lines, 3),
          limit: 100,
          maxFollowMs: 60_000,
          maxBytes: 10,
        }),
      ),
    );
    const text = await (await app.request('/')).text();
    expect(text.startsWith(`retry: ${RECONNECT_MS}\n\n`)).toBe(true);
    expect(RECONNECT_MS).toBeLessThan(1000);
    // A host that answers with what there is now is polled by reconnects: not ten times a second.
    const buffered = new Hono().get('/', (c) =>
      streamSSE(c, (stream) =>
        followLogs(stream, { readRun: async () => sampleRun({ status: 'RUNNING' }), logs: pagedLog([], 3), limit: 100, maxFollowMs: 0, maxBytes: 10 }),
      ),
    );
    expect(await (await buffered.request('/')).text()).toBe(`retry: ${FOLLOW_POLL_MS.max}\n\n`);
  });

  it('ends a response once maxBytes are written, after a whole page, and a resume goes on from there', async () => {
    const big = Array.from({ length: 12 }, (_, i) => `${i}`.padEnd(1000, '.'));
    const logs = pagedLog(big, 3);
    const first = await follow({ logs, maxBytes: 4000 });
    // 3 lines (~3 KB) are under the bound, the 6th line's page crosses it: two whole pages.
    expect(messages(first)).toEqual(big.slice(0, 6));
    expect(first.at(-1)).toMatchObject({ event: 'log', id: '6' });
    const rest = await follow({ logs, maxBytes: 4000, cursor: first.at(-1)!.id });
    expect(messages(rest)).toEqual(big.slice(6, 12));
  });

  it('polls an idle log with backoff, doubling from the first delay', async () => {
    const logs = pagedLog([], 3);
    const started = Date.now();
    const events = await follow({ logs, maxFollowMs: 3600 }, sampleRun({ status: 'RUNNING' }));
    expect(events).toEqual([]);
    const gaps = logs.reads.slice(1).map((at, i) => at - logs.reads[i]!);
    expect(gaps).toHaveLength(3);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(FOLLOW_POLL_MS.initial * 2 ** i - 20);
    expect(Date.now() - started).toBeLessThan(3600 + 500);
  });

  it("polls with the host's own delays when given (dev mode's quarter second, not CloudWatch's backoff)", async () => {
    const logs = pagedLog([], 3);
    await follow({ logs, maxFollowMs: 400, pollMs: { initial: 20, max: 40 } }, sampleRun({ status: 'RUNNING' }));
    // With FOLLOW_POLL_MS (500 ms, then 1 s) a 400 ms follow reads once.
    expect(logs.reads.length).toBeGreaterThanOrEqual(5);
  });

  it('waits out a throttled log source instead of failing the stream', async () => {
    const logs = pagedLog(lines, 5);
    let throttled = 2;
    const source: LogSource = {
      read: async (run, options) => {
        if (throttled-- > 0) throw new ServiceUnavailableError('CloudWatch Logs is throttling log reads', { retryAfterSeconds: 1 });
        return logs.read(run, options);
      },
    };
    const events = await follow({ logs: source });
    expect(messages(events)).toEqual(lines);
    expect(events.filter((e) => e.event === 'error')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ event: 'end' });
  });

  it("reads on past pages a container filter left empty, at once, up to the end of a finished run's log", async () => {
    // Two lines of `app` after 20 lines of another container, read 3 lines per page: a filtered page holds only its container's.
    const all = [
      ...Array.from({ length: 20 }, (_, i) => ({ container: 'db', message: `db ${i}` })),
      { container: 'app', message: 'a' },
      { container: 'app', message: 'b' },
    ];
    const reads: Array<string | undefined> = [];
    const logs: LogSource = {
      async read(_run, { cursor, container }) {
        reads.push(cursor);
        const from = cursor ? Number(cursor) : 0;
        const page = all.slice(from, from + 3);
        const events: LogEvent[] = page.filter((e) => e.container === container).map((e, i) => ({ timestamp: from + i, stream: 'stdout', ...e }));
        return { events, nextCursor: String(from + page.length) };
      },
    };
    const started = Date.now();
    const events = await follow({ logs, container: 'app' });
    expect(messages(events)).toEqual(['a', 'b']);
    expect(events.at(-1)).toMatchObject({ event: 'end', id: '22' });
    // No backoff between the empty pages: each moved the cursor on.
    expect(Date.now() - started).toBeLessThan(FOLLOW_POLL_MS.initial);
    expect(reads).toEqual([undefined, '3', '6', '9', '12', '15', '18', '21', '22']);
  });

  it("masks a run's secret in what it follows, also a value cut where a 16 KiB piece ends and its line goes on in the next page", async () => {
    const secret = 'hunter22-value';
    const secrets = { maskerOf: async () => secretMasker([secret]) } as unknown as SecretService;
    // The pieces of one line, as Docker or awslogs cut it, each its own page (a follow reads the first before the second is written).
    const first = `${'a'.repeat(SPLIT_PIECE_MIN_BYTES + 3 - 'pw=hunter'.length)}pw=hunter`;
    const log = [first, '22-value tail', `plain ${secret}`, 'last'];
    const logs = maskedLogs(pagedLog(log, 1), secrets);
    const followed = messages(await follow({ logs }));
    expect(followed).toEqual([`${'a'.repeat(first.length - 'pw=hunter'.length)}pw=***`, '*** tail', 'plain ***', 'last']);
    expect(followed.join('')).not.toContain('hunter');
    // Unmasked, the same follow shows it: the test can fail.
    expect(messages(await follow({ logs: pagedLog(log, 1) })).join('')).toContain(secret);
  });
});
