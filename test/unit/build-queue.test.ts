/** Dev mode's fair build queue (local/images/build-queue.ts): slots shared between owners, round-robin, none locked out. */
import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../local/images/build-queue.js';

/** A job the test ends when it likes; `started` says whether the queue ran it yet. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const job = { started: false, open, run: () => ((job.started = true), opened) };
  return job;
}

/** Lets the queue's promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('FairQueue', () => {
  it("starts another owner's job at once while one owner's long jobs fill the queue", async () => {
    const queue = new FairQueue(2);
    const a = [gate(), gate(), gate()];
    for (const job of a) void queue.push('A', job.run);
    await settle();
    // A holds one slot (concurrency - 1), however many it queued.
    expect(a.map((j) => j.started)).toEqual([true, false, false]);
    const b = gate();
    const bDone = queue.push('B', b.run);
    await settle();
    expect(b.started).toBe(true);
    b.open();
    await bDone;
    // B's slot is free again, but A may still hold only one.
    await settle();
    expect(a.map((j) => j.started)).toEqual([true, false, false]);
    a[0]!.open();
    await settle();
    expect(a.map((j) => j.started)).toEqual([true, true, false]);
  });

  it('serves owners round-robin: the one served longest ago first', async () => {
    const queue = new FairQueue(1);
    const order: string[] = [];
    const blocker = gate();
    void queue.push('A', blocker.run);
    for (const [owner, n] of [
      ['A', 1],
      ['A', 2],
      ['A', 3],
      ['B', 1],
      ['C', 1],
      ['B', 2],
    ] as const)
      void queue.push(owner, async () => void order.push(`${owner}${n}`));
    blocker.open();
    await queue.idle();
    expect(order).toEqual(['B1', 'C1', 'A1', 'B2', 'A2', 'A3']);
  });

  it('keeps going after a job fails, and is idle when all are done', async () => {
    const queue = new FairQueue(2);
    const ran: number[] = [];
    void queue.push('A', () => Promise.reject(new Error('boom')));
    void queue.push('A', async () => void ran.push(2));
    await queue.idle();
    expect(ran).toEqual([2]);
    expect(queue.waiting()).toBe(0);
    expect(queue.runningOf()).toBe(0);
    expect(() => new FairQueue(0)).toThrow('concurrency');
  });
});
