/**
 * What a replay runs (pure rules): the old run's exact content — the image digest, not its tag;
 * the command or script (the app version's), the env and the sidecars as launched — as a fresh
 * manual run that says what it replays. RunService.replay applies them.
 */
import type { Run } from '../domain.js';

/**
 * The reference that names exactly `digest` of `image`'s repository (`repository@digest`), for a
 * backend that pulls by digest (ECS); a reference with a tag or digest loses them first.
 */
export function pinnedReference(image: string, digest: string): string {
  const withoutDigest = image.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return `${colon === -1 ? withoutDigest : withoutDigest.slice(0, colon)}@${digest}`;
}

/**
 * The new run replaying `old`: its task spec, command, env, sidecars and app version, its image
 * pinned to `image` (the digest it ran), PENDING, first attempt, no schedule (a replay is started
 * by hand), `replayOf` the old run.
 */
export function replayRun(old: Run, image: string, ids: { runId: string; createdAt: string }): Run {
  const {
    nextRunId: _next,
    previousRunId: _previous,
    taskRef: _taskRef,
    launchedAt: _launchedAt,
    launchRetry: _launchRetry,
    exitCode: _exitCode,
    stoppedReason: _stoppedReason,
    stopRequest: _stopRequest,
    startedAt: _startedAt,
    stoppedAt: _stoppedAt,
    durationMs: _durationMs,
    result: _result,
    resultAt: _resultAt,
    resultId: _resultId,
    resultMetrics: _resultMetrics,
    containers: _containers,
    scheduleId: _scheduleId,
    scheduledTime: _scheduledTime,
    replayOf: _replayOf,
    // A replay of an array job's child is a run of its own, outside the array (its parent has ended).
    parentRunId: _parentRunId,
    arrayProperties: _arrayProperties,
    ...spec
  } = old;
  return {
    ...spec,
    runId: ids.runId,
    image,
    status: 'PENDING',
    trigger: 'replay',
    attempt: 1,
    replayOf: old.runId,
    createdAt: ids.createdAt,
    history: [{ status: 'PENDING', at: ids.createdAt }],
  };
}
