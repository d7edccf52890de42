/**
 * Job results and metrics: the job environment each launch gets (run id, result URL, run
 * token, result file), posting a result with the run token within the run's budget (posts in
 * all, posts per minute, metrics per result), reading an app's metric series, and removing
 * expired runs where the store has no TTL process (dev mode).
 */
import { monotonicFactory } from 'ulid';
import { isTerminal, type Principal, type Run } from '../domain.js';
import { conflict, forbidden, tooManyRequests, unauthorized } from '../errors.js';
import { JOB_ENV, RESULT_FILE_PATH } from '../job-env.js';
import { logger } from '../logger.js';
import type { MetricPoint, MetricQuery } from '../schemas.js';
import type { Page } from '../store/db.js';
import type { CounterStore } from '../store/counter-store.js';
import type { ResultStore, TokenSubject } from '../store/result-store.js';
import type { AppService } from './apps.js';
import { metricsOf, parseResult, resultExpiresAt, type ResultLimits } from '../rules/result-rules.js';
import { maskJson } from '../rules/secret-rules.js';
import { mintRunToken, runIdOfToken, tokenMatches } from './run-tokens.js';
import { fixedWindow } from './sign-in-guard.js';

/** Where one-time migrations are remembered once done (ScheduleStore keeps the markers). */
export interface Migrations {
  migrated(name: string): Promise<boolean>;
  markMigrated(name: string): Promise<void>;
}

export interface ResultServiceConfig {
  /** The API's base URL as a task reaches it (no trailing slash), or undefined when tasks cannot reach it (then only the result file works). */
  resultBaseUrl?: () => string | undefined;
  /**
   * A masker of the run's secrets (SecretService.maskerOf): a result is masked with it before it is stored (so its
   * metrics, and the table, hold no value) and again when read (results stored before masking, or while a value could
   * not be read). Default: nothing is masked.
   */
  maskerOf?: (run: Pick<Run, 'runId' | 'ownerId' | 'secretVersions'>) => Promise<((text: string) => string) & { readonly masks: boolean }>;
}

const MINUTE_MS = 60_000;

/** The one-time move of the last result off every run item an older release wrote it onto (ResultService.stripInlineResults). */
export const RESULTS_BESIDE_RUNS_MIGRATION = 'results-beside-runs';

export class ResultService {
  private readonly nextId = monotonicFactory();

  constructor(
    private readonly store: ResultStore,
    private readonly apps: AppService,
    private readonly counters: CounterStore,
    private readonly limits: ResultLimits,
    private readonly migrations: Migrations,
    private readonly config: ResultServiceConfig = {},
    private readonly clock: () => number = Date.now,
  ) {}

  /** The variables (JOB_ENV) a launch of `run` gets; mints the run's token and keeps its hash. */
  async jobEnv(run: Run): Promise<Record<string, string>> {
    const { token, hash } = mintRunToken(run.runId);
    await this.store.setTokenHash(run.runId, hash);
    const base = this.config.resultBaseUrl?.();
    return {
      [JOB_ENV.runId]: run.runId,
      ...(base && { [JOB_ENV.resultUrl]: `${base}/runs/${run.runId}/result` }),
      [JOB_ENV.runToken]: token,
      [JOB_ENV.resultFile]: RESULT_FILE_PATH,
    };
  }

  /**
   * Records a result posted with a run token, within the run's budget (ResultLimits): every
   * authorized post counts towards the minute's rate, every valid one towards the run's total.
   * @throws ClientError 401 (not a run token, or not this run's current one), 403 (a token of
   *   another run, or its run has ended), 429 (over the rate, with Retry-After), 413 (over
   *   64 KiB), 400 (not a JSON object the store can hold, too many metrics), 409 (the run has
   *   posted all it may).
   */
  async post(runId: string, token: string, body: string): Promise<{ runId: string; resultAt: string; metrics: string[] }> {
    const subject = await this.authorize(runId, token);
    const now = this.clock();
    const minute = fixedWindow(now, MINUTE_MS);
    const { postsPerMinute, postsPerRun } = this.limits;
    if ((await this.counters.hitUnder({ name: `result-rate:${runId}`, ...minute }, postsPerMinute)) === undefined) {
      throw tooManyRequests(`a run posts at most ${postsPerMinute} results a minute; try again in ${minute.retryAfterSeconds} s`, minute.retryAfterSeconds);
    }
    const result = await this.masked(subject, parseResult(body));
    const metrics = metricsOf(result, this.limits.metricsPerResult);
    // One window for the run's whole life: its token works only while it is active, at most its timeout (and the sweep's grace).
    const lifetime = { name: `result-posts:${runId}`, windowStart: 0, expiresAt: Math.ceil(now / 1000) + subject.timeoutSeconds + 86_400 };
    if ((await this.counters.hitUnder(lifetime, postsPerRun)) === undefined) {
      throw conflict(`run ${runId} has posted the ${postsPerRun} results a run may post; later ones are refused`);
    }
    return this.record(subject, result, metrics);
  }

  /**
   * Records a result a finished job left in its result file (no token: the platform read it).
   * A body that is not a valid result is logged and dropped. Dev mode reads the file before the
   * run's terminal transition; once the run has ended its result stands, so a file read again
   * (a replayed event, a restart) adds nothing.
   */
  async recordFile(runId: string, body: string): Promise<void> {
    const subject = await this.store.tokenSubject(runId);
    if (!subject || isTerminal(subject.status)) return;
    try {
      const result = await this.masked(subject, parseResult(body));
      await this.record(subject, result, metricsOf(result, this.limits.metricsPerResult));
    } catch (err) {
      logger.warn('result file ignored', { runId, error: err as Error });
    }
  }

  /**
   * The run with the last result it posted as `result`, read from the item its pointer names (one
   * GetItem by key); a run without a pointer is returned as it is (a run an older release wrote
   * may still carry its `result`, until the migration below strips it). The values of the secrets the run received
   * are masked in it (maskJson: string values, keys, numbers that hold one).
   */
  async withResult(run: Run): Promise<Run> {
    const stored = run.resultId ? await this.store.get(run.runId, run.resultId) : undefined;
    const result = stored?.result ?? run.result;
    return result ? { ...run, result: await this.masked(run, result) } : run;
  }

  /**
   * The one-time move of every run item an older release wrote with its last result on it to the
   * pointer (ResultStore.stripInlineResult), remembered under `name` once done: the runs that carry
   * `result` are found on each shard of the all-runs index, while it is the previous release's (which
   * projects everything: the upgrade's steps keep it for several deploys, docs/upgrading-indexes.md).
   * Idempotent, and a failure leaves
   * the rest to the next call. Returns how many runs it changed.
   */
  async stripInlineResults(name: string): Promise<number> {
    if (await this.migrations.migrated(name)) return 0;
    const runIds = await this.store.runIdsWithInlineResult();
    if (!runIds) {
      // This release's all-runs index: the table was made by this release (nothing to move), or the upgrade's steps ran faster than the reconciler (docs/upgrading-indexes.md).
      await this.migrations.markMigrated(name);
      logger.info('results: the all-runs index projects no `result`; nothing to move', { migration: name });
      return 0;
    }
    let changed = 0;
    for (const runId of runIds) if (await this.store.stripInlineResult(runId)) changed++;
    await this.migrations.markMigrated(name);
    logger.info('results moved beside their runs', { migration: name, runs: changed });
    return changed;
  }

  /**
   * Points of the app's metric `name` across its runs, oldest first (ready to plot), paged.
   * @throws ClientError 404 when the app is not the caller's, 400 for a foreign cursor.
   */
  async series(principal: Principal, appId: string, query: MetricQuery): Promise<Page<MetricPoint>> {
    await this.apps.get(principal, appId);
    // '~' sorts after every character of the `<time>#<resultId>` sort keys.
    const range = { from: query.from ? new Date(query.from).toISOString() : '0', to: query.to ? `${new Date(query.to).toISOString()}~` : '~' };
    return this.store.series(appId, query.name, range, new Date(), query.limit, query.cursor);
  }

  /**
   * Deletes every run whose TTL has passed, with its results and metric points, then calls
   * `onDeleted` (dev mode: remove its log files). A failure on one run is logged and the pass goes on.
   */
  async deleteExpired(now: Date, onDeleted: (runId: string) => Promise<void>): Promise<number> {
    let deleted = 0;
    for (const runId of await this.store.expiredRunIds(now)) {
      try {
        await this.store.deleteRun(runId);
        await onDeleted(runId);
        deleted++;
      } catch (err) {
        logger.error('retention: could not delete an expired run', { runId, error: err as Error });
      }
    }
    return deleted;
  }

  /** `result` with the run's secrets masked (config.maskerOf), or as it is when the run received none. */
  private async masked(run: Pick<Run, 'runId' | 'ownerId' | 'secretVersions'>, result: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (!this.config.maskerOf || Object.keys(run.secretVersions ?? {}).length === 0) return result;
    const mask = await this.config.maskerOf(run);
    return mask.masks ? (maskJson(result, mask) as Record<string, unknown>) : result;
  }

  private async authorize(runId: string, token: string): Promise<TokenSubject> {
    const tokenRunId = runIdOfToken(token);
    if (!tokenRunId) throw unauthorized('send the run token (CONTAINERIZER_RUN_TOKEN) as the bearer token');
    if (tokenRunId !== runId) throw forbidden(`this token belongs to another run, not ${runId}`);
    const subject = await this.store.tokenSubject(runId);
    if (!subject || !tokenMatches(token, subject.tokenHash)) throw unauthorized('the run token is not valid');
    if (isTerminal(subject.status)) throw forbidden(`run ${runId} has ended (${subject.status}): its token no longer works`);
    return subject;
  }

  private async record(
    subject: TokenSubject,
    result: Record<string, unknown>,
    metrics: [name: string, value: number][],
  ): Promise<{ runId: string; resultAt: string; metrics: string[] }> {
    const now = new Date();
    const stored = {
      runId: subject.runId,
      appId: subject.appId,
      resultId: this.nextId(now.getTime()),
      at: now.toISOString(),
      result,
      metrics: metrics.map(([n]) => n),
    };
    await this.store.put(stored, metrics, resultExpiresAt(subject, now));
    return { runId: subject.runId, resultAt: stored.at, metrics: stored.metrics };
  }
}
