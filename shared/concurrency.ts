/**
 * Bounded concurrency for the sweep and batched AWS calls: at most `limit` calls of `fn` in
 * flight; resolves when all are done, rejects with the first error (the others still finish).
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** `items` in consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A bounded worker pool fed as it goes: `push` items while earlier ones run; `close` resolves once every pushed item is done. */
export interface Pipeline<T> {
  push(...items: T[]): void;
  /** Resolves once every item pushed so far is done (more may be pushed after). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs `fn` on each item pushed, at most `limit` at once, in push order. `fn` handles its own errors: a rejection is ignored
 * (logged by the caller's `fn`, as forEachLimited's callers do).
 */
export function pipeline<T>(limit: number, fn: (item: T) => Promise<void>): Pipeline<T> {
  const waiting: T[] = [];
  let running = 0;
  let closed = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let idlers: (() => void)[] = [];
  const pump = (): void => {
    while (running < limit && waiting.length > 0) {
      const item = waiting.shift()!;
      running++;
      fn(item)
        .catch(() => undefined)
        .finally(() => {
          running--;
          pump();
        });
    }
    if (running > 0 || waiting.length > 0) return;
    for (const resolve of idlers) resolve();
    idlers = [];
    if (closed) resolveDone();
  };
  return {
    push(...items) {
      waiting.push(...items);
      pump();
    },
    idle() {
      const idle = new Promise<void>((resolve) => idlers.push(resolve));
      pump();
      return idle;
    },
    close() {
      closed = true;
      pump();
      return done;
    },
  };
}
