/**
 * Runs: the history across apps, newest first, with the API's filters (app, status, from, to)
 * in the URL and its cursor paging (previous pages remembered), refreshed every few seconds. An array job's children
 * are listed beside their parent (the API's order), each with its index and a link to the parent.
 */
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { all, get, query } from '../api/client.js';
import type { App, Page, Run } from '../api/types.js';
import { ArrayPlace } from '../ui/array-job.js';
import { formatDuration, formatTime, runElapsedMs } from '../ui/format.js';
import { useLoad, useNow } from '../ui/hooks.js';
import { AppSelect, ErrorNote, Loading, PageTitle, Status } from '../ui/parts.js';

const STATUSES = ['', 'PENDING', 'PROVISIONING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT'];
const PAGE_SIZE = 50;
const REFRESH_MS = 3000;

/** A datetime-local value as ISO 8601 (the browser's time zone), or undefined. */
const isoOf = (local: string | null) => (local ? new Date(local).toISOString() : undefined);

export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const filters = {
    appId: params.get('appId') ?? undefined,
    status: params.get('status') ?? undefined,
    from: isoOf(params.get('from')),
    to: isoOf(params.get('to')),
  };
  const apps = useLoad(() => all<App>('/apps'), []);
  const runs = useLoad((signal) => get<Page<Run>>(`/runs${query({ ...filters, cursor, limit: PAGE_SIZE })}`, signal), [params.toString(), cursor], {
    pollMs: REFRESH_MS,
  });
  const now = useNow();

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
    setCursors([undefined]);
  };

  return (
    <>
      <PageTitle>Runs</PageTitle>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filters">
        <AppSelect
          id="filter-app"
          label="App"
          apps={apps.data ?? []}
          value={filters.appId ?? ''}
          none="all apps"
          onChange={(appId) => setFilter('appId', appId)}
        />
        <div className="field">
          <label htmlFor="filter-status">Status</label>
          <select id="filter-status" value={filters.status ?? ''} onChange={(e) => setFilter('status', e.target.value)}>
            {STATUSES.map((status) => (
              <option key={status} value={status}>
                {status || 'any status'}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="filter-from">From</label>
          <input id="filter-from" type="datetime-local" value={params.get('from') ?? ''} onChange={(e) => setFilter('from', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="filter-to">To</label>
          <input id="filter-to" type="datetime-local" value={params.get('to') ?? ''} onChange={(e) => setFilter('to', e.target.value)} />
        </div>
      </form>
      <ErrorNote error={runs.error} />
      {!runs.data ? (
        <Loading />
      ) : (
        <>
          <div className="table-wrap">
            <table data-testid="runs-table">
              <caption className="sr-only">Runs, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">App</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Array job</th>
                  <th scope="col">Started</th>
                  <th scope="col">Duration</th>
                  <th scope="col">Exit code</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.items.map((run) => (
                  <tr key={run.runId}>
                    <td>
                      <Link to={`/runs/${run.runId}`} aria-label={`${run.appName} run ${run.runId}: ${run.status}`}>
                        <Status value={run.status} />
                      </Link>
                    </td>
                    <td>{run.appName}</td>
                    <td>
                      {run.trigger}
                      {run.attempt > 1 ? ` (attempt ${run.attempt})` : ''}
                    </td>
                    <td>
                      <ArrayPlace run={run} />
                    </td>
                    <td>{formatTime(run.startedAt ?? run.createdAt)}</td>
                    <td>{formatDuration(runElapsedMs(run, now))}</td>
                    <td>{run.exitCode ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {runs.data.items.length === 0 && <p className="muted">No runs{cursors.length > 1 ? ' on this page' : ''}.</p>}
          <nav className="pager" aria-label="Pages">
            <button type="button" className="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Previous page
            </button>
            <span className="muted">Page {cursors.length}</span>
            <button type="button" className="secondary" disabled={!runs.data.nextCursor} onClick={() => setCursors([...cursors, runs.data!.nextCursor])}>
              Next page
            </button>
          </nav>
        </>
      )}
    </>
  );
}
