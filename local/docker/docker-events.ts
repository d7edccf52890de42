/**
 * Dev mode's task state changes: Docker's event stream, translated into the same
 * TaskStateChange the cloud backend builds from ECS "Task State Change" events.
 * Also the pieces every Docker adapter shares: label names, the container-state
 * mapping, and reading a status code out of a dockerode error.
 */
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { logger } from '../../shared/logger.js';
import type { TaskStateChange } from '../../shared/ports.js';

/** Labels put on every run's container; the run id travels with it, so events need no lookup table. */
export const LABELS = {
  runId: 'containerizer.runId',
  appId: 'containerizer.appId',
  ownerId: 'containerizer.ownerId',
  /** Which dev-mode installation (data dir) created an object: garbage collection touches only its own. */
  instanceId: 'containerizer.instanceId',
  imageId: 'containerizer.imageId',
  buildNumber: 'containerizer.buildNumber',
  /** Why a non-run container exists, e.g. "scan". */
  purpose: 'containerizer.purpose',
} as const;

/** ECS's stoppedReason when a task's only (essential) container exits on its own. */
export const ESSENTIAL_CONTAINER_EXITED = 'Essential container in task exited';

/** The HTTP status of a failed Docker Engine API call (dockerode puts it on the error), if any. */
export function dockerStatusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** Runs a Docker call, taking an answer with one of `statusCodes` (e.g. 404 gone, 409 already so) as done; other errors propagate. */
export async function ignoringStatus(statusCodes: readonly number[], call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (err) {
    const status = dockerStatusCode(err);
    if (status === undefined || !statusCodes.includes(status)) throw err;
  }
}

/** The daemon's own message for a failed call (its JSON `message`), else the error's message. */
export function dockerErrorMessage(err: unknown): string {
  const json = (err as { json?: { message?: unknown } } | null)?.json;
  if (typeof json?.message === 'string') return json.message;
  return err instanceof Error ? err.message : String(err);
}

/** Why a container stopped, in ECS's words where ECS has them. `memoryBytes` is HostConfig.Memory (0 = unknown). */
function stoppedReason(oomKilled: boolean, memoryBytes: number, error: string): string {
  if (oomKilled) {
    const limit = memoryBytes > 0 ? ` (${memoryBytes / 1024 / 1024} MiB)` : '';
    return `OutOfMemoryError: container killed for exceeding its memory limit${limit}`;
  }
  return error || ESSENTIAL_CONTAINER_EXITED;
}

/**
 * Maps `GET /containers/{id}/json` (Docker Engine API, ContainerInspectResponse) onto ECS's
 * lifecycle: running (or paused/restarting) → RUNNING at StartedAt; created and never
 * started → PROVISIONING at Created, unless starting it failed (State.Error), which ECS
 * reports as a stopped task; anything else (exited, dead, removing) → STOPPED at FinishedAt.
 */
export function taskStateOf(info: Docker.ContainerInspectInfo, runId: string): TaskStateChange {
  const { State: state } = info;
  const base = { runId, taskRef: info.Id };
  if (state.Running) return { ...base, lastStatus: 'RUNNING', at: new Date(state.StartedAt) };
  if (state.Status === 'created' && !state.Error) return { ...base, lastStatus: 'PROVISIONING', at: new Date(info.Created) };
  return {
    ...base,
    lastStatus: 'STOPPED',
    exitCode: state.ExitCode,
    oomKilled: state.OOMKilled,
    stoppedReason: stoppedReason(state.OOMKilled, info.HostConfig.Memory ?? 0, state.Error),
    // A container that never started has the zero time as FinishedAt (and StartedAt).
    at: state.Status === 'created' ? new Date(info.Created) : new Date(state.FinishedAt),
    ...(state.Status !== 'created' && { startedAt: new Date(state.StartedAt) }),
  };
}

/** One message of `GET /events` (Docker Engine API, EventMessage), the fields used here. */
interface DockerEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

/** Options of watchTaskStateChanges. */
export interface WatchOptions {
  /**
   * Only containers labelled with this installation's id (LABELS.instanceId): another dev-mode
   * server on the same engine (a second checkout, a test server) must never have its runs' tasks
   * started or stopped by this one.
   */
  instanceId?: string;
  /** Wait before resubscribing after the stream ended or failed (ms, default 1000). */
  reconnectDelayMs?: number;
  /** Where failures of the stream or of onChange go (default: the platform logger); they never stop the watch. */
  onError?: (err: unknown) => void;
}

/** A running watch; `close()` unsubscribes and resolves once no more onChange calls will start. */
export interface TaskStateWatch {
  close(): Promise<void>;
}

/**
 * Subscribes to Docker's container events for containers labelled with a run id and calls
 * `onChange` with each one translated: create → PROVISIONING, start → RUNNING,
 * die → STOPPED (a clean exit from the event alone; otherwise exit code, OOM kill and reason
 * from inspecting the container, or from the event itself and a preceding `oom` event when the
 * container is already gone).
 *
 * Calls for one container run one after another in event order; different containers
 * run concurrently. When the stream ends (e.g. the daemon restarts) it resubscribes
 * with `since` set to the last event seen, so events may arrive twice — the run
 * services treat changes as at-least-once, as with EventBridge.
 */
export function watchTaskStateChanges(docker: Docker, onChange: (change: TaskStateChange) => Promise<void>, options: WatchOptions = {}): TaskStateWatch {
  const reconnectDelayMs = options.reconnectDelayMs ?? 1000;
  const onError = options.onError ?? ((err: unknown) => logger.error('Docker event handling failed; the watch goes on', { error: err as Error }));
  const stopped = new AbortController();
  const queues = new Map<string, Promise<void>>();
  // Containers that had an `oom` event and no `die` yet: Docker reports the OOM kill first.
  const oomSeen = new Set<string>();
  let current: Readable | undefined;
  let lastEventSeconds: number | undefined;

  const translate = async (event: DockerEvent, containerId: string, runId: string): Promise<TaskStateChange | undefined> => {
    const at = new Date(event.timeNano ? Math.floor(event.timeNano / 1e6) : (event.time ?? 0) * 1000);
    const base = { runId, taskRef: containerId, at };
    switch (event.Action) {
      case 'create':
        return { ...base, lastStatus: 'PROVISIONING' };
      case 'start':
        return { ...base, lastStatus: 'RUNNING' };
      case 'oom':
        oomSeen.add(containerId);
        return undefined;
      case 'die': {
        const oomKilled = oomSeen.delete(containerId);
        const exitCode = Number(event.Actor?.Attributes?.exitCode);
        // A clean exit says all there is to say: no OOM kill (137), no start error (non-zero). Not
        // inspecting spares Docker's teardown of the container, which an inspect would wait out.
        if (exitCode === 0 && !oomKilled) return { ...base, lastStatus: 'STOPPED', exitCode, oomKilled, stoppedReason: ESSENTIAL_CONTAINER_EXITED };
        try {
          return { ...taskStateOf(await docker.getContainer(containerId).inspect(), runId), at };
        } catch (err) {
          if (dockerStatusCode(err) !== 404) throw err;
          return {
            ...base,
            lastStatus: 'STOPPED',
            ...(Number.isInteger(exitCode) ? { exitCode } : {}),
            oomKilled,
            stoppedReason: stoppedReason(oomKilled, 0, ''),
          };
        }
      }
      default:
        return undefined;
    }
  };

  const dispatch = (line: string): void => {
    let event: DockerEvent;
    try {
      event = JSON.parse(line) as DockerEvent;
    } catch (err) {
      onError(new Error(`unparseable Docker event: ${line}`, { cause: err }));
      return;
    }
    lastEventSeconds = event.time ?? lastEventSeconds;
    const containerId = event.Actor?.ID;
    const runId = event.Actor?.Attributes?.[LABELS.runId];
    if (event.Type !== 'container' || !containerId || !runId) return;
    const next = (queues.get(containerId) ?? Promise.resolve())
      .then(() => translate(event, containerId, runId))
      .then((change) => (change && !stopped.signal.aborted ? onChange(change) : undefined))
      .catch(onError);
    queues.set(containerId, next);
    void next.then(() => {
      if (queues.get(containerId) === next) queues.delete(containerId);
    });
  };

  const subscribe = async (): Promise<void> => {
    const stream = (await docker.getEvents({
      ...(lastEventSeconds !== undefined ? { since: lastEventSeconds } : {}),
      filters: {
        type: ['container'],
        label: [LABELS.runId, ...(options.instanceId ? [`${LABELS.instanceId}=${options.instanceId}`] : [])],
        event: ['create', 'start', 'die', 'oom'],
      },
    })) as Readable;
    current = stream;
    // close() may have run while the request was in flight.
    if (stopped.signal.aborted) stream.destroy();
    await readLines(stream, dispatch);
  };

  const loop = (async () => {
    while (!stopped.signal.aborted) {
      try {
        await subscribe();
      } catch (err) {
        if (!stopped.signal.aborted) onError(err);
      }
      if (stopped.signal.aborted) break;
      await sleep(reconnectDelayMs, undefined, { signal: stopped.signal }).catch(() => undefined);
    }
  })();

  return {
    async close() {
      stopped.abort();
      current?.destroy();
      await loop;
      await Promise.all(queues.values());
    },
  };
}

/**
 * Feeds each complete line of a newline-delimited stream to `onLine`, however the chunks
 * split lines (or UTF-8 characters). Resolves when the stream ends or closes, rejects on error.
 */
export function readLines(stream: Readable, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLine(line);
    });
    stream.once('error', reject);
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}
