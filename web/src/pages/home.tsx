/**
 * Home, after Cronicle's: today's runs (succeeded, failed, running, success rate), what runs now
 * with its elapsed time, the next fires of the next 24 hours with a countdown, and the latest
 * failures with their reasons.
 */
import { Link } from 'react-router';
import { all } from '../api/client.js';
import { isTerminal, nextFires, runsSince, runsWithStatus } from '../api/runs.js';
import type { App, Run } from '../api/types.js';
import { countdown, formatDuration, formatTime, startOfToday } from '../ui/format.js';
import { useLoad, useNow } from '../ui/hooks.js';
import { ErrorNote, Loading, PageTitle, Status } from '../ui/parts.js';

const DAY_MS = 86_400_000;

async function loadHome() {
  const [today, running, failures, fires, apps] = await Promise.all([
    runsSince(startOfToday()),
    runsWithStatus('RUNNING', 50, 2),
    runsWithStatus('FAILED', 5),
    nextFires(),
    all<App>('/apps'),
  ]);
  const active = new Map<string, Run>();
  for (const run of [...running, ...today.filter((run) => !isTerminal(run.status))]) active.set(run.runId, run);
  return { today, active: [...active.values()], failures, fires: fires.filter((fire) => Date.parse(fire.time) - Date.now() < DAY_MS).slice(0, 10), apps };
}

export function HomePage() {
  const { data, error } = useLoad(loadHome, [], { pollMs: 5000 });
  const now = useNow();
  if (!data) return error ? <ErrorNote error={error} /> : <Loading />;
  const count = (status: string) => data.today.filter((run) => run.status === status).length;
  const succeeded = count('SUCCEEDED');
  const failed = data.today.filter((run) => ['FAILED', 'TIMED_OUT'].includes(run.status)).length;
  const finished = data.today.filter((run) => isTerminal(run.status)).length;
  const appName = (appId: string) => data.apps.find((app) => app.appId === appId)?.name ?? appId;
  return (
    <>
      <PageTitle>Home</PageTitle>
      <ErrorNote error={error} />
      <section aria-labelledby="today">
        <h2 id="today">Today</h2>
        <dl className="tiles">
          <div>
            <dt>Succeeded</dt>
            <dd data-testid="today-succeeded">{succeeded}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd data-testid="today-failed">{failed}</dd>
          </div>
          <div>
            <dt>Running</dt>
            <dd data-testid="today-running">{data.active.length}</dd>
          </div>
          <div>
            <dt>Success rate</dt>
            <dd data-testid="today-rate">{finished ? `${Math.round((succeeded / finished) * 100)} %` : '—'}</dd>
          </div>
        </dl>
      </section>
      <div className="columns">
        <section aria-labelledby="now">
          <h2 id="now">Running now</h2>
          {data.active.length === 0 ? (
            <p className="muted">Nothing runs now.</p>
          ) : (
            <ul className="plain">
              {data.active.map((run) => (
                <li key={run.runId}>
                  <Link to={`/runs/${run.runId}`}>{run.appName}</Link> <Status value={run.status} />{' '}
                  <span className="muted">{formatDuration(now - Date.parse(run.startedAt ?? run.createdAt))}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section aria-labelledby="next">
          <h2 id="next">Next fires (24 h)</h2>
          {data.fires.length === 0 ? (
            <p className="muted">No schedule fires in the next 24 hours.</p>
          ) : (
            <ul className="plain">
              {data.fires.map(({ schedule, time }) => (
                <li key={`${schedule.scheduleId}-${time}`}>
                  <strong>{countdown(time, now)}</strong> {appName(schedule.appId)} <span className="muted">({formatTime(time)})</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section aria-labelledby="failures">
        <h2 id="failures">Latest failures</h2>
        {data.failures.length === 0 ? (
          <p className="muted">No failed runs.</p>
        ) : (
          <ul className="plain">
            {data.failures.map((run) => (
              <li key={run.runId}>
                <Link to={`/runs/${run.runId}`}>{run.appName}</Link> exit code {run.exitCode ?? '—'}{' '}
                <span className="muted">
                  {formatTime(run.stoppedAt ?? run.createdAt)}: {run.stoppedReason ?? 'no reason given'}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
