/**
 * Costs: what finished runs cost (GET /costs), summed per app, schedule or owner and per UTC day or
 * month, as a stacked bar chart (Chart.js) and the same figures as a table; the monthly budget
 * when the deployment sets one. Dev mode's figures are what the same runs would cost on Fargate.
 */
import { BarElement, CategoryScale, Chart as ChartJS, Legend, LinearScale, Tooltip } from 'chart.js';
import { Bar } from 'react-chartjs-2';
import { Link, useSearchParams } from 'react-router';
import type { CostReport } from '../../../shared/schemas.js';
import { all, get, query } from '../api/client.js';
import type { App } from '../api/types.js';
import { formatUsd } from '../ui/cost.js';
import { useLoad } from '../ui/hooks.js';
import { AppSelect, ErrorNote, Loading, PageTitle } from '../ui/parts.js';

ChartJS.register(BarElement, CategoryScale, LinearScale, Tooltip, Legend);

/** Series drawn at most: the costliest keys; the rest are summed as "others". */
const MAX_SERIES = 8;
const COLOURS = ['#1f5fa8', '#c0392b', '#27ae60', '#8e44ad', '#d35400', '#16a085', '#7f8c8d', '#2c3e50', '#b7950b'];

/** A `YYYY-MM-DD` date field's value as the start (or, with `end`, the last ms) of that UTC day. */
function dayBound(value: string, end = false): string | undefined {
  return value ? `${value}T${end ? '23:59:59.999' : '00:00:00.000'}Z` : undefined;
}

export function CostsPage() {
  const [params, setParams] = useSearchParams();
  const groupBy = (params.get('groupBy') ?? 'app') as CostReport['groupBy'];
  const period = (params.get('period') ?? 'day') as CostReport['period'];
  const appId = params.get('appId') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const apps = useLoad(() => all<App>('/apps'), []);
  const report = useLoad(
    () => get<CostReport>(`/costs${query({ groupBy, period, appId, from: dayBound(from), to: dayBound(to, true) })}`),
    [groupBy, period, appId, from, to],
  );
  const choose = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const names = new Map((apps.data ?? []).map((app) => [app.appId, app.name]));
  const label = (key: string) => (groupBy === 'app' ? (names.get(key) ?? key) : groupBy === 'schedule' && key === '-' ? 'no schedule' : key);

  return (
    <>
      <PageTitle>Costs</PageTitle>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Choose the costs">
        <div className="field">
          <label htmlFor="cost-group">Per</label>
          <select id="cost-group" value={groupBy} onChange={(e) => choose('groupBy', e.target.value)}>
            <option value="app">app</option>
            <option value="schedule">schedule</option>
            <option value="owner">owner</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="cost-period">And per</label>
          <select id="cost-period" value={period} onChange={(e) => choose('period', e.target.value)}>
            <option value="day">day</option>
            <option value="month">month</option>
          </select>
        </div>
        <AppSelect id="cost-app" label="App" apps={apps.data ?? []} value={appId} none="every app" onChange={(id) => choose('appId', id)} />
        <div className="field">
          <label htmlFor="cost-from">From (UTC)</label>
          <input id="cost-from" type="date" value={from} onChange={(e) => choose('from', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="cost-to">To (UTC)</label>
          <input id="cost-to" type="date" value={to} onChange={(e) => choose('to', e.target.value)} />
        </div>
      </form>
      <ErrorNote error={report.error} />
      {report.data ? <Report report={report.data} label={label} /> : !report.error && <Loading />}
    </>
  );
}

function Report({ report, label }: { report: CostReport; label: (key: string) => string }) {
  const periods = [...new Set(report.lines.map((line) => line.period))].sort();
  const byKey = new Map<string, number>();
  for (const line of report.lines) byKey.set(line.key, (byKey.get(line.key) ?? 0) + line.totalUsd);
  const keys = [...byKey.keys()].sort((a, b) => byKey.get(b)! - byKey.get(a)!);
  const shown = keys.slice(0, MAX_SERIES);
  const others = keys.slice(MAX_SERIES);
  const series = (want: (key: string) => boolean) =>
    periods.map((p) => report.lines.filter((l) => l.period === p && want(l.key)).reduce((sum, l) => sum + l.totalUsd, 0));
  const datasets = shown.map((key, i) => ({ label: label(key), data: series((k) => k === key), backgroundColor: COLOURS[i] }));
  if (others.length > 0) datasets.push({ label: `${others.length} others`, data: series((k) => others.includes(k)), backgroundColor: COLOURS[MAX_SERIES]! });
  return (
    <>
      <p data-testid="cost-total">
        <strong>{formatUsd(report.totalUsd)}</strong> for the runs created from {report.from.slice(0, 10)} to {report.to.slice(0, 10)}
        {report.monthlyBudgetUsd !== undefined && <> · monthly budget {formatUsd(report.monthlyBudgetUsd)}</>}
      </p>
      {report.estimate && (
        <p className="muted" data-testid="cost-estimate">
          Dev mode: what the same runs would cost on Fargate (<a href={report.priceSource}>prices</a>).
        </p>
      )}
      {report.lines.length === 0 ? (
        <p className="muted">No finished run in this range.</p>
      ) : (
        <>
          <div className="chart">
            <Bar
              role="img"
              aria-label={`Cost per ${report.period} and ${report.groupBy}: ${formatUsd(report.totalUsd)} in all`}
              data={{ labels: periods, datasets }}
              options={{
                responsive: true,
                maintainAspectRatio: false,
                animation: false,
                scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: 'USD' } } },
              }}
            />
          </div>
          <div className="table-wrap">
            <table data-testid="cost-lines">
              <thead>
                <tr>
                  <th scope="col">{report.period === 'day' ? 'Day' : 'Month'}</th>
                  <th scope="col">{report.groupBy === 'app' ? 'App' : report.groupBy === 'schedule' ? 'Schedule' : 'Owner'}</th>
                  <th scope="col">Runs</th>
                  <th scope="col">vCPU-hours</th>
                  <th scope="col">GB-hours</th>
                  <th scope="col">USD</th>
                </tr>
              </thead>
              <tbody>
                {report.lines.map((line) => (
                  <tr key={line.period + line.key}>
                    <td>{line.period}</td>
                    <td>{report.groupBy === 'app' ? <Link to={`/apps/${line.key}`}>{label(line.key)}</Link> : label(line.key)}</td>
                    <td>{line.runs}</td>
                    <td>{line.vcpuHours.toFixed(4)}</td>
                    <td>{line.gbHours.toFixed(4)}</td>
                    <td>{formatUsd(line.totalUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
