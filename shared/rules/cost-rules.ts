/**
 * What a run costs (pure rules, no I/O, no clock): the Fargate price table, the price formula,
 * the platform's own share per run, the timeout a cost limit makes, and the roll-up of runs'
 * costs per app, schedule or owner and day or month. CostService applies them.
 *
 * Fargate bills a Linux task per second from the start of its image pull to its end, with a
 * one-minute minimum, for its vCPU and its memory (GB) at the Region's and architecture's price
 * per hour (AWS, "AWS Fargate Pricing", https://aws.amazon.com/fargate/pricing/). The platform
 * sees startedAt → stoppedAt (durationMs), not the image pull: its figure is a little low for
 * runs whose pull is long.
 */
import { EXTERNAL_IMAGE_DEFAULT_ARCHITECTURE, type CpuArchitecture } from '../aws/architecture.js';
import type { Run } from '../domain.js';

/** USD per vCPU-hour and per GB-hour of one Region and architecture. */
export interface FargatePrice {
  vcpuHour: number;
  gbHour: number;
}

/** The day the price table was read from its source. */
export const PRICE_TABLE_DATE = '2026-03-01';
/** Where the price table comes from. */
export const PRICE_SOURCE = 'https://aws.amazon.com/fargate/pricing/';

/**
 * On-Demand Fargate prices, Linux, per Region and architecture (USD; AWS Fargate pricing page,
 * read PRICE_TABLE_DATE). The US Regions below share us-east-1's price. A Region missing here
 * is priced as us-east-1 and says so; FARGATE_PRICE_VCPU_HOUR / FARGATE_PRICE_GB_HOUR override.
 */
export const FARGATE_PRICES: Readonly<Record<string, Record<CpuArchitecture, FargatePrice>>> = {
  'us-east-1': { X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 }, ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 } },
  'us-east-2': { X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 }, ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 } },
  'us-west-2': { X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 }, ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 } },
};

/** The Region priced when the deployment's is missing from FARGATE_PRICES (and in dev mode by default). */
export const DEFAULT_PRICE_REGION = 'us-east-1';

/** Fargate's minimum charge per task: one minute (AWS Fargate pricing page). */
export const MINIMUM_BILLED_SECONDS = 60;

/**
 * The platform's own AWS cost per run, as assumed (USD, us-east-1, read PRICE_TABLE_DATE):
 * - Lambda (arm64): 5 invocations (the start, three task state changes, the run-state event) of
 *   0.2 s at 512 MB = 0.5 GB-s at $0.0000133334 per GB-s, plus 5 requests at $0.20 per million;
 * - DynamoDB on demand: 12 write units (the run, its markers, four transitions, settling) at
 *   $0.625 per million and 6 read units at $0.125 per million;
 * - CloudWatch Logs: 100 KB of log ingested at $0.50 per GB.
 * API Gateway, EventBridge and data transfer are left out (fractions of these).
 */
export const PLATFORM_SHARE = {
  lambdaUsd: 0.5 * 0.0000133334 + 5 * 0.2e-6,
  dynamodbUsd: 12 * 0.625e-6 + 6 * 0.125e-6,
  logsUsd: (100 / 1024 / 1024) * 0.5,
} as const;

/** What prices a deployment's runs: its Region's price per architecture (or the override) and whether it is an estimate (dev mode). */
export interface Pricing {
  region: string;
  prices: Record<CpuArchitecture, FargatePrice>;
  /** Where `price` comes from: the table (with its date), an override, or the fallback Region. */
  priceSource: string;
  /** Dev mode: the figure is what the same run would cost on Fargate. */
  estimate: boolean;
}

/**
 * The Fargate prices of `region`: the table's, or us-east-1's when the table has no entry, each
 * field replaced by `override` when given (for every architecture).
 */
export function pricingOf(region: string, options: { override?: Partial<FargatePrice>; estimate: boolean }): Pricing {
  const known = FARGATE_PRICES[region];
  const table = known ?? FARGATE_PRICES[DEFAULT_PRICE_REGION]!;
  const prices = { X86_64: { ...table.X86_64, ...options.override }, ARM64: { ...table.ARM64, ...options.override } };
  const overridden = options.override && Object.keys(options.override).length > 0;
  const source = known
    ? `AWS Fargate pricing, ${region} Linux, ${PRICE_TABLE_DATE}`
    : `AWS Fargate pricing, ${DEFAULT_PRICE_REGION} Linux, ${PRICE_TABLE_DATE} (no table entry for ${region})`;
  return { region, prices, priceSource: overridden ? `${source}, overridden by the deployment's settings` : source, estimate: options.estimate };
}

/** The architecture a run is priced at: the one it ran on, else what Fargate runs a task that names none on. */
export function architectureOf(run: { architecture?: CpuArchitecture }): CpuArchitecture {
  return run.architecture ?? EXTERNAL_IMAGE_DEFAULT_ARCHITECTURE;
}

/** A finished run's cost: its billed resources, the Fargate charge, the platform's share and the total (USD). */
export interface RunCost {
  billedSeconds: number;
  vcpuHours: number;
  gbHours: number;
  fargateUsd: number;
  platformUsd: number;
  totalUsd: number;
  region: string;
  architecture: CpuArchitecture;
  priceSource: string;
  estimate: boolean;
}

/** Seconds Fargate bills for a run of `durationMs` (ms): whole seconds rounded up, at least MINIMUM_BILLED_SECONDS. */
export function billedSeconds(durationMs: number): number {
  return Math.max(MINIMUM_BILLED_SECONDS, Math.ceil(durationMs / 1000));
}

/** USD per second of a task of `cpu` vCPU and `memoryMiB` MiB at `price`. */
export function pricePerSecond(size: Pick<Run, 'cpu' | 'memoryMiB'>, price: FargatePrice): number {
  return (size.cpu * price.vcpuHour + (size.memoryMiB / 1024) * price.gbHour) / 3600;
}

const PLATFORM_USD = PLATFORM_SHARE.lambdaUsd + PLATFORM_SHARE.dynamodbUsd + PLATFORM_SHARE.logsUsd;

/**
 * A run's cost: vCPU-hours = cpu × billed s / 3600, GB-hours = memoryMiB / 1024 × billed s / 3600,
 * Fargate = vCPU-hours × price per vCPU-hour + GB-hours × price per GB-hour at the run's architecture's price, plus PLATFORM_SHARE.
 * Undefined for a run that never started (no durationMs): Fargate bills nothing for it.
 */
export function runCost(run: Pick<Run, 'cpu' | 'memoryMiB' | 'durationMs' | 'architecture'>, pricing: Pricing): RunCost | undefined {
  if (run.durationMs === undefined) return undefined;
  const architecture = architectureOf(run);
  const price = pricing.prices[architecture];
  const seconds = billedSeconds(run.durationMs);
  const vcpuHours = (run.cpu * seconds) / 3600;
  const gbHours = (run.memoryMiB / 1024) * (seconds / 3600);
  const fargateUsd = vcpuHours * price.vcpuHour + gbHours * price.gbHour;
  return {
    billedSeconds: seconds,
    vcpuHours,
    gbHours,
    fargateUsd,
    platformUsd: PLATFORM_USD,
    totalUsd: fargateUsd + PLATFORM_USD,
    region: pricing.region,
    architecture,
    priceSource: pricing.priceSource,
    estimate: pricing.estimate,
  };
}

/**
 * The timeout (s) at which a run of this size reaches `maxCostPerRun` (USD) of Fargate charge:
 * maxCost / price per second, rounded down, at least 1. Below the one-minute minimum charge a run
 * costs that minimum anyway; it is still stopped as soon as it may be.
 */
export function costTimeoutSeconds(size: Pick<Run, 'cpu' | 'memoryMiB'>, maxCostPerRun: number, price: FargatePrice): number {
  // The epsilon keeps a quotient of exactly n (0.011 / 0.0011) from flooring to n - 1 in binary floating point.
  return Math.max(1, Math.floor(maxCostPerRun / pricePerSecond(size, price) + 1e-9));
}

/** The stoppedReason of a run stopped by its cost limit. */
export function costLimitReason(run: Pick<Run, 'timeoutSeconds'> & { maxCostPerRun?: number }): string {
  return `maxCostPerRun reached: $${run.maxCostPerRun} of Fargate time after ${run.timeoutSeconds} s`;
}

/** How a roll-up groups runs and over what period. */
export const COST_GROUPS = ['app', 'schedule', 'owner'] as const;
export type CostGroup = (typeof COST_GROUPS)[number];
export const COST_PERIODS = ['day', 'month'] as const;
export type CostPeriod = (typeof COST_PERIODS)[number];

/** One line of a roll-up: a group's key in one period, its run count and its sums (USD). */
export interface CostLine {
  period: string;
  key: string;
  runs: number;
  vcpuHours: number;
  gbHours: number;
  fargateUsd: number;
  platformUsd: number;
  totalUsd: number;
}

/** The period a run falls in, from its createdAt (UTC): `YYYY-MM-DD` by day, `YYYY-MM` by month. */
export function periodOf(createdAt: string, period: CostPeriod): string {
  return new Date(createdAt).toISOString().slice(0, period === 'day' ? 10 : 7);
}

/** The start of the UTC month `at` is in (ISO 8601). */
export function monthStart(at: Date): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)).toISOString();
}

/** The key of a run in a roll-up by `group`; runs of no schedule group under `-`. */
export function groupKeyOf(run: Pick<Run, 'appId' | 'scheduleId' | 'ownerId'>, group: CostGroup): string {
  if (group === 'app') return run.appId;
  if (group === 'owner') return run.ownerId;
  return run.scheduleId ?? '-';
}

/** Sums the costs of `runs` (those with a cost) per period and group key, ordered by period then key. */
export function rollUp(runs: readonly Run[], pricing: Pricing, group: CostGroup, period: CostPeriod): CostLine[] {
  const lines = new Map<string, CostLine>();
  for (const run of runs) {
    const cost = runCost(run, pricing);
    if (!cost) continue;
    const line = { period: periodOf(run.createdAt, period), key: groupKeyOf(run, group) };
    const id = `${line.period}\u0000${line.key}`;
    const sum = lines.get(id) ?? { ...line, runs: 0, vcpuHours: 0, gbHours: 0, fargateUsd: 0, platformUsd: 0, totalUsd: 0 };
    sum.runs += 1;
    sum.vcpuHours += cost.vcpuHours;
    sum.gbHours += cost.gbHours;
    sum.fargateUsd += cost.fargateUsd;
    sum.platformUsd += cost.platformUsd;
    sum.totalUsd += cost.totalUsd;
    lines.set(id, sum);
  }
  return [...lines.values()].sort((a, b) => a.period.localeCompare(b.period) || a.key.localeCompare(b.key));
}
