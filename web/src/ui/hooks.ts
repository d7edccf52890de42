/** Small hooks: loading with errors, polling, a ticking clock. */
import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => Promise<void>;
}

/**
 * Runs `load` now, again when `deps` change, and every `pollMs` while `poll` says so (a live
 * list); the previous data stays shown while reloading.
 */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  options: { pollMs?: number; poll?: (data: T | undefined) => boolean } = {},
): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const latest = useRef(load);
  latest.current = load;
  const controller = useRef<AbortController | undefined>(undefined);
  const reload = useCallback(async () => {
    controller.current?.abort();
    const mine = new AbortController();
    controller.current = mine;
    setLoading(true);
    try {
      const value = await latest.current(mine.signal);
      if (!mine.signal.aborted) {
        setData(value);
        setError(undefined);
      }
    } catch (err) {
      if (!mine.signal.aborted) setError(err as Error);
    } finally {
      if (!mine.signal.aborted) setLoading(false);
    }
  }, []);
  useEffect(() => {
    setData(undefined);
    void reload();
    return () => controller.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  const { pollMs, poll } = options;
  const polling = pollMs !== undefined && (poll ? poll(data) : true);
  useEffect(() => {
    if (!polling) return;
    const id = setInterval(() => void reload(), pollMs);
    return () => clearInterval(id);
  }, [polling, pollMs, reload]);
  return { data, error, loading, reload };
}

/** The current time, updated every `ms`. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(id);
  }, [ms]);
  return now;
}

/** The value, `ms` after it last changed. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return settled;
}

/** A form's submit: `busy` while `work` runs, and its error kept for the form to show. */
export function useSubmit(work: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, submit };
}
