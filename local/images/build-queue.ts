/**
 * Dev mode's build queue: a fair share of a few build slots between owners (issue 14: one
 * user's `RUN sleep 45` held everyone's one-second build behind it). Pure: jobs are functions,
 * no Docker. Each owner has a FIFO queue; a free slot goes to the owner with the fewest builds
 * running, ties to the one served longest ago (round-robin); and one owner holds at most
 * `concurrency - 1` slots (at least one), so another owner's build starts at once, whatever the first queued.
 */

/** Builds at once unless BUILD_CONCURRENCY says otherwise: two, on a shared dev machine. */
export const DEFAULT_BUILD_CONCURRENCY = 2;

interface Waiting {
  job: () => Promise<unknown>;
  done: () => void;
}

export class FairQueue {
  private readonly queues = new Map<string, Waiting[]>();
  private readonly running = new Map<string, number>();
  private readonly servedAt = new Map<string, number>();
  private served = 0;
  private active = 0;
  private idlers: (() => void)[] = [];

  /** @param concurrency jobs at once (≥ 1). */
  constructor(readonly concurrency: number = DEFAULT_BUILD_CONCURRENCY) {
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a whole number ≥ 1, not ${concurrency}`);
  }

  /** The most slots one owner may hold: all but one, so another owner is never locked out (all, with one slot). */
  get perOwner(): number {
    return Math.max(1, this.concurrency - 1);
  }

  /** Queues `job` for `owner`. Resolves when it has run (its result and errors are the job's own business: handle them in it). */
  push(owner: string, job: () => Promise<unknown>): Promise<void> {
    return new Promise<void>((done) => {
      const queue = this.queues.get(owner) ?? [];
      queue.push({ job, done });
      this.queues.set(owner, queue);
      this.pump();
    });
  }

  /** Jobs waiting (not running) for `owner`, or for everyone. */
  waiting(owner?: string): number {
    if (owner !== undefined) return this.queues.get(owner)?.length ?? 0;
    return [...this.queues.values()].reduce((sum, q) => sum + q.length, 0);
  }

  /** Jobs running for `owner`, or for everyone. */
  runningOf(owner?: string): number {
    return owner === undefined ? this.active : (this.running.get(owner) ?? 0);
  }

  /** Resolves once nothing runs or waits. */
  idle(): Promise<void> {
    if (this.active === 0 && this.waiting() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idlers.push(resolve));
  }

  /** The owner the next free slot goes to, if any may take one. */
  private next(): string | undefined {
    let best: string | undefined;
    for (const owner of this.queues.keys()) {
      const running = this.runningOf(owner);
      if (running >= this.perOwner) continue;
      if (best === undefined) {
        best = owner;
        continue;
      }
      const bestRunning = this.runningOf(best);
      if (running < bestRunning || (running === bestRunning && (this.servedAt.get(owner) ?? -1) < (this.servedAt.get(best) ?? -1))) best = owner;
    }
    return best;
  }

  private pump(): void {
    while (this.active < this.concurrency) {
      const owner = this.next();
      if (owner === undefined) break;
      const queue = this.queues.get(owner)!;
      const { job, done } = queue.shift()!;
      if (queue.length === 0) this.queues.delete(owner);
      this.servedAt.set(owner, ++this.served);
      this.active++;
      this.running.set(owner, this.runningOf(owner) + 1);
      void Promise.resolve()
        .then(job)
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          const left = this.runningOf(owner) - 1;
          if (left === 0) this.running.delete(owner);
          else this.running.set(owner, left);
          done();
          this.pump();
          if (this.active === 0 && this.waiting() === 0) for (const resolve of this.idlers.splice(0)) resolve();
        });
    }
  }
}
