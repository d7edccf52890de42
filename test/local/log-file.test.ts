/** The run log file format and its readers, on files written here (no Docker). */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeLine, encodeLine, readPage, readTail } from '../../local/logs/log-file.js';
import { LogEncoder, stampNanos } from '../../local/logs/log-encoder.js';

const dir = mkdtempSync(path.join(tmpdir(), 'containerizer-logfile-'));
let files = 0;
const newFile = () => path.join(dir, `f${++files}.log`);

/** Docker's multiplexed stream frame: stream type, three zero bytes, big-endian size, payload. */
function frame(type: 1 | 2, payload: string): Buffer {
  const body = Buffer.from(payload);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

async function encode(encoder: LogEncoder, chunks: Buffer[]): Promise<string> {
  const out: Buffer[] = [];
  encoder.on('data', (d: Buffer) => out.push(d));
  const ended = new Promise((resolve) => encoder.once('end', resolve));
  for (const chunk of chunks) encoder.write(chunk);
  encoder.end();
  await ended;
  return Buffer.concat(out).toString('utf8');
}

describe('log file lines', () => {
  it('round-trips any message, backslashes and newlines included, in one line', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.constantFrom('o' as const, 'e' as const), (message, mark) => {
        const line = encodeLine(1_700_000_000_123, mark, Buffer.from(message));
        expect(line.indexOf(0x0a)).toBe(line.length - 1);
        expect(decodeLine(line.toString('utf8', 0, line.length - 1))).toEqual({
          timestamp: 1_700_000_000_123,
          stream: mark === 'o' ? 'stdout' : 'stderr',
          message: Buffer.from(message).toString('utf8'),
          mark,
        });
      }),
    );
  });

  it('pages by byte offset, seeks by time, refuses a cursor that is not a line start', async () => {
    const file = newFile();
    writeFileSync(file, [10, 20, 20, 30, 40].map((ms, i) => encodeLine(ms, 'o', Buffer.from(`line ${i}`)).toString()).join(''));
    const first = await readPage(file, { limit: 2 });
    expect(first.events.map((e) => e.message)).toEqual(['line 0', 'line 1']);
    const rest = await readPage(file, { cursor: first.nextCursor, limit: 10 });
    expect(rest.events.map((e) => e.message)).toEqual(['line 2', 'line 3', 'line 4']);
    expect(await readPage(file, { cursor: rest.nextCursor, limit: 10 })).toEqual({ events: [], nextCursor: rest.nextCursor });
    for (const [startTime, expected] of [
      [0, 'line 0'],
      [20, 'line 1'],
      [21, 'line 3'],
      [40, 'line 4'],
    ] as const) {
      expect((await readPage(file, { startTime, limit: 1 })).events[0].message).toBe(expected);
    }
    expect(await readPage(file, { startTime: 41, limit: 1 })).toEqual({ events: [], nextCursor: rest.nextCursor });
    for (const cursor of ['1', 'abc', '-1', String(Number(rest.nextCursor) + 1), '1e3']) {
      await expect(readPage(file, { cursor, limit: 1 })).rejects.toMatchObject({ status: 400 });
    }
    await expect(readPage(newFile(), { cursor: '5', limit: 1 })).rejects.toMatchObject({ status: 400 });
    expect(await readPage(newFile(), { limit: 1 })).toEqual({ events: [], nextCursor: '0' });
  });

  it('serves only complete lines, and a resuming writer cuts off a partial one', async () => {
    const file = newFile();
    writeFileSync(file, encodeLine(5, 'o', Buffer.from('whole')));
    appendFileSync(file, '6 o half');
    expect((await readPage(file, { limit: 10 })).events.map((e) => e.message)).toEqual(['whole']);
    expect(await readTail(file, { repair: false })).toMatchObject({ lastMs: 5, lastKeys: ['o whole'], truncated: false });
    const tail = await readTail(file, { repair: true });
    expect(readFileSync(file, 'utf8')).toBe('5 o whole\n');
    expect(tail.size).toBe(10);
  });
});

describe('log files of several containers', () => {
  it("names a sidecar's lines, keeps the main container's as they were, and pages one container by byte offset", async () => {
    const file = newFile();
    const lines = [
      encodeLine(10, 'o', Buffer.from('main 1')),
      encodeLine(11, 'o', Buffer.from('db 1'), 'db'),
      encodeLine(12, 'e', Buffer.from('db 2'), 'db'),
      encodeLine(13, 'o', Buffer.from('main 2'), 'app'),
    ];
    writeFileSync(file, Buffer.concat(lines));
    expect(readFileSync(file, 'utf8')).toBe('10 o main 1\n11 o:db db 1\n12 e:db db 2\n13 o main 2\n');
    expect(decodeLine('12 e:db db 2')).toEqual({ timestamp: 12, stream: 'stderr', message: 'db 2', mark: 'e', container: 'db' });

    const all = await readPage(file, { limit: 10 });
    expect(all.events.map((e) => [e.container, e.message])).toEqual([
      [undefined, 'main 1'],
      ['db', 'db 1'],
      ['db', 'db 2'],
      [undefined, 'main 2'],
    ]);
    // Filtered pages skip the other container's lines in the same read; the cursor stays a byte offset.
    const first = await readPage(file, { limit: 1, container: 'app' });
    expect(first.events.map((e) => e.message)).toEqual(['main 1']);
    const second = await readPage(file, { cursor: first.nextCursor, limit: 1, container: 'app' });
    expect(second.events.map((e) => e.message)).toEqual(['main 2']);
    expect(Number(second.nextCursor)).toBe(Buffer.concat(lines).length);
    expect((await readPage(file, { limit: 10, container: 'db' })).events.map((e) => e.message)).toEqual(['db 1', 'db 2']);
    const none = await readPage(file, { cursor: String(lines[0]!.length), limit: 10, container: 'nope' });
    expect(none).toEqual({ events: [], nextCursor: String(Buffer.concat(lines).length) });

    // Each container's copy resumes on its own lines; a marker written by any closes the run's log.
    expect(await readTail(file, { repair: false })).toMatchObject({ lastMs: 13, lastKeys: ['o main 1', 'o main 2'], truncated: false });
    expect(await readTail(file, { repair: false, container: 'db' })).toMatchObject({ lastMs: 12, lastKeys: ['o:db db 1', 'e:db db 2'] });
    appendFileSync(file, Buffer.concat([encodeLine(14, 'x', Buffer.from('dropped'), 'db'), encodeLine(15, 'o', Buffer.from('late'))]));
    expect(await readTail(file, { repair: false, container: 'db' })).toMatchObject({ truncated: true });
  });

  it("shares the run's cap between its containers' copies: one marker, then every copy ends", async () => {
    const budget = { written: 0, truncated: false };
    const empty = { size: 0, lastKeys: [], truncated: false };
    const frames = Array.from({ length: 50 }, (_, i) => frame(1, `line ${i}\n`));
    const main = new LogEncoder(empty, 1000, 'attach', undefined, { budget });
    const db = new LogEncoder(empty, 1000, 'attach', undefined, { container: 'db', budget });
    const text = (await encode(main, frames)) + (await encode(db, frames));
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(1000);
    const decoded = text
      .split('\n')
      .slice(0, -1)
      .map((line) => decodeLine(line));
    expect(decoded.filter((e) => e.mark === 'x')).toHaveLength(1);
    expect(decoded.some((e) => e.container === 'db')).toBe(false);
    expect([main.truncated, db.truncated]).toEqual([true, true]);
  });
});

describe('LogEncoder', () => {
  const empty = { size: 0, lastKeys: [], truncated: false };

  it('splits attached output into lines per stream however frames and chunks cut it', async () => {
    const stream = Buffer.concat([frame(1, 'a\nb'), frame(2, 'err\n'), frame(1, 'c\n'), frame(1, 'tail')]);
    const text = await encode(new LogEncoder(empty, 1e9, 'attach'), [stream.subarray(0, 5), stream.subarray(5, 13), stream.subarray(13)]);
    expect(
      text
        .split('\n')
        .slice(0, -1)
        .map((line) => decodeLine(line).message),
    ).toEqual(['a', 'err', 'bc', 'tail']);
    expect(
      text
        .split('\n')
        .slice(0, -1)
        .map((line) => decodeLine(line).stream),
    ).toEqual(['stdout', 'stderr', 'stdout', 'stdout']);
  });

  it('past the cap writes one marker line and nothing more', async () => {
    const frames = Array.from({ length: 100 }, (_, i) => frame(1, `line ${i}\n`));
    const encoder = new LogEncoder(empty, 600, 'attach');
    const text = await encode(encoder, frames);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(600);
    const lines = text.split('\n').slice(0, -1);
    expect(lines.filter((line) => decodeLine(line).mark === 'x')).toHaveLength(1);
    expect(decodeLine(lines[lines.length - 1]).message).toContain('was dropped');
    expect(encoder.truncated).toBe(true);
  });

  it("resumes Docker's log after the file's last lines, wherever the replay begins", async () => {
    const stamp = (ms: number) => new Date(ms).toISOString();
    const replay = ['x', 'y', 'y', 'z', 'new'].map((message, i) => frame(1, `${stamp(1000 + i)} ${message}\n`));
    const tail = { size: 0, lastMs: 1003, lastKeys: ['o y', 'o y', 'o z'], truncated: false };
    const text = await encode(new LogEncoder(tail, 1e9, 'logs'), replay);
    expect(text).toBe('1004 o new\n');
    const fromInside = await encode(new LogEncoder(tail, 1e9, 'logs'), replay.slice(3));
    expect(fromInside).toBe('1004 o new\n');
  });

  it('resumes exactly after the last line an earlier copy read, even among lines sharing its timestamp, and reports where it stopped', async () => {
    const replay = [
      ['2030-01-01T00:00:01.000000001Z', 'x'],
      ['2030-01-01T00:00:01.000000002Z', 'long line, part 1'],
      ['2030-01-01T00:00:01.000000002Z', 'long line, part 2'],
      ['2030-01-01T00:00:01.000000003Z', 'x'],
    ].map(([stamp, message]) => frame(1, `${stamp} ${message}\n`));
    const at = (stamp: string, count: number) => ({ nanos: stampNanos(stamp)!, count });
    // The file's last lines would align after the first "x": the position, not the tail, decides.
    const tail = { size: 0, lastMs: Date.UTC(2030, 0, 1, 0, 0, 1), lastKeys: ['o x'], truncated: false };
    const encoder = new LogEncoder(tail, 1e9, 'logs', at('2030-01-01T00:00:01.000000002Z', 1));
    const text = await encode(encoder, replay);
    expect(text.split('\n').map((line) => line.slice(line.indexOf(' ') + 1))).toEqual(['o long line, part 2', 'o x', '']);
    expect(encoder.position).toEqual(at('2030-01-01T00:00:01.000000003Z', 1));
    const again = new LogEncoder(tail, 1e9, 'logs', encoder.position);
    expect(await encode(again, replay)).toBe('');
    expect(again.position).toEqual(encoder.position);
  });

  it("reads Docker's timestamps to the nanosecond, whatever their zone", () => {
    expect(stampNanos('2026-11-30T00:52:37.467795930Z')).toBe(BigInt(Date.UTC(2026, 10, 30, 0, 52, 37)) * 1_000_000n + 467_795_930n);
    expect(stampNanos('2026-11-30T01:52:37.4677Z')).toBe(BigInt(Date.UTC(2026, 10, 30, 1, 52, 37)) * 1_000_000n + 467_700_000n);
    expect(stampNanos('2026-11-30T01:52:37.467795930+01:00')).toBe(stampNanos('2026-11-30T00:52:37.467795930Z'));
    expect(stampNanos('2026-11-30T00:52:37Z')).toBe(BigInt(Date.UTC(2026, 10, 30, 0, 52, 37)) * 1_000_000n);
    for (const bad of ['', 'hello', '2026-11-30T00:52:37.1234567890Z', '2026-13-45T00:52:37Z']) expect(stampNanos(bad)).toBeUndefined();
  });
});
