/**
 * Schedules: create one with its expression checked as it is typed and the next fire times shown
 * before saving (POST /schedules/preview); suspend, resume, delete; what each fire did.
 */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { ApiError, all, del, get, patch, post } from '../api/client.js';
import type { App, Page, Schedule, ScheduleFire } from '../api/types.js';
import { formatTime } from '../ui/format.js';
import { useDebounced, useLoad } from '../ui/hooks.js';
import { AppSelect, ErrorNote, Field, Loading, PageTitle, Status } from '../ui/parts.js';

const POLICIES = ['Allow', 'Forbid', 'Replace'];

export function SchedulesPage() {
  const schedules = useLoad(() => all<Schedule>('/schedules'), []);
  const apps = useLoad(() => all<App>('/apps'), []);
  const appName = (appId: string) => apps.data?.find((app) => app.appId === appId)?.name ?? appId;
  return (
    <>
      <PageTitle>Schedules</PageTitle>
      <NewSchedule apps={apps.data ?? []} onCreated={() => void schedules.reload()} />
      <section aria-labelledby="list">
        <h2 id="list">Your schedules</h2>
        <ErrorNote error={schedules.error} />
        {!schedules.data ? (
          <Loading />
        ) : schedules.data.length === 0 ? (
          <p className="muted">No schedules yet.</p>
        ) : (
          <ul className="cards">
            {schedules.data.map((schedule) => (
              <ScheduleCard key={schedule.scheduleId} schedule={schedule} appName={appName(schedule.appId)} onChange={() => void schedules.reload()} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function NewSchedule({ apps, onCreated }: { apps: App[]; onCreated: () => void }) {
  const [appId, setAppId] = useState('');
  const [expression, setExpression] = useState('rate(5 minutes)');
  const [overlapPolicy, setOverlapPolicy] = useState('Allow');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>();
  const checked = useDebounced(expression, 250);
  const preview = useLoad(
    (signal) =>
      checked.trim()
        ? post<{ times: string[] }>('/schedules/preview', { expression: checked, count: 5 }).then((r) => (signal.aborted ? undefined : r))
        : Promise.resolve(undefined),
    [checked],
  );
  const expressionErrors = preview.error instanceof ApiError ? preview.error.fieldErrors('expression') : preview.error ? [String(preview.error)] : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    try {
      await post(`/apps/${appId}/schedules`, { expression, overlapPolicy, ...(description && { description }) });
      setDescription('');
      onCreated();
    } catch (err) {
      setError(err);
    }
  }
  const errorsOf = (field: string) => (error instanceof ApiError ? error.fieldErrors(field) : undefined);
  return (
    <section aria-labelledby="new">
      <h2 id="new">New schedule</h2>
      <form onSubmit={submit} noValidate>
        <div className="row">
          <AppSelect id="schedule-app" label="App" apps={apps} value={appId} none="choose an app…" onChange={setAppId} />
          <Field
            id="expression"
            label="Expression (UTC)"
            hint="cron(min hour day-of-month month day-of-week year) or rate(5 minutes), as EventBridge"
            errors={expressionErrors ?? errorsOf('expression')}
          >
            <input id="expression" className="mono" value={expression} onChange={(e) => setExpression(e.target.value)} aria-describedby="next-times" />
          </Field>
          <Field id="overlap" label="While a run of it is active">
            <select id="overlap" value={overlapPolicy} onChange={(e) => setOverlapPolicy(e.target.value)}>
              {POLICIES.map((policy) => (
                <option key={policy} value={policy}>
                  {policy}
                </option>
              ))}
            </select>
          </Field>
          <Field id="schedule-description" label="Description" errors={errorsOf('description')}>
            <input id="schedule-description" value={description} onChange={(e) => setDescription(e.target.value)} />
          </Field>
        </div>
        <div id="next-times" aria-live="polite" data-testid="next-times">
          {preview.data && (
            <>
              <p>Next fire times (your time zone):</p>
              <ol>
                {preview.data.times.map((time) => (
                  <li key={time}>
                    <time dateTime={time}>{formatTime(time)}</time>
                  </li>
                ))}
              </ol>
            </>
          )}
        </div>
        {!(error instanceof ApiError && error.problem.errors?.length) && <ErrorNote error={error} />}
        <button type="submit" disabled={!appId || !!expressionErrors?.length}>
          Create schedule
        </button>
      </form>
    </section>
  );
}

function ScheduleCard({ schedule, appName, onChange }: { schedule: Schedule; appName: string; onChange: () => void }) {
  const [showFires, setShowFires] = useState(false);
  const [error, setError] = useState<unknown>();
  const next = useLoad(
    () => (schedule.enabled ? get<{ times: string[] }>(`/schedules/${schedule.scheduleId}/next?count=3`) : Promise.resolve({ times: [] })),
    [schedule.scheduleId, schedule.enabled],
  );
  const fires = useLoad(
    () => (showFires ? get<Page<ScheduleFire>>(`/schedules/${schedule.scheduleId}/fires?limit=20`) : Promise.resolve(undefined)),
    [schedule.scheduleId, showFires],
  );
  const act = (work: () => Promise<unknown>) => async () => {
    setError(undefined);
    try {
      await work();
      onChange();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <li className="card" data-testid="schedule">
      <h3>
        <Link to={`/apps/${schedule.appId}`}>{appName}</Link> <code>{schedule.expression}</code> <Status value={schedule.enabled ? 'RUNNING' : 'STOPPED'} />
        <span className="sr-only">{schedule.enabled ? 'enabled' : 'suspended'}</span>
      </h3>
      <p className="muted">
        {schedule.enabled ? 'Enabled' : 'Suspended'} · overlap {schedule.overlapPolicy}
        {schedule.description && ` · ${schedule.description}`}
        {schedule.disabledReason && ` · disabled: ${schedule.disabledReason}`}
      </p>
      {schedule.enabled && next.data && <p>Next: {next.data.times.map((time) => formatTime(time)).join(' · ') || 'never'}</p>}
      <div className="actions">
        <button type="button" className="secondary" onClick={act(() => patch(`/schedules/${schedule.scheduleId}`, { enabled: !schedule.enabled }))}>
          {schedule.enabled ? 'Suspend' : 'Resume'}
        </button>
        <button type="button" className="secondary" aria-expanded={showFires} onClick={() => setShowFires(!showFires)}>
          Fires
        </button>
        <button type="button" className="danger" onClick={act(() => del(`/schedules/${schedule.scheduleId}`))}>
          Delete
        </button>
      </div>
      <ErrorNote error={error} />
      {showFires &&
        fires.data &&
        (fires.data.items.length === 0 ? (
          <p className="muted">It has not fired yet.</p>
        ) : (
          <ul className="plain">
            {fires.data.items.map((fire) => (
              <li key={fire.scheduledTime}>
                {formatTime(fire.scheduledTime)} <Status value={fire.outcome} />{' '}
                {fire.runId ? <Link to={`/runs/${fire.runId}`}>its run</Link> : <span className="muted">{fire.reason}</span>}
              </li>
            ))}
          </ul>
        ))}
    </li>
  );
}
