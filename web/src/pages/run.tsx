/**
 * One run: its status and result, the status timeline (every transition), each container's
 * state, the log following live while it runs, stop and kill, and the links to its retry or to
 * the run it retries. An array job's parent shows its array properties, status summary and
 * children instead of containers and a log (it has no task); a child shows its index and parent.
 */
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { followUrl } from '../api/config.js';
import { get, post } from '../api/client.js';
import { isArrayParent, isTerminal } from '../api/runs.js';
import type { Run, Transition } from '../api/types.js';
import { ArrayChildren, ArrayFacts } from '../ui/array-job.js';
import { RunCostFacts, StartRunError } from '../ui/cost.js';
import { formatDuration, formatTime, runElapsedMs } from '../ui/format.js';
import { useLoad, useNow } from '../ui/hooks.js';
import { LogView } from '../ui/log-view.js';
import { ErrorNote, Loading, PageTitle, Status } from '../ui/parts.js';

const POLL_MS = 2000;

export function RunPage() {
  const { runId } = useParams();
  const live = { pollMs: POLL_MS, poll: (run: Run | undefined) => !run || !isTerminal(run.status) };
  const run = useLoad(() => get<Run>(`/runs/${runId}`), [runId], live);
  const history = useLoad(() => get<{ history: Transition[] }>(`/runs/${runId}/history`), [runId, run.data?.status]);
  const now = useNow();
  const [grace, setGrace] = useState('10');
  const [actionError, setActionError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  if (!run.data) return run.error ? <ErrorNote error={run.error} /> : <Loading />;
  const current = run.data;
  const ended = isTerminal(current.status);
  const parent = isArrayParent(current);

  async function act(path: 'stop' | 'kill') {
    setBusy(true);
    setActionError(undefined);
    try {
      await post(`/runs/${current.runId}/${path}`, path === 'stop' ? { graceSeconds: Number(grace) } : undefined);
      await run.reload();
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  }

  const elapsed = runElapsedMs(current, now);
  return (
    <>
      <PageTitle>{`Run of ${current.appName}`}</PageTitle>
      <dl className="facts" data-testid="run-facts">
        <dt>Status</dt>
        <dd data-testid="run-status">
          <Status value={current.status} />
        </dd>
        {!parent && (
          <>
            <dt>Exit code</dt>
            <dd data-testid="run-exit-code">{current.exitCode ?? '—'}</dd>
          </>
        )}
        {current.stoppedReason && (
          <>
            <dt>Reason</dt>
            <dd>{current.stoppedReason}</dd>
          </>
        )}
        <dt>App</dt>
        <dd>
          <Link to={`/apps/${current.appId}`}>{current.appName}</Link> v{current.appVersion}
        </dd>
        <ArrayFacts run={current} />
        <dt>Trigger</dt>
        <dd>
          {current.trigger}, attempt {current.attempt} of {current.retry.maxAttempts}
        </dd>
        <dt>{ended ? 'Duration' : 'Elapsed'}</dt>
        <dd>{formatDuration(elapsed)}</dd>
        <dt>Image</dt>
        <dd className="mono">{current.image}</dd>
        {current.replayOf && (
          <>
            <dt>Replays</dt>
            <dd>
              <Link to={`/runs/${current.replayOf}`}>the run it replays</Link>
            </dd>
          </>
        )}
        <RunCostFacts run={current} />
        {current.previousRunId && (
          <>
            <dt>Retries</dt>
            <dd>
              <Link to={`/runs/${current.previousRunId}`}>the run before this attempt</Link>
            </dd>
          </>
        )}
        {current.nextRunId && (
          <>
            <dt>Retried by</dt>
            <dd>
              <Link to={`/runs/${current.nextRunId}`}>the next attempt</Link>
            </dd>
          </>
        )}
      </dl>
      {!ended && (
        <section aria-labelledby="control" className="control">
          <h2 id="control">Stop it</h2>
          <div className="actions">
            <div className="field inline">
              <label htmlFor="grace">Grace (s) before SIGKILL</label>
              <input id="grace" inputMode="numeric" size={4} value={grace} onChange={(e) => setGrace(e.target.value)} />
            </div>
            <button type="button" className="secondary" disabled={busy} onClick={() => act('stop')}>
              Stop (SIGTERM)
            </button>
            <button type="button" className="danger" disabled={busy} onClick={() => act('kill')}>
              Kill (SIGKILL now)
            </button>
          </div>
          <ErrorNote error={actionError} />
        </section>
      )}
      {ended && current.startedAt && !parent && <Replay run={current} />}
      {parent && <ArrayChildren parent={current} />}
      <div className="columns">
        <section aria-labelledby="timeline">
          <h2 id="timeline">Timeline</h2>
          <ol className="timeline" data-testid="timeline">
            {history.data?.history.map((step) => (
              <li key={step.status + step.at}>
                <Status value={step.status} /> <time dateTime={step.at}>{formatTime(step.at)}</time>
                {step.exitCode !== undefined && <span> exit code {step.exitCode}</span>}
                {step.reason && <span className="muted"> {step.reason}</span>}
              </li>
            ))}
          </ol>
        </section>
        {!parent && (
          <section aria-labelledby="containers">
            <h2 id="containers">Containers</h2>
            {current.containers?.length ? (
              <ul className="plain">
                {current.containers.map((container) => (
                  <li key={container.name}>
                    <strong>{container.name}</strong> {container.lastStatus}
                    {container.healthStatus && `, ${container.healthStatus}`}
                    {container.exitCode !== undefined && `, exit code ${container.exitCode}`}
                    {container.reason && <span className="muted"> {container.reason}</span>}
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">One container, app: {current.status}</p>
            )}
            {current.result && (
              <>
                <h2>Result</h2>
                <pre className="code" data-testid="run-result">
                  {JSON.stringify(current.result, null, 2)}
                </pre>
              </>
            )}
          </section>
        )}
      </div>
      {!parent && (
        <section aria-labelledby="logs">
          <h2 id="logs">Logs</h2>
          <LogView
            url={`${followUrl()}/runs/${current.runId}/logs`}
            label={`Log of the run of ${current.appName}`}
            containers={current.containers?.map((container) => container.name)}
            onEnd={() => void run.reload()}
          />
        </section>
      )}
    </>
  );
}

/** Replay: a new run with exactly what this one ran (its image digest, command, env, sidecars); goes to the new run. */
function Replay({ run }: { run: Run }) {
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  async function replay() {
    setBusy(true);
    setError(undefined);
    try {
      const started = await post<Run>(`/runs/${run.runId}/replay`);
      navigate(`/runs/${started.runId}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <section aria-labelledby="replay" className="control">
      <h2 id="replay">Replay</h2>
      <p className="muted">
        A new run with exactly what this one ran: the image by its digest{run.imageDigest ? ` (${run.imageDigest.slice(0, 19)}…)` : ''}, not its tag.
      </p>
      <StartRunError error={error} />
      <button type="button" disabled={busy} onClick={() => void replay()}>
        Replay this run
      </button>
    </section>
  );
}
