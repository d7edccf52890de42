/**
 * Alerts: the account's alert rules (what each watches, its conditions, its webhook, muted or
 * not), a test send and a mute per rule, and a rule's delivery log with every attempt.
 */
import { useState } from 'react';
import { all, patch, post } from '../api/client.js';
import type { Alert, AlertDelivery } from '../../../shared/alert-schemas.js';
import { formatTime } from '../ui/format.js';
import { useLoad, useSubmit } from '../ui/hooks.js';
import { ErrorNote, Loading, PageTitle, Status } from '../ui/parts.js';

const HOUR = 3_600_000;

const isMuted = (alert: Alert) => alert.mutedUntil !== undefined && Date.parse(alert.mutedUntil) > Date.now();

/** A condition with its parameter, as the rule was written (`FAILURE_STREAK 3`). */
const conditionText = (c: Alert['conditions'][number]) =>
  c.type === 'FAILURE_STREAK'
    ? `${c.type} ${c.count}`
    : c.type === 'MISSED_SLOT'
      ? `${c.type} ${c.graceSeconds} s`
      : c.type === 'LONG_RUN'
        ? `${c.type} ×${c.factor}`
        : c.type;

function Deliveries({ alertId }: { alertId: string }) {
  const { data, error } = useLoad(() => all<AlertDelivery>(`/alerts/${alertId}/deliveries`, 100), [alertId], { pollMs: 5000, poll: () => true });
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading />;
  if (!data.length) return <p className="muted">No alert sent yet.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption>Delivery log</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Alert</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.deliveryId}>
              <td>{formatTime(d.createdAt)}</td>
              <td>
                <strong>{d.event.type}</strong> {d.event.summary}
              </td>
              <td>
                <Status value={d.status} />
              </td>
              <td className="mono">
                {d.attempts.map((a) => `#${a.attempt} ${a.statusCode ?? a.error ?? ''}`).join(', ') || '—'}
                {d.nextAttemptAt && <span className="muted"> next {formatTime(d.nextAttemptAt)}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RuleRow({ alert, onChange, open, onOpen }: { alert: Alert; onChange: () => Promise<void>; open: boolean; onOpen: () => void }) {
  const [result, setResult] = useState<string>();
  const test = useSubmit(async () => {
    const delivery = await post<AlertDelivery>(`/alerts/${alert.alertId}/test`);
    const attempt = delivery.attempts.at(-1);
    setResult(`${delivery.status}${attempt?.statusCode ? ` (${attempt.statusCode})` : attempt?.error ? `: ${attempt.error}` : ''}`);
  });
  const mute = useSubmit(async () => {
    await patch(`/alerts/${alert.alertId}`, { mutedUntil: isMuted(alert) ? null : new Date(Date.now() + HOUR).toISOString() });
    await onChange();
  });
  return (
    <>
      <tr>
        <td>{alert.name ?? alert.alertId}</td>
        <td>{alert.scheduleId ? `schedule ${alert.scheduleId}` : alert.appId ? `app ${alert.appId}` : 'all apps'}</td>
        <td>{alert.conditions.map(conditionText).join(', ')}</td>
        <td className="mono">
          {alert.webhook.url}
          {alert.webhook.format === 'slack' && ' (Slack)'}
        </td>
        <td>{!alert.enabled ? 'disabled' : isMuted(alert) ? `muted until ${formatTime(alert.mutedUntil!)}` : 'on'}</td>
        <td>
          <button type="button" onClick={() => test.submit()} disabled={test.busy}>
            Send test
          </button>{' '}
          <button type="button" onClick={() => mute.submit()} disabled={mute.busy}>
            {isMuted(alert) ? 'Unmute' : 'Mute 1 h'}
          </button>{' '}
          <button type="button" aria-expanded={open} onClick={onOpen}>
            Deliveries
          </button>
          {result && <span role="status"> {result}</span>}
          <ErrorNote error={test.error ?? mute.error} />
        </td>
      </tr>
      {open && (
        <tr>
          <td colSpan={6}>
            <Deliveries alertId={alert.alertId} />
          </td>
        </tr>
      )}
    </>
  );
}

export function AlertsPage() {
  const { data, error, reload } = useLoad(() => all<Alert>('/alerts'), []);
  const [open, setOpen] = useState<string>();
  return (
    <>
      <PageTitle>Alerts</PageTitle>
      <p className="muted">
        Rules are created with <code>POST /alerts</code> or <code>containerizer alerts create</code> (the signing secret is shown once, there).
      </p>
      <ErrorNote error={error} />
      {!data ? (
        <Loading />
      ) : data.length === 0 ? (
        <p className="muted">No alert rules yet.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Rule</th>
                <th scope="col">Watches</th>
                <th scope="col">Conditions</th>
                <th scope="col">Webhook</th>
                <th scope="col">State</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.map((alert) => (
                <RuleRow
                  key={alert.alertId}
                  alert={alert}
                  onChange={reload}
                  open={open === alert.alertId}
                  onOpen={() => setOpen(open === alert.alertId ? undefined : alert.alertId)}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
