/** The pure rules of alerts: run conditions, failure streaks, p95, retries, the replay window, delivery ids, bodies. */
import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { AlertCreate } from '../../shared/alert-schemas.js';
import {
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  deliveryIdOf,
  failureStreak,
  inReplayWindow,
  isDeliveryId,
  isLongRun,
  nextAttemptAt,
  occurrence,
  p95,
  raisesRunAlerts,
  runCondition,
  summaryOf,
  webhookBody,
} from '../../shared/rules/alert-rules.js';
import { newWebhookSecret, signedHeaders } from '../../shared/webhooks/webhook-sender.js';

const runs = (...statuses: string[]) => statuses.map((status, i) => ({ runId: `r${statuses.length - i}`, status }) as never);

describe('alert rules', () => {
  it('tells RUN_FAILED from LAUNCH_FAILED by whether the run started, and RUN_TIMED_OUT', () => {
    expect(runCondition({ status: 'FAILED', startedAt: '2026-01-01T00:00:00Z' })).toBe('RUN_FAILED');
    expect(runCondition({ status: 'FAILED' })).toBe('LAUNCH_FAILED');
    expect(runCondition({ status: 'TIMED_OUT', startedAt: 'x' })).toBe('RUN_TIMED_OUT');
    expect(runCondition({ status: 'SUCCEEDED', startedAt: 'x' })).toBeUndefined();
    expect(runCondition({ status: 'STOPPED', startedAt: 'x' })).toBeUndefined();
  });

  it('measures the failure streak ending at the newest run, named by its first failure; STOPPED and unfinished runs are skipped', () => {
    expect(failureStreak(runs('FAILED', 'TIMED_OUT', 'STOPPED', 'FAILED', 'SUCCEEDED', 'FAILED'))).toEqual({ length: 3, firstRunId: 'r3', complete: true });
    expect(failureStreak(runs('RUNNING', 'FAILED', 'FAILED'))).toEqual({ length: 2, firstRunId: 'r1', complete: false });
    expect(failureStreak(runs('SUCCEEDED', 'FAILED'))).toEqual({ length: 0, firstRunId: undefined, complete: true });
    // The next failure of the same streak names the same first run: the same delivery id, one alert.
    const before = failureStreak(runs('FAILED', 'FAILED', 'SUCCEEDED'));
    const after = failureStreak([{ runId: 'r9', status: 'FAILED' } as never, ...runs('FAILED', 'FAILED', 'SUCCEEDED')]);
    expect(after.firstRunId).toBe(before.firstRunId);
    expect(deliveryIdOf('a1', occurrence.streak('app', after.firstRunId!))).toBe(deliveryIdOf('a1', occurrence.streak('app', before.firstRunId!)));
  });

  it('counts an array once, by its parent: its children neither count towards a streak nor break it, nor raise run alerts', () => {
    const child = (status: string) => ({ runId: `p-${status}`, status, parentRunId: 'p' }) as never;
    expect(failureStreak([{ runId: 'p', status: 'FAILED' } as never, child('FAILED'), child('SUCCEEDED'), ...runs('FAILED', 'SUCCEEDED')])).toEqual({
      length: 2,
      firstRunId: 'r2',
      complete: true,
    });
    expect(raisesRunAlerts({ parentRunId: 'p' })).toBe(false);
    expect(raisesRunAlerts({})).toBe(true);
  });

  it('takes the nearest-rank p95 once there are enough samples, and a run is long past factor × p95', () => {
    expect(p95([1000, 2000])).toBeUndefined();
    expect(p95([5, 1, 3])).toBe(5);
    expect(p95(Array.from({ length: 100 }, (_, i) => i + 1))).toBe(95);
    const now = new Date('2026-01-01T00:00:10Z');
    expect(isLongRun('2026-01-01T00:00:00Z', 4000, 2, now)).toBe(true);
    expect(isLongRun('2026-01-01T00:00:00Z', 5000, 2, now)).toBe(false);
  });

  it('retries on the documented schedule, then gives up; redelivers within 7 days', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    expect(nextAttemptAt(1, t0)?.toISOString()).toBe('2026-01-01T00:00:05.000Z');
    expect(nextAttemptAt(2, t0)?.toISOString()).toBe('2026-01-01T00:05:00.000Z');
    expect(nextAttemptAt(DEFAULT_RETRY_SCHEDULE_SECONDS.length + 1, t0)).toBeUndefined();
    expect(nextAttemptAt(1, t0, [1, 1])?.toISOString()).toBe('2026-01-01T00:00:01.000Z');
    expect(inReplayWindow('2026-01-01T00:00:00Z', new Date('2026-01-07T23:00:00Z'))).toBe(true);
    expect(inReplayWindow('2026-01-01T00:00:00Z', new Date('2026-01-08T01:00:00Z'))).toBe(false);
  });

  it('derives one webhook-id per rule and occurrence', () => {
    const id = deliveryIdOf('a1', occurrence.run('RUN_FAILED', 'r1'));
    expect(id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(deliveryIdOf('a1', occurrence.run('RUN_FAILED', 'r1'))).toBe(id);
    expect(deliveryIdOf('a2', occurrence.run('RUN_FAILED', 'r1'))).not.toBe(id);
    expect(deliveryIdOf('a1', occurrence.run('RUN_FAILED', 'r2'))).not.toBe(id);
    expect(isDeliveryId(id)).toBe(true);
    for (const odd of ['x'.repeat(3000), `${id}0`, id.toUpperCase(), '']) expect(isDeliveryId(odd)).toBe(false);
  });

  it('signs as Standard Webhooks specify: the library verifies what the sender signs, and refuses a changed body', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const event = { type: 'RUN_FAILED' as const, alertId: 'a1', at: '2026-01-01T00:00:00Z', appName: 'report', runId: 'r1' };
    const body = webhookBody({ ...event, summary: summaryOf(event) }, 'standard');
    const headers = signedHeaders({ secret, id: 'msg_1', body }, new Date());
    expect(headers['webhook-signature']).toMatch(/^v1,/);
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: 'RUN_FAILED', summary: 'Run of report failed (run r1)' });
    expect(() => new Webhook(secret).verify(body.replace('r1', 'r2'), headers)).toThrow();
    expect(JSON.parse(webhookBody({ ...event, summary: 'x' }, 'slack'))).toEqual({ text: ':rotating_light: x' });
  });

  it('validates rules: known conditions once each, appId or scheduleId, a URL', () => {
    const ok = AlertCreate.safeParse({ conditions: [{ type: 'FAILURE_STREAK' }], webhook: { url: 'https://hooks.example.com/x' } });
    expect(ok.success && ok.data.conditions[0]).toEqual({ type: 'FAILURE_STREAK', count: 3 });
    for (const bad of [
      { conditions: [], webhook: { url: 'https://a.example' } },
      { conditions: [{ type: 'RUN_FAILED' }, { type: 'RUN_FAILED' }], webhook: { url: 'https://a.example' } },
      { conditions: [{ type: 'NOPE' }], webhook: { url: 'https://a.example' } },
      { conditions: [{ type: 'LONG_RUN', factor: 0.5 }], webhook: { url: 'https://a.example' } },
      { appId: 'a', scheduleId: 's', conditions: [{ type: 'RUN_FAILED' }], webhook: { url: 'https://a.example' } },
      { conditions: [{ type: 'RUN_FAILED' }], webhook: { url: 'not a url' } },
      { conditions: [{ type: 'RUN_FAILED' }], webhook: { url: `https://a.example/${'x'.repeat(3000)}` } },
    ])
      expect(AlertCreate.safeParse(bad).success, JSON.stringify(bad).slice(0, 80)).toBe(false);
  });
});
