/**
 * The reconciler's capacity (`npx tsx bench/reconciler.ts`, or main() from bench/run.ts): how
 * many active runs one sweep reconciles within the reconciler's timeout (RECONCILER_TIMEOUT_SECONDS, 55 s).
 *
 * ACTIVE_RUNS runs are launched (ECS mocked) and seen RUNNING; then one steady-state sweep is
 * timed, as every minute's tick runs it: DescribeTasks answered by the harness's ECS mock, which
 * refuses more than 100 ids per call (as ECS does) and takes ECS_LATENCY_MS per call; DynamoDB
 * is dynalite in its own process. Capacity = ACTIVE_RUNS × timeout / sweep time: the sweep's cost
 * is per run (batched describes, SWEEP_CONCURRENCY store writes in flight), so it scales linearly.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { DescribeTasksCommand } from '@aws-sdk/client-ecs';
import { RECONCILER_TIMEOUT_SECONDS as TIMEOUT_SECONDS } from '../shared/cloud-limits.js';
import { createApp, OWNER, startCloud } from '../test/functions/support.js';
import { dynaliteProcess } from './lambda.js';

const ACTIVE_RUNS = 2_000;
/** A DescribeTasks round trip in-Region (tens of ms; 100 ms is a pessimistic figure). */
const ECS_LATENCY_MS = 100;
const SETUP_CONCURRENCY = 20;

/** One sweep's figures and the capacity they imply. */
export interface ReconcilerFigures {
  activeRuns: number;
  describeCalls: number;
  seconds: number;
  /** Active runs one sweep reconciles within TIMEOUT_SECONDS. */
  capacity: number;
}

export async function main(): Promise<ReconcilerFigures> {
  const dynamo = await dynaliteProcess();
  const cloud = await startCloud({ dynamoEndpoint: dynamo.endpoint });
  try {
    const platform = await cloud.platform();
    const { appId } = await createApp(platform, { timeoutSeconds: 86_400 });
    let next = 0;
    await Promise.all(
      Array.from({ length: SETUP_CONCURRENCY }, async () => {
        while (next++ < ACTIVE_RUNS) await platform.runs.create(OWNER, appId, {});
      }),
    );
    for (const task of cloud.tasks.values()) Object.assign(task, { lastStatus: 'RUNNING', version: 3, startedAt: new Date() });
    // The first sweep records RUNNING for every run; the timed one is the steady state of every later tick.
    await platform.runs.sweep({ describe: true });
    cloud.faults.latencyMs = ECS_LATENCY_MS;
    cloud.ecs.resetHistory();

    const started = performance.now();
    await platform.runs.sweep({ describe: true });
    const seconds = (performance.now() - started) / 1000;

    const describeCalls = cloud.ecs.commandCalls(DescribeTasksCommand).length;
    const figures = { activeRuns: ACTIVE_RUNS, describeCalls, seconds, capacity: Math.floor((ACTIVE_RUNS * TIMEOUT_SECONDS) / seconds) };
    print(
      `\nReconciler: one sweep of ${ACTIVE_RUNS} active runs (DescribeTasks ≤ 100 ids per call, ${ECS_LATENCY_MS} ms each; dynalite) in ` +
        `${seconds.toFixed(2)} s with ${describeCalls} DescribeTasks calls → ~${figures.capacity} active runs within its ${TIMEOUT_SECONDS} s timeout ` +
        `(one DescribeTasks per run, in sequence, managed ${Math.floor((TIMEOUT_SECONDS * 1000) / ECS_LATENCY_MS)} at most)`,
    );
    return figures;
  } finally {
    await cloud.close();
    await dynamo.close();
  }
}

/** The report goes to stdout as plain text: it is the bench's output, not a log line. */
function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
