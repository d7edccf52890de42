/**
 * What keeps live log follows (the log-follow function: a function URL in RESPONSE_STREAM mode)
 * from starving the platform, beside the function's reserved concurrency (infra/api.ts):
 * - a per-user cap on follows open at once (SlotLeases: a slot per follow, freed when the
 *   follow ends, or when its lease runs out if the function was killed);
 * - one GetLogEvents budget shared by every follower (SharedTokenBucket): GetLogEvents allows
 *   10 requests/s per account and Region in several Regions and 25 in most (a quota that cannot
 *   be raised: AWS docs, "CloudWatch Logs quotas"), and every follower polls it, so each read
 *   reserves a slot of the budget first: the N+1th follower reads less often instead of getting
 *   everyone throttled.
 */
import { STREAMED_FOLLOW_MS } from '../cloud-limits.js';
import type { FollowBudgetSettings } from '../cloud-config.js';
import { ServiceUnavailableError } from '../errors.js';

export { DEFAULT_FOLLOW_READS_PER_SECOND, DEFAULT_FOLLOWS_PER_USER, type FollowBudgetSettings } from '../cloud-config.js';
import type { LogSource } from '../ports.js';
import type { Db } from '../store/db.js';
import { SlotLeases, type SlotLease } from '../store/slot-leases.js';
import { SharedTokenBucket } from '../store/token-bucket.js';
import { keys } from '../table.js';

/** Every counter item of the follow budget is named `follow:…`. */
const FOLLOW_COUNTERS = 'follow:';

/** The partition-key prefix of the follow budget's items: the only items the log-follow function may write (infra/function.ts, `dynamodb:LeadingKeys`). */
export const FOLLOW_COUNTER_PARTITION_PREFIX = keys.counter(FOLLOW_COUNTERS, 0).pk.replace(/#0$/, '');

/** A read waits at most this long (ms) for its slot of the budget; beyond, it counts as throttled and the follow backs off. */
export const MAX_READ_WAIT_MS = 5_000;

/** A follow's slot is held at most this long (ms): one streamed response and the function's margin (its timeout). */
const LEASE_MS = STREAMED_FOLLOW_MS + 30_000;

export class FollowBudget {
  private readonly slots: SlotLeases;
  private readonly reads: SharedTokenBucket;

  constructor(
    db: Db,
    readonly settings: FollowBudgetSettings,
  ) {
    this.slots = new SlotLeases(db);
    // Half a second's worth of burst: reads granted together may land closer still (each instance's timers), and the quota's own burst is small.
    this.reads = new SharedTokenBucket(db, `${FOLLOW_COUNTERS}reads`, {
      perSecond: settings.readsPerSecond,
      burst: Math.max(1, Math.floor(settings.readsPerSecond / 2)),
    });
  }

  /** One of the user's follow slots (release it when the follow ends), or undefined when all FOLLOWS_PER_USER are open. */
  admit(userId: string, followId: string): Promise<SlotLease | undefined> {
    return this.slots.acquire(`${FOLLOW_COUNTERS}user:${userId}`, this.settings.followsPerUser, followId, LEASE_MS);
  }

  /**
   * `logs` with every read first waiting for its slot of the shared budget.
   * @throws ServiceUnavailableError when no slot is free within MAX_READ_WAIT_MS (a follow treats it as throttling and backs off).
   */
  budgeted(logs: LogSource): LogSource {
    return {
      read: async (run, options) => {
        const at = await this.reads.reserve(MAX_READ_WAIT_MS);
        if (at === undefined)
          throw new ServiceUnavailableError('the live follows are using their whole log-read budget; try again shortly', { retryAfterSeconds: 1 });
        if (at > Date.now()) await new Promise((resolve) => setTimeout(resolve, at - Date.now()));
        return logs.read(run, options);
      },
    };
  }
}
