/**
 * Dev mode: the platform on Node with dynalite and the local Docker engine.
 * Start-up order matters for "a restart loses no run": the Docker event stream is watched
 * first, then runs left active by an earlier process are reconciled against Docker, then
 * schedules are armed and the API listens.
 */
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import Docker from 'dockerode';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createApi } from '../shared/http/app.js';
import { logger } from '../shared/logger.js';
import { createPlatform, type Platform } from '../shared/platform.js';
import type { RunEventPublisher } from '../shared/ports.js';
import { ContainerLogs } from './container-logs.js';
import { watchTaskStateChanges } from './docker-events.js';
import { DockerRuntime } from './docker-runtime.js';
import { startDynalite } from './dynalite.js';
import { LocalScheduler } from './local-scheduler.js';
import { TaskGroups } from './task-group.js';
import type { LocalConfig } from './config.js';

const TABLE_NAME = 'containerizer';
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

export async function startServer(config: LocalConfig): Promise<LocalServer> {
  const dynamo = await startDynalite(join(config.dataDir, 'dynamodb'), TABLE_NAME);
  const docker = new Docker();
  const logs = new ContainerLogs(docker, join(config.dataDir, 'logs'));
  // A run of several containers reports as one task (task-group.ts); a lone container's changes pass through.
  const groups = new TaskGroups(docker, (change) => platform.runs.applyTaskStateChange(change));
  const runtime = new DockerRuntime(docker, logs, groups);
  const scheduler = new LocalScheduler((scheduleId, time) => platform.schedules.fire(scheduleId, time));
  const platform = createPlatform({ db: dynamo.db, runtime, scheduler, logs, publisher: logPublisher, auth: config.auth });

  const watch = watchTaskStateChanges(docker, (change) => groups.follow(change));
  await platform.runs.sweep({ describe: true });
  for (const schedule of await platform.schedules.allEnabled()) await scheduler.put(schedule);

  let sweeps = 0;
  let sweeping: Promise<void> | undefined;
  const sweeper = setInterval(() => {
    sweeping ??= platform.runs
      .sweep({ describe: ++sweeps % DESCRIBE_EVERY === 0 })
      .catch((err) => logger.error('sweep failed', err as Error))
      .finally(() => (sweeping = undefined));
  }, SWEEP_MS);

  const api = createApi(platform, {
    healthChecks: {
      store: () => dynamo.db.doc.send(new GetCommand({ TableName: TABLE_NAME, Key: { pk: 'HEALTH', sk: 'HEALTH' } })),
      docker: () => docker.ping(),
    },
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: api.fetch, port: config.port, hostname: config.host }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  return {
    url: `http://${config.host}:${port}`,
    platform,
    /** Stops taking work, lets what is under way finish, then closes the store. */
    async close() {
      clearInterval(sweeper);
      groups.close();
      scheduler.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await watch.close();
      await sweeping;
      await dynamo.close();
    },
  };
}
