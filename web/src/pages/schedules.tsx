/**
 * Schedules: create one in a time zone with its expression checked as it is typed and the next
 * slots shown before saving, local time and offset, the slots daylight saving skips flagged
 * (POST /schedules/preview); its catch-up policy; suspend, resume, delete; the ledger of its slots.
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

/** The API's preview of a schedule's next slots (SchedulePreview). */
type Preview = { times: string[]; timeZone: string; slots: { time?: string; localTime?: string; repeatedOnce?: true; skipped?: true; wallClock?: string }[] };

const CATCH_UP_TEXT: Record<string, string> = { none: 'recorded', latest: 'the latest runs', all: 'all run (bounded)' };

/** One slot: its local time with the zone's offset, or the wall-clock time daylight saving skips. */
function SlotText({ slot }: { slot: Preview['slots'][number] }) {
  if (slot.skipped) return <span className="muted">{slot.wallClock?.replace('T', ' ')} skipped (the clocks go forward)</span>;
  return (
    <>
      <time dateTime={slot.time}>{slot.localTime?.replace('T', ' ')}</time>
      {slot.repeatedOnce && <span className="muted"> (occurs twice: fires once)</span>}
    </>
  );
}

function NewSchedule({ apps, onCreated }: { apps: App[]; onCreated: () => void }) {
  const [appId, setAppId] = useState('');
  const [expression, setExpression] = useState('rate(5 minutes)');
  const [timeZone, setTimeZone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [catchUp, setCatchUp] = useState('none');
  const [overlapPolicy, setOverlapPolicy] = useState('Allow');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>();
  const checked = useDebounced(`${timeZone}\n${expression}`, 250);
  const preview = useLoad(
    (signal) => {
      const [zone, typed] = checked.split('\n') as [string, string];
      return typed.trim()
        ? post<Preview>('/schedules/preview', { expression: typed, timeZone: zone, count: 5 }).then((r) => (signal.aborted ? undefined : r))
        : Promise.resolve(undefined);
    },
    [checked],
  );
  const expressionErrors = preview.error instanceof ApiError ? preview.error.fieldErrors('expression') : preview.error ? [String(preview.error)] : undefined;
  const zoneErrors = preview.error instanceof ApiError ? preview.error.fieldErrors('timeZone') : undefined;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    try {
      await post(`/apps/${appId}/schedules`, { expression, timeZone, catchUp: { policy: catchUp }, overlapPolicy, ...(description && { description }) });
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
            label="Expression"
            hint="cron(min hour day-of-month month day-of-week year), rate(5 minutes) or at(2027-01-15T09:30:00), as EventBridge Scheduler"
            errors={expressionErrors ?? errorsOf('expression')}
          >
            <input id="expression" className="mono" value={expression} onChange={(e) => setExpression(e.target.value)} aria-describedby="next-times" />
          </Field>
          <Field id="time-zone" label="Time zone (IANA)" errors={zoneErrors?.length ? zoneErrors : errorsOf('timeZone')}>
            <input id="time-zone" value={timeZone} onChange={(e) => setTimeZone(e.target.value)} />
          </Field>
          <Field id="catch-up" label="Slots missed while down">
            <select id="catch-up" value={catchUp} onChange={(e) => setCatchUp(e.target.value)}>
              <option value="none">record them</option>
              <option value="latest">run the latest</option>
              <option value="all">run them all (up to 10)</option>
            </select>
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
              <p>Next fire times ({preview.data.timeZone}):</p>
              <ol>
                {preview.data.slots.map((slot) => (
                  <li key={slot.time ?? slot.wallClock}>
                    <SlotText slot={slot} />
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
    () =>
      schedule.enabled
        ? get<Preview>(`/schedules/${schedule.scheduleId}/next?count=3`)
        : Promise.resolve({ times: [], slots: [], timeZone: schedule.timeZone }),
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
        {schedule.enabled ? 'Enabled' : 'Suspended'} · {schedule.timeZone} · overlap {schedule.overlapPolicy} · missed slots:{' '}
        {CATCH_UP_TEXT[schedule.catchUp.policy]}
        {schedule.description && ` · ${schedule.description}`}
        {schedule.disabledReason && ` · disabled: ${schedule.disabledReason}`}
      </p>
      {schedule.enabled && next.data && (
        <p>
          Next:{' '}
          {next.data.slots.length
            ? next.data.slots.map((slot, i) => (
                <span key={slot.time ?? slot.wallClock}>
                  {i > 0 && ' · '}
                  <SlotText slot={slot} />
                </span>
              ))
            : 'never'}
        </p>
      )}
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
                {fire.caughtUp && <span className="muted"> · caught up</span>}
                {(fire.deliveries ?? 1) > 1 && <span className="muted"> · {(fire.deliveries ?? 1) - 1} duplicate fire(s) ignored</span>}
                {fire.replacedRunIds?.length ? <span className="muted"> · stopped {fire.replacedRunIds.length} run(s)</span> : null}
                {fire.outcome === 'LAUNCH_FAILED' && fire.reason && <span className="muted"> · {fire.reason}</span>}
              </li>
            ))}
          </ul>
        ))}
    </li>
  );
}
