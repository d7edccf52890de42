/**
 * Metrics: one app's metric across its runs (GET /apps/{appId}/metrics), drawn with Chart.js,
 * with the same points as a table for those who do not read charts. The metric names offered are
 * the numeric fields of the app's recent results (the last result of each of its newest runs that posted one).
 */
import { CategoryScale, Chart as ChartJS, Legend, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useState } from 'react';
import { Line } from 'react-chartjs-2';
import { Link, useSearchParams } from 'react-router';
import { all, get, query } from '../api/client.js';
import type { App, MetricPoint, Page, Run } from '../api/types.js';
import { formatTime } from '../ui/format.js';
import { useLoad } from '../ui/hooks.js';
import { AppSelect, ErrorNote, Loading, PageTitle } from '../ui/parts.js';

ChartJS.register(CategoryScale, LinearScale, PointElement, LineElement, Tooltip, Legend);

/** Results read at most (the newest runs that posted one) to offer their metric names. */
const RESULTS_READ = 10;

/** Points drawn at most (the newest). */
const MAX_POINTS = 5000;

export function MetricsPage() {
  const [params, setParams] = useSearchParams();
  const appId = params.get('appId') ?? '';
  const apps = useLoad(() => all<App>('/apps'), []);
  const names = useLoad(async () => {
    if (!appId) return [];
    const runs = await get<Page<Run>>(`/runs${query({ appId, limit: 50 })}`);
    // Listings carry when a run posted (resultAt), not what: the result is read from the newest runs that posted one.
    const posted = runs.items.filter((run) => run.resultAt).slice(0, RESULTS_READ);
    const found = new Set<string>();
    for (const run of await Promise.all(posted.map((r) => get<Run>(`/runs/${r.runId}`))))
      for (const [key, value] of Object.entries(run.result ?? {})) if (typeof value === 'number') found.add(key);
    return [...found].sort();
  }, [appId]);
  const [name, setName] = useState(params.get('name') ?? '');
  useEffect(() => {
    if (!name && names.data?.length) setName(names.data[0]!);
  }, [names.data, name]);
  const points = useLoad(() => (appId && name ? all<MetricPoint>(`/apps/${appId}/metrics${query({ name })}`, MAX_POINTS) : Promise.resolve([])), [appId, name]);

  const choose = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <>
      <PageTitle>Metrics</PageTitle>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Choose a metric">
        <AppSelect
          id="metric-app"
          label="App"
          apps={apps.data ?? []}
          value={appId}
          none="choose an app…"
          onChange={(id) => {
            setName('');
            choose('appId', id);
          }}
        />
        <div className="field">
          <label htmlFor="metric-name">Metric</label>
          <input id="metric-name" list="metric-names" value={name} onChange={(e) => setName(e.target.value)} />
          <datalist id="metric-names">
            {names.data?.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </div>
      </form>
      <ErrorNote error={points.error ?? names.error} />
      {!appId ? (
        <p className="muted">Choose an app: its jobs' results (numeric fields) are its metrics.</p>
      ) : !points.data ? (
        <Loading />
      ) : points.data.length === 0 ? (
        <p className="muted">No points for {name || 'this metric'} yet.</p>
      ) : (
        <>
          <div className="chart">
            <Line
              aria-label={`${name} across runs: ${points.data.length} points, last ${points.data[points.data.length - 1]!.value}`}
              role="img"
              data={{
                labels: points.data.map((point) => formatTime(point.time)),
                datasets: [{ label: name, data: points.data.map((point) => point.value), borderColor: '#1f5fa8', backgroundColor: '#1f5fa8', tension: 0.2 }],
              }}
              options={{ responsive: true, maintainAspectRatio: false, animation: false, scales: { x: { ticks: { maxTicksLimit: 8 } } } }}
            />
          </div>
          <details>
            <summary>The points as a table</summary>
            <div className="table-wrap">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Time</th>
                    <th scope="col">{name}</th>
                    <th scope="col">Run</th>
                  </tr>
                </thead>
                <tbody>
                  {points.data.map((point) => (
                    <tr key={point.time + point.runId}>
                      <td>{formatTime(point.time)}</td>
                      <td>{point.value}</td>
                      <td>
                        <Link to={`/runs/${point.runId}`}>{point.runId}</Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </>
  );
}
