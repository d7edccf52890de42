/**
 * The account's Fargate launch budget: its vCPU quota ("Fargate On-Demand vCPU resource count",
 * per account and Region) and the token bucket Fargate meters task launches with (100 tasks of
 * burst, refilled at 20 per second: AWS docs, "AWS Fargate throttling quotas"), and which RunTask
 * refusals mean "not now" rather than "never".
 */
import type { LaunchCapacity } from '../ports.js';

/** Fargate's launch token bucket (AWS docs, "AWS Fargate throttling quotas"): 100 tokens, 20 per second. */
export const FARGATE_LAUNCH_RATE = { burst: 100, perSecond: 20 } as const;

/**
 * The vCPU quota assumed when FARGATE_VCPU_QUOTA is not set: AWS's default for "Fargate On-Demand
 * vCPU resource count" (Service Quotas L-3032A538), 6 vCPUs in each supported Region, adjustable
 * (AWS General Reference, "Amazon ECS endpoints and quotas", Fargate quotas; repeated in the AWS
 * Batch API Reference, ResourceRequirement: "The default for the Fargate On-Demand vCPU resource
 * count quota is 6 vCPUs"; read 2026-12-03). New accounts "might have initial lower quotas that can
 * increase over time": set the account's applied figure to use it all.
 */
export const DEFAULT_FARGATE_VCPU_QUOTA = 6;

/**
 * RunTask `failures[].reason`s that say "not now" rather than "never" (AWS docs, "Amazon ECS API
 * failure reasons", and ECS's own words): the account's vCPU quota reached ("You've reached the
 * limit on the number of vCPUs you can run concurrently"), no Fargate capacity ("Capacity is
 * unavailable at this time…"), a resource of the launch (ENI, CPU, memory) short, the agent busy.
 * Anything else (a bad image, role or parameter) fails the run.
 */
const CAPACITY_FAILURE = /reached the limit on the number of vcpus|capacity is unavailable|^RESOURCE:|^AGENT$|timeout waiting for network interface/i;

/** True when a RunTask failure reason is a capacity refusal (see CAPACITY_FAILURE). */
export function isCapacityFailure(reason: string | undefined): boolean {
  return CAPACITY_FAILURE.test(reason ?? '');
}

/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. `now` (ms) is injectable for tests.
 * In-process only: each Lambda instance keeps its own, and ECS's ThrottlingException (a deferral)
 * covers what several instances send together.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token if one is there. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Ms until a token is there (0: now). */
  wait(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  private refill(): void {
    const at = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((at - this.last) / 1000) * this.perSecond);
    this.last = at;
  }
}

/**
 * The launch budget of EcsRuntime, which the launch queue launches within: the vCPU quota, and the
 * RunTask token bucket each of its launches takes from. A run's first launch (at its creation) does
 * not wait for it: ECS's own refusal (ThrottlingException, the quota in failures[]) defers it to the queue.
 */
export class FargateCapacity implements LaunchCapacity {
  private readonly bucket: TokenBucket;

  /** `vcpuQuota`: the account's Fargate vCPU quota (FARGATE_VCPU_QUOTA); `rate`: Fargate's launch bucket. */
  constructor(
    readonly vcpuQuota: number,
    rate: { burst: number; perSecond: number } = FARGATE_LAUNCH_RATE,
  ) {
    this.bucket = new TokenBucket(rate.burst, rate.perSecond);
  }

  async take(): Promise<void> {
    while (!this.bucket.tryTake()) await new Promise((resolve) => setTimeout(resolve, this.bucket.wait()));
  }
}
