/**
 * The Lambda functions' figures (`npx tsx bench/lambda.ts`, or main() from bench/run.ts):
 * each function's bundle size and cold module init time, bundled as infra/function.ts bundles
 * it (infra/bundling/bundle.ts), and the task-state-change handler's throughput against dynalite.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EcsTaskStateChangeEvent } from '../shared/aws/ecs-events.js';
import { ENTRY_POINTS, ENV, type EntryPoint } from '../shared/env.js';
import { taskStateChangeHandler } from '../shared/lambda/task-state-change.js';
import { API_BUNDLE_BUDGET_KIB, bundleFunction, createApp, ecsTask, functionEnvironment, OWNER, startCloud, TABLE_NAME } from '../test/functions/support.js';

/** The targets: the api bundle within API_BUNDLE_BUDGET_KIB and its init ≤ 150 ms; ≥ 500 task events/s. */
const TARGETS = { apiBundleKiB: API_BUNDLE_BUDGET_KIB, apiInitMs: 150, eventsPerSecond: 500 };
const INIT_SAMPLES = 10;
const RUNS = 200;
/** Events are handled this many at a time, as concurrent Lambda instances would. */
const CONCURRENCY = 8;

/** One function's figures: bundle size in KiB, median cold init in ms. */
export interface FunctionFigures {
  entryPoint: EntryPoint;
  bundleKiB: number;
  initMs: number;
}

/** Task-state-change throughput: `events` handled over `runs` runs in `seconds`. */
export interface Throughput {
  events: number;
  runs: number;
  seconds: number;
  eventsPerSecond: number;
}

/**
 * Bundles and times every function, measures task-state-change throughput, prints a table and
 * returns the figures.
 */
export async function main(): Promise<{ functions: FunctionFigures[]; throughput: Throughput }> {
  const functions: FunctionFigures[] = [];
  for (const entryPoint of Object.keys(ENTRY_POINTS) as EntryPoint[]) functions.push(await measureFunction(entryPoint));
  const throughput = await measureThroughput();

  const mark = (ok: boolean) => (ok ? 'MET' : 'NOT MET');
  print(`\nLambda functions, bundled as infra/function.ts does (init: cold import in a fresh node --enable-source-maps, median of ${INIT_SAMPLES})`);
  print(`${'function'.padEnd(18)} ${'bundle KiB'.padStart(10)} ${'init ms'.padStart(8)}`);
  for (const f of functions) {
    const target =
      f.entryPoint === 'api'
        ? `  bundle ≤ ${TARGETS.apiBundleKiB} KiB ${mark(f.bundleKiB <= TARGETS.apiBundleKiB)}, init ≤ ${TARGETS.apiInitMs} ms ${mark(f.initMs <= TARGETS.apiInitMs)}`
        : '';
    print(`${f.entryPoint.padEnd(18)} ${f.bundleKiB.toFixed(1).padStart(10)} ${f.initMs.toFixed(1).padStart(8)}${target}`);
  }
  print(
    `task-state-change: ${throughput.events} events over ${throughput.runs} runs in ${throughput.seconds.toFixed(2)} s = ` +
      `${Math.round(throughput.eventsPerSecond)} events/s (≥ ${TARGETS.eventsPerSecond}/s ${mark(throughput.eventsPerSecond >= TARGETS.eventsPerSecond)})`,
  );
  return { functions, throughput };
}

/**
 * Bundle size, and the time from `import()` of the bundle to its resolution (top-level await
 * included) in a fresh node process with the source-map flag the functions run with. The
 * environment holds dummies and JWT_SECRET, so nothing touches the network.
 */
async function measureFunction(entryPoint: FunctionFigures['entryPoint']): Promise<FunctionFigures> {
  const dir = mkdtempSync(join(tmpdir(), `containerizer-bench-${entryPoint}-`));
  try {
    const { file, bytes } = await bundleFunction(entryPoint, dir);
    // The api bundle wraps its streaming handler with the Lambda runtime's awslambda global as it is imported.
    const code = `globalThis.awslambda = { streamifyResponse: (handler) => handler }; const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
    const env = { ...process.env, ...functionEnvironment('http://127.0.0.1:9'), [ENV.NODE_OPTIONS]: '--enable-source-maps' };
    const samples = Array.from({ length: INIT_SAMPLES }, () =>
      Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })),
    );
    return { entryPoint, bundleKiB: bytes / 1024, initMs: median(samples) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * RUNS runs, each with ten events in ECS's order, duplicates included (PROVISIONING ×2,
 * PENDING ×2, RUNNING ×3, STOPPED ×3), sent step by step across the runs, CONCURRENCY at a
 * time, through the function's handler (ECS and EventBridge mocked). Throws unless every run
 * published exactly one run event.
 */
async function measureThroughput(): Promise<Throughput> {
  const dynamo = await dynaliteProcess();
  const cloud = await startCloud({ dynamoEndpoint: dynamo.endpoint });
  try {
    const platform = await cloud.platform();
    const handler = taskStateChangeHandler(platform);
    const { appId } = await createApp(platform);
    const steps: EcsTaskStateChangeEvent[][] = Array.from({ length: 10 }, () => []);
    for (let i = 0; i < RUNS; i++) {
      const task = ecsTask((await platform.runs.create(OWNER, appId, {})).runId);
      const stopped = task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 });
      [task.provisioning, task.provisioning, task.pending, task.pending, task.running, task.running, stopped, task.running, stopped, stopped].forEach(
        (e, step) => steps[step]!.push(e),
      );
    }
    const events = steps.flat();
    cloud.events.resetHistory();

    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < events.length) await handler(events[next++]!);
      }),
    );
    const seconds = (performance.now() - started) / 1000;

    const published = cloud.events.commandCalls(PutEventsCommand).length;
    if (published !== RUNS) throw new Error(`expected ${RUNS} run events, one per run, got ${published}`);
    return { events: events.length, runs: RUNS, seconds, eventsPerSecond: events.length / seconds };
  } finally {
    await cloud.close();
    await dynamo.close();
  }
}

/**
 * dev mode's dynalite (local/store/dynalite.ts, on disk) in a child node process: DynamoDB is a remote
 * service, and a dynalite sharing the handler's event loop would halve both.
 */
export async function dynaliteProcess(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'containerizer-bench-dynalite-'));
  const dynalite = new URL('../local/store/dynalite.ts', import.meta.url).href;
  const code = `const { startDynalite } = await import(${JSON.stringify(dynalite)}); process.stdout.write((await startDynalite(${JSON.stringify(dir)}, ${JSON.stringify(TABLE_NAME)})).endpoint + '\\n');`;
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return {
    endpoint: line.toString().trim(),
    async close() {
      child.kill();
      if (child.exitCode === null) await once(child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The report goes to stdout as plain text: it is the bench's output, not a log line. */
function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
