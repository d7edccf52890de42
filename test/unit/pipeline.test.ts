/** concurrency.ts pipeline: items run as they are pushed, at most `limit` at once, in push order; idle and close wait for them. */
import { describe, expect, it } from 'vitest';
import { pipeline } from '../../shared/concurrency.js';

/** A promise and its resolver, so a test moves on when an item is let go, never after a delay. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

describe('pipeline', () => {
  it('runs at most `limit` items at once, in push order; idle waits for those pushed so far, close for all', async () => {
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const done: number[] = [];
    let running = 0;
    let most = 0;
    const pipe = pipeline<number>(2, async (item) => {
      started.push(item);
      most = Math.max(most, ++running);
      await gates[item]!.opened;
      running--;
      done.push(item);
    });
    pipe.push(0, 1, 2);
    expect(started).toEqual([0, 1]);
    let idle = false;
    const idled = pipe.idle().then(() => (idle = true));
    gates[0]!.open();
    gates[1]!.open();
    gates[2]!.open();
    await idled;
    expect(idle).toBe(true);
    expect(done).toEqual([0, 1, 2]);
    pipe.push(3, 4);
    const closed = pipe.close();
    gates[3]!.open();
    gates[4]!.open();
    await closed;
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
  });

  it('is idle at once when nothing is pushed, and a failing item does not stop the others', async () => {
    const pipe = pipeline<number>(1, async (item) => {
      if (item === 0) throw new Error('launch failed');
    });
    await pipe.idle();
    pipe.push(0, 1);
    await pipe.close();
  });
});
