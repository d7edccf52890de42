/**
 * Costs: the roll-ups of finished runs' costs (GET /costs), the owner's monthly budget checked
 * before a run starts, and the timeout an app's maxCostPerRun makes. A run's cost is derived from
 * the run itself (rules/cost-rules.ts), never stored: a roll-up reads the runs of its range
 * with the listings' Queries (runs of an owner by time, or the sharded all-runs listing for
 * admins), so a repeated terminal event can never count a run twice.
 */
import type { Principal, Run } from '../domain.js';
import { badRequest, paymentRequired } from '../errors.js';
import type { CostQuery } from '../schemas.js';
import type { RunListing, RunStore } from '../store/run-store.js';
import { architectureOf, costTimeoutSeconds, monthStart, rollUp, runCost, type CostLine, type Pricing } from '../rules/cost-rules.js';
import { idRange } from '../rules/run-rules.js';
import type { CostSettings } from '../settings.js';

export type { CostSettings };

/** Runs one roll-up may read (pages of 100); a range holding more is refused (400): narrow from/to. */
export const MAX_RUNS_PER_REPORT = 20_000;

const PAGE = 100;

/** A roll-up as GET /costs returns it. */
export interface CostReport {
  groupBy: CostQuery['groupBy'];
  period: CostQuery['period'];
  from: string;
  to: string;
  lines: CostLine[];
  totalUsd: number;
  monthlyBudgetUsd?: number;
  estimate: boolean;
  priceSource: string;
}

export class CostService {
  constructor(
    private readonly store: RunStore,
    readonly settings: CostSettings,
  ) {}

  get pricing(): Pricing {
    return this.settings.pricing;
  }

  /**
   * The roll-up of the runs created in [from, to] (default: this UTC month so far): the caller's
   * own, or, for an admin, every owner's (or `ownerId`'s); only `appId`'s or `scheduleId`'s runs when given.
   * @throws ClientError 400 when the range holds more than MAX_RUNS_PER_REPORT runs.
   */
  async report(principal: Principal, query: CostQuery, at = new Date()): Promise<CostReport> {
    const from = query.from ?? monthStart(at);
    const to = query.to ?? at.toISOString();
    const owner = principal.role === 'admin' ? query.ownerId : principal.userId;
    const runs: Run[] = [];
    await this.eachRun(owner, from, to, (run) => {
      if (!inScope(run, query)) return false;
      if (runs.push(run) > MAX_RUNS_PER_REPORT) throw badRequest(`more than ${MAX_RUNS_PER_REPORT} runs in this range: narrow from and to`);
      return false;
    });
    const lines = rollUp(runs, this.pricing, query.groupBy, query.period);
    return {
      groupBy: query.groupBy,
      period: query.period,
      from,
      to,
      lines,
      totalUsd: lines.reduce((sum, line) => sum + line.totalUsd, 0),
      ...(owner !== undefined && this.settings.monthlyBudgetUsd !== undefined && { monthlyBudgetUsd: this.settings.monthlyBudgetUsd }),
      estimate: this.pricing.estimate,
      priceSource: this.pricing.priceSource,
    };
  }

  /**
   * Refuses a new run of `ownerId` once the owner's runs created this UTC month have cost
   * monthlyBudgetUsd or more (finished runs: a running one counts once it ends). A soft limit:
   * runs started at the same moment, or running already, may take the spend past it.
   * @throws ClientError 402 naming the spend and the budget.
   */
  async checkBudget(ownerId: string, at = new Date()): Promise<void> {
    const budget = this.settings.monthlyBudgetUsd;
    if (budget === undefined) return;
    let spent = 0;
    // Newest first, and it stops as soon as the budget is reached.
    await this.eachRun(ownerId, monthStart(at), at.toISOString(), (run) => (spent += runCost(run, this.pricing)?.totalUsd ?? 0) >= budget);
    if (spent >= budget) {
      throw paymentRequired(
        `your runs this month have cost $${spent.toFixed(4)} and your monthly budget is $${budget}: no new run starts before the month ends (MONTHLY_BUDGET_USD)`,
      );
    }
  }

  /**
   * `run` with the timeout (s) its maxCostPerRun makes at this deployment's price for its architecture, when that is shorter than
   * its own timeoutSeconds (costTimeoutSeconds records it, so the timeout says why); else `run` as it is.
   */
  withCostLimit(run: Run): Run {
    if (run.maxCostPerRun === undefined) return run;
    const seconds = costTimeoutSeconds(run, run.maxCostPerRun, this.pricing.prices[architectureOf(run)]);
    return seconds < run.timeoutSeconds ? { ...run, timeoutSeconds: seconds, costTimeoutSeconds: seconds } : run;
  }

  /** Visits the runs created in [from, to] of `ownerId` (everyone's when undefined), newest first, a Query per page, until `visit` returns true. */
  private async eachRun(ownerId: string | undefined, from: string, to: string, visit: (run: Run) => boolean): Promise<void> {
    let cursor: string | undefined;
    do {
      const listing: RunListing = { range: idRange(from, to), limit: PAGE, cursor };
      const page = await this.store.listRuns({ ownerId }, listing);
      if (page.items.some(visit)) return;
      cursor = page.nextCursor;
    } while (cursor);
  }
}

/** True when `run` is one of the roll-up's: of its app and schedule when the query names them. */
function inScope(run: Run, { appId, scheduleId }: Pick<CostQuery, 'appId' | 'scheduleId'>): boolean {
  return (appId === undefined || run.appId === appId) && (scheduleId === undefined || run.scheduleId === scheduleId);
}
