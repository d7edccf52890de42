/**
 * The cost rules (rules/cost-rules.ts) and the replay rules (rules/replay-rules.ts), table-driven: the price formula for a
 * run's cpu, memory, architecture and duration, the one-minute minimum, overrides, the cost timeout, roll-ups and pinned images.
 */
import { describe, expect, it } from 'vitest';
import type { Run } from '../../shared/domain.js';
import {
  billedSeconds,
  costLimitReason,
  costTimeoutSeconds,
  FARGATE_PRICES,
  monthStart,
  PLATFORM_SHARE,
  pricePerSecond,
  pricingOf,
  rollUp,
  runCost,
} from '../../shared/rules/cost-rules.js';
import type { CpuArchitecture } from '../../shared/aws/architecture.js';
import { pinnedReference, replayRun } from '../../shared/rules/replay-rules.js';
import { readCostSettings } from '../../shared/settings.js';
import { ConfigurationError } from '../../shared/env-reader.js';

const platformUsd = PLATFORM_SHARE.lambdaUsd + PLATFORM_SHARE.dynamodbUsd + PLATFORM_SHARE.logsUsd;

describe('runCost: the Fargate price formula', () => {
  // cpu (vCPU), memoryMiB, architecture, durationMs → billed s, and the USD written out by hand from the us-east-1 table.
  const cases: [number, number, CpuArchitecture, number, number, number][] = [
    [0.25, 512, 'X86_64', 3_000, 60, (0.25 * 0.04048 + 0.5 * 0.004445) * (60 / 3600)],
    [0.25, 512, 'X86_64', 60_000, 60, (0.25 * 0.04048 + 0.5 * 0.004445) * (60 / 3600)],
    [0.25, 512, 'X86_64', 60_001, 61, (0.25 * 0.04048 + 0.5 * 0.004445) * (61 / 3600)],
    [1, 2048, 'X86_64', 3_600_000, 3600, 1 * 0.04048 + 2 * 0.004445],
    [4, 8192, 'ARM64', 7_200_000, 7200, (4 * 0.03238 + 8 * 0.00356) * 2],
    [16, 122880, 'ARM64', 90_500, 91, (16 * 0.03238 + 120 * 0.00356) * (91 / 3600)],
  ];
  it.each(cases)('%s vCPU, %s MiB, %s, %s ms → %s s billed', (cpu, memoryMiB, architecture, durationMs, seconds, usd) => {
    const cost = runCost({ cpu, memoryMiB, durationMs, architecture }, pricingOf('us-east-1', { estimate: false }))!;
    expect(cost.billedSeconds).toBe(seconds);
    expect(cost.vcpuHours).toBeCloseTo((cpu * seconds) / 3600, 12);
    expect(cost.gbHours).toBeCloseTo(((memoryMiB / 1024) * seconds) / 3600, 12);
    expect(cost.fargateUsd).toBeCloseTo(usd, 12);
    expect(cost.totalUsd).toBeCloseTo(usd + platformUsd, 12);
    expect(cost.architecture).toBe(architecture);
  });

  it('a run that never started costs nothing (no cost)', () => {
    expect(runCost({ cpu: 1, memoryMiB: 2048, durationMs: undefined }, pricingOf('us-east-1', { estimate: true }))).toBeUndefined();
  });

  it('a run that names no architecture is priced as Fargate runs it: X86_64', () => {
    const cost = runCost({ cpu: 1, memoryMiB: 1024, durationMs: 3_600_000 }, pricingOf('us-east-1', { estimate: false }))!;
    expect(cost.architecture).toBe('X86_64');
    expect(cost.fargateUsd).toBeCloseTo(0.04048 + 0.004445, 12);
  });

  it('bills whole seconds rounded up, at least one minute', () => {
    expect([0, 1, 59_999, 60_000, 60_001, 61_000].map(billedSeconds)).toEqual([60, 60, 60, 60, 61, 61]);
  });

  it('the platform share is under a tenth of a cent per run', () => {
    expect(platformUsd).toBeGreaterThan(0);
    expect(platformUsd).toBeLessThan(0.001);
  });
});

describe('pricingOf', () => {
  it('uses the Region of the table, and says where the price comes from', () => {
    const pricing = pricingOf('us-west-2', { estimate: false });
    expect(pricing.prices).toEqual(FARGATE_PRICES['us-west-2']);
    expect(pricing.priceSource).toContain('us-west-2 Linux');
  });

  it("prices a Region missing from the table as us-east-1's, saying so", () => {
    const pricing = pricingOf('ap-south-2', { estimate: false });
    expect(pricing.prices).toEqual(FARGATE_PRICES['us-east-1']);
    expect(pricing.priceSource).toContain('no table entry for ap-south-2');
  });

  it('an override replaces the fields it gives, for every architecture', () => {
    const pricing = pricingOf('us-east-1', { override: { vcpuHour: 1 }, estimate: true });
    expect(pricing.prices).toEqual({ X86_64: { vcpuHour: 1, gbHour: 0.004445 }, ARM64: { vcpuHour: 1, gbHour: 0.00356 } });
    expect(pricing.priceSource).toContain('overridden');
    expect(pricing.estimate).toBe(true);
  });
});

describe('readCostSettings', () => {
  it('the cloud prices its own Region; dev mode estimates at us-east-1', () => {
    expect(readCostSettings({ AWS_REGION: 'us-east-2' }, 'cloud').pricing.region).toBe('us-east-2');
    expect(readCostSettings({ AWS_REGION: 'us-east-2' }, 'estimate').pricing.region).toBe('us-east-1');
    expect(readCostSettings({ COST_REGION: 'us-west-2' }, 'cloud').pricing.region).toBe('us-west-2');
  });

  it('reads the overrides and the budget', () => {
    const settings = readCostSettings({ FARGATE_PRICE_VCPU_HOUR: '3.6', FARGATE_PRICE_GB_HOUR: '0.36', MONTHLY_BUDGET_USD: '12.5' }, 'estimate');
    expect(settings.pricing.prices.ARM64).toEqual({ vcpuHour: 3.6, gbHour: 0.36 });
    expect(settings.monthlyBudgetUsd).toBe(12.5);
    expect(readCostSettings({}, 'cloud').monthlyBudgetUsd).toBeUndefined();
  });

  it.each([
    [{ FARGATE_PRICE_VCPU_HOUR: '-1' }, 'FARGATE_PRICE_VCPU_HOUR'],
    [{ FARGATE_PRICE_GB_HOUR: 'cheap' }, 'FARGATE_PRICE_GB_HOUR'],
    [{ MONTHLY_BUDGET_USD: '0' }, 'MONTHLY_BUDGET_USD'],
  ])('refuses %j naming %s', (env, name) => {
    expect(() => readCostSettings(env, 'cloud')).toThrow(ConfigurationError);
    expect(() => readCostSettings(env, 'cloud')).toThrow(name);
  });
});

describe('costTimeoutSeconds: the timeout a maxCostPerRun makes', () => {
  const price = { vcpuHour: 3.6, gbHour: 0.36 }; // 1 vCPU: $0.001 per s; 1 GB: $0.0001 per s
  it.each([
    [1, 1024, 0.011, 10],
    [1, 1024, 0.0111, 10],
    [2, 4096, 0.024, 10],
    [0.25, 512, 1, 3333],
  ])('%s vCPU, %s MiB, $%s → %s s', (cpu, memoryMiB, maxCost, seconds) => {
    expect(costTimeoutSeconds({ cpu, memoryMiB }, maxCost, price)).toBe(seconds);
    expect(pricePerSecond({ cpu, memoryMiB }, price) * seconds).toBeLessThanOrEqual(maxCost + 1e-12);
  });

  it('a limit below one second of the price still gives the run one second', () => {
    expect(costTimeoutSeconds({ cpu: 1, memoryMiB: 1024 }, 0.000001, price)).toBe(1);
  });

  it('the reason names the limit and the time', () => {
    expect(costLimitReason({ timeoutSeconds: 10, maxCostPerRun: 0.011 })).toBe('maxCostPerRun reached: $0.011 of Fargate time after 10 s');
  });
});

describe('rollUp', () => {
  const pricing = pricingOf('us-east-1', { override: { vcpuHour: 3.6, gbHour: 0 }, estimate: false });
  const run = (runId: string, createdAt: string, appId: string, durationMs: number | undefined, scheduleId?: string) =>
    ({ runId, createdAt, appId, ownerId: 'U1', scheduleId, cpu: 1, memoryMiB: 1024, durationMs }) as Run;
  const runs = [
    run('1', '2026-03-01T10:00:00Z', 'A', 60_000),
    run('2', '2026-03-01T23:59:59Z', 'A', 120_000, 'S1'),
    run('3', '2026-03-02T00:00:00Z', 'A', 60_000, 'S1'),
    run('4', '2026-03-02T00:00:00Z', 'B', 60_000),
    run('5', '2026-03-02T00:00:00Z', 'B', undefined),
  ];

  it('sums per app and day (runs that never started are left out)', () => {
    const lines = rollUp(runs, pricing, 'app', 'day');
    expect(lines.map((l) => [l.period, l.key, l.runs, Number(l.fargateUsd.toFixed(6))])).toEqual([
      ['2026-03-01', 'A', 2, 0.18],
      ['2026-03-02', 'A', 1, 0.06],
      ['2026-03-02', 'B', 1, 0.06],
    ]);
  });

  it('sums per schedule and month (no schedule: -)', () => {
    const lines = rollUp(runs, pricing, 'schedule', 'month');
    expect(lines.map((l) => [l.period, l.key, l.runs])).toEqual([
      ['2026-03', '-', 2],
      ['2026-03', 'S1', 2],
    ]);
  });

  it('the month starts on the 1st, 00:00 UTC', () => {
    expect(monthStart(new Date('2026-12-31T23:59:59.999Z'))).toBe('2026-12-01T00:00:00.000Z');
  });
});

describe('replay rules', () => {
  it.each([
    ['registry.example.com:5000/team/app:v1', 'registry.example.com:5000/team/app@sha256:ab'],
    ['123.dkr.ecr.us-east-1.amazonaws.com/builds:img-1', '123.dkr.ecr.us-east-1.amazonaws.com/builds@sha256:ab'],
    ['busybox', 'busybox@sha256:ab'],
    ['busybox@sha256:cd', 'busybox@sha256:ab'],
  ])('pins %s to %s', (image, pinned) => {
    expect(pinnedReference(image, 'sha256:ab')).toBe(pinned);
  });

  it('a replay copies what ran, pinned, and nothing of how it went', () => {
    const old = {
      runId: 'OLD',
      appId: 'A',
      image: 'app:v1',
      imageDigest: 'sha256:ab',
      command: ['echo', 'hi'],
      env: { A: '1' },
      sidecars: [{ name: 'db', image: 'db:1' }],
      status: 'FAILED',
      trigger: 'schedule',
      scheduleId: 'S',
      scheduledTime: 'T',
      attempt: 2,
      previousRunId: 'P',
      exitCode: 1,
      durationMs: 5,
      startedAt: 'x',
      stoppedAt: 'y',
      taskRef: 't',
      history: [{ status: 'PENDING', at: 'x' }],
    } as unknown as Run;
    const replay = replayRun(old, 'sha256:ab', { runId: 'NEW', createdAt: 'now' });
    expect(replay).toMatchObject({
      runId: 'NEW',
      image: 'sha256:ab',
      imageDigest: 'sha256:ab',
      command: ['echo', 'hi'],
      env: { A: '1' },
      sidecars: old.sidecars,
    });
    expect(replay).toMatchObject({ status: 'PENDING', trigger: 'replay', attempt: 1, replayOf: 'OLD', history: [{ status: 'PENDING', at: 'now' }] });
    for (const field of ['scheduleId', 'scheduledTime', 'previousRunId', 'exitCode', 'durationMs', 'startedAt', 'stoppedAt', 'taskRef'])
      expect(replay).not.toHaveProperty(field);
  });
});
