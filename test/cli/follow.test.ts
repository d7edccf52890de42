/**
 * The CLI's guard on a followed log's body (cli/follow.ts wholeEvents): whole events only, however
 * the bytes are cut into chunks, and an end (not an error) at the last whole event when the
 * connection drops. Reads complete on their own: a body that stalled would hang the test.
 */
import { describe, expect, it } from 'vitest';
import { wholeEvents } from '../../cli/follow.js';

const encoder = new TextEncoder();

/** A 200 response whose body yields `chunks` one per read, then ends, or fails when `fail` is set. */
function responseOf(chunks: string[], fail = false): Response {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) return controller.enqueue(encoder.encode(chunks[next++]));
      if (fail) return controller.error(new TypeError('terminated'));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

/** Everything the guarded body passes on, as the reads return it. */
async function readAll(response: Response): Promise<string[]> {
  const reader = wholeEvents(response).body!.getReader();
  const decoder = new TextDecoder();
  const reads: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return reads;
    reads.push(decoder.decode(value));
  }
}

const event = (n: number) => `event: log\ndata: {"message":"${n}"}\nid: ${n}\n\n`;

describe('wholeEvents', () => {
  it('reads on through chunks that hold no event end (one byte at a time) instead of stalling', async () => {
    const text = [1, 2, 3].map(event).join('');
    const reads = await readAll(responseOf([...text]));
    expect(reads.join('')).toBe(text);
    // Every read is whole events.
    for (const read of reads) expect(read.endsWith('\n\n')).toBe(true);
  });

  it('a small last chunk before a drop (no event end in it) ends the body at the last whole event', async () => {
    const reads = await readAll(responseOf([event(1) + event(2).slice(0, 10), event(2).slice(10) + 'event: log\nda'], true));
    expect(reads.join('')).toBe(event(1) + event(2));
  });

  it('passes a body that ends cleanly through whole, and a refusal untouched', async () => {
    expect((await readAll(responseOf([event(1), event(2)]))).join('')).toBe(event(1) + event(2));
    const refused = new Response('{"status":401}', { status: 401 });
    expect(wholeEvents(refused)).toBe(refused);
  });
});
