/**
 * Dev mode: the platform on Node with dynalite and the local Docker engine.
 * Start-up order matters for "a restart loses no run": the Docker event stream is watched
 * first, then runs left active by an earlier process are reconciled against Docker, builds it
 * left under way are failed, then schedules are armed and the API listens. No stored item can keep it from listening: a step
 * that fails is logged and skipped (a schedule that cannot fire is disabled with the reason),
 * and GET /health says what does not answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import Docker from 'dockerode';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createApi, maxBodyBytesOf } from '../shared/http/app.js';
import { LOCAL_FOLLOW_POLL_MS } from '../shared/http/log-follow.js';
import { logger } from '../shared/logger.js';
import { createPlatform, type Platform } from '../shared/platform.js';
import type { RunEventPublisher } from '../shared/ports.js';
import { RESULTS_BESIDE_RUNS_MIGRATION } from '../shared/services/results.js';
import { ContainerLogs } from './logs/container-logs.js';
import { watchTaskStateChanges } from './docker/docker-events.js';
import { DockerImageBuilder } from './images/docker-image-builder.js';
import { DockerRuntime } from './docker/docker-runtime.js';
import { socketAddress } from './client-address.js';
import { FileContextStore } from './images/file-context-store.js';
import { GarbageCollector, collectPeriodically, type GcTimer } from './images/garbage-collector.js';
import { LocalImageScanner } from './images/image-scanner.js';
import { startDynalite } from './store/dynalite.js';
import { LocalScheduler } from './local-scheduler.js';
import { isolateFromHost } from './docker/host-firewall.js';
import { startResultListener } from './result-listener.js';
import { runNetworkOf } from './docker/run-network.js';
import { startRetentionSweep } from './logs/retention-sweep.js';
import { withConsole } from './console-site.js';
import { startAlertWorker } from './alerts/outbox-worker.js';
import { readCorsOrigins } from '../shared/settings.js';
import type { LocalConfig } from './config.js';
import { loadSecretsKey } from './secrets/key-file.js';
import { LocalSecretVault } from './secrets/local-vault.js';
import { ENV } from '../shared/env.js';

/** The dev store's one table (npm run admin reaches it too). */
export const TABLE_NAME = 'containerizer';
/** Timeouts and settling are checked this often (ms); each task is also described every DESCRIBE_EVERY sweeps. */
const SWEEP_MS = 1000;
const DESCRIBE_EVERY = 10;

export interface LocalServer {
  url: string;
  platform: Platform;
  close(): Promise<void>;
}

/**
 * Dev mode has no event bus: each terminal run state is one structured log line, with the
 * fields of the cloud's "Run State Change" event detail that matter at a terminal.
 */
const logPublisher: RunEventPublisher = {
  async publish(run) {
    logger.info('Run State Change', { runId: run.runId, appId: run.appId, status: run.status, exitCode: run.exitCode });
  },
};

/**
 * Node answers `Expect: 100-continue` itself unless told otherwise, inviting a body the API will
 * refuse. Only a body within the route's limit is invited; a larger one goes straight to the API,
 * whose 413 (with `Connection: close`) is the final answer (RFC 9110 §10.1.1).
 */
function continueUnlessTooLarge(server: ServerType) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const length = Number(req.headers['content-length'] ?? 0);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!(length > maxBodyBytesOf(path))) res.writeContinue();
    server.emit('request', req, res);
  };
}

/** Runs one start-up step; its failure is logged and start-up goes on. */
async function startupStep(what: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (err) {
    logger.error(`start-up: could not ${what}; going on without`, err as Error);
  }
}

export async function startServer(config: LocalConfig): Promise<LocalServer> {
  const dynamo = await startDynalite(join(config.dataDir, 'dynamodb'), TABLE_NAME);
  const docker = new Docker();
  const logDir = join(config.dataDir, 'logs');
  const logs = new ContainerLogs(docker, logDir, config.sandbox.logMaxBytes);
  const runtime = new DockerRuntime(docker, logs, config.sandbox, {
    instanceId: config.instanceId,
    onResultFile: (runId, text) => platform.results.recordFile(runId, text),
    // A run of several containers reports as one task (task-group.ts); a lone container's changes pass through.
    onTaskChange: (change) => platform.runs.applyTaskStateChange(change),
  });
  const scheduler = new LocalScheduler({
    onFire: (scheduleId, time) => platform.schedules.fire(scheduleId, time),
    onBroken: (scheduleId, reason) => platform.schedules.markBroken(scheduleId, reason),
  });
  // Jobs post results here; the API is bound below, before any request can arrive.
  const resultListener = await startResultListener(docker, (request) => api.fetch(request));
  const builder = new DockerImageBuilder(docker, {
    dataDir: config.dataDir,
    instanceId: config.instanceId,
    concurrency: config.buildConcurrency,
    onChange: async (change) => void (await platform.builds.applyBuildStateChange(change)),
    limits: config.builds,
    network: runNetworkOf(docker),
  });
  const gc = new GarbageCollector(docker, {
    instanceId: config.instanceId,
    containerGraceMs: config.gc.containerGraceSeconds * 1000,
    leftovers: () => builder.collectLeftovers(),
  });
  const platform = createPlatform({
    db: dynamo.db,
    runtime,
    scheduler,
    logs,
    publisher: logPublisher,
    auth: config.auth,
    limits: config.limits,
    results: { resultBaseUrl: () => resultListener.baseUrl },
    imagePolicy: config.imagePolicy,
    costs: config.costs,
    // Alerts are observed in process and written to the table's outbox; the worker sends them.
    alerts: { ...config.alerts, onWritten: () => alertWorker.wake() },
    images: { builder, contexts: new FileContextStore(config.dataDir), scanner: new LocalImageScanner(docker, { instanceId: config.instanceId }) },
    garbageCollector: gc,
    // The key lives beside the database, never in it (key-file.ts).
    secretVault: new LocalSecretVault(await loadSecretsKey(config.dataDir, process.env[ENV.SECRETS_KEY])),
  });
  // Before the start-up sweep, which may settle runs and so write alerts.
  const alertWorker = startAlertWorker(() => platform);
  const retention = await startRetentionSweep(platform.results, logDir);

  // Before any job starts: the runs' network off the host's own services (a warning when it cannot be).
  await isolateFromHost(docker);

  const watch = watchTaskStateChanges(docker, (change) => runtime.follow(change), { instanceId: config.instanceId });
  await startupStep('reconcile the runs left active', () => platform.runs.sweep({ describe: true }));
  await startupStep('move the results off the run items', async () => {
    await platform.results.stripInlineResults(RESULTS_BESIDE_RUNS_MIGRATION);
  });
  // The builder ran in the process that died: a build it left QUEUED or BUILDING can never finish.
  await startupStep('fail the builds left under way', () => platform.builds.reconcile('the server stopped during the build; start a new build'));
  // Slots that passed while the server was down: the ledger records them, and each schedule's catch-up policy runs what it says.
  await startupStep('catch up on missed schedule slots', async () => {
    await platform.schedules.catchUp(new Date(), 0, 'the platform was not running at this time');
  });
  await startupStep('arm the schedules', async () => {
    for (const schedule of await platform.schedules.allEnabled()) await scheduler.put(schedule);
  });

  let sweeps = 0;
  let sweeping: Promise<void> | undefined;
  const sweeper = setInterval(() => {
    sweeping ??= platform.runs
      .sweep({ describe: ++sweeps % DESCRIBE_EVERY === 0 })
      .catch((err) => logger.error('sweep failed', err as Error))
      .finally(() => (sweeping = undefined));
  }, SWEEP_MS);

  // The same collector as POST /admin/gc, keeping the same images (GarbageService.inUse).
  const gcTimer: GcTimer | undefined =
    config.gc.intervalSeconds > 0 ? collectPeriodically(gc, config.gc.intervalSeconds * 1000, () => platform.garbage.inUse()) : undefined;

  const api = createApi(platform, {
    corsOrigins: readCorsOrigins(process.env),
    clientAddress: socketAddress,
    follow: { pollMs: LOCAL_FOLLOW_POLL_MS },
    healthChecks: {
      store: () => dynamo.db.doc.send(new GetCommand({ TableName: TABLE_NAME, Key: { pk: 'HEALTH', sk: 'HEALTH' } })),
      docker: () => docker.ping(),
    },
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: withConsole(api), port: config.port, hostname: config.host }, () => resolve(s));
  });
  server.on('checkContinue', continueUnlessTooLarge(server));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  return {
    url: `http://${config.host}:${port}`,
    platform,
    /** Stops taking work, lets what is under way finish, then closes the store. */
    async close() {
      clearInterval(sweeper);
      scheduler.close();
      await gcTimer?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await resultListener.close();
      await retention.stop();
      await watch.close();
      await sweeping;
      await alertWorker.close();
      await runtime.close();
      await dynamo.close();
    },
  };
}
