/**
 * `npm run bench`: dev mode's figures, then the Lambda functions' (bench/lambda.ts).
 *
 * 1. Launch overhead: median time from POST /apps/:id/runs to the run's terminal status for
 *    `sh -c :`, against a bare `docker run --rm` of the same image; 20 of each, interleaved so
 *    both see the same machine load. Target: ratio ≤ 1.15. Also a job that writes its result
 *    file, whose result must be on the run when it reads as terminal (issue 15).
 * 2. Concurrency: 50 runs started at once, each with its own exit code; every run must reach
 *    its true terminal status (exit 0 → SUCCEEDED, else FAILED with that exit code).
 * 3. Build overhead: a three-file context built through the API against `docker build`
 *    (bench/image-build.ts). Target: ratio ≤ 1.2.
 * Then the Lambda functions' figures (bench/lambda.ts) and the reconciler's active-run capacity
 * within its timeout (bench/reconciler.ts); a burst of 2,000 runs against Fargate's launch rate and a 64-vCPU quota
 * (bench/launch-burst.ts); an array job of 1,000 children in dev mode (parallelism 20) and against the Fargate-rate mock (bench/arrays.ts); the log pipeline on a 100 MB job (bench/logs.ts); a restart after a crash with a 20 MiB log on disk (bench/restart.ts, target < 20 s); result posts per second and reading a 10,000-point metric series (bench/results.ts);
 * live log follows sharing GetLogEvents' quota (bench/follow-budget.ts).
 * Schedules at scale and dev-mode fire lateness (bench/schedules.ts; BENCH_SCHEDULES, default 100,000); the web console's bundle size and its runs page with 10,000 runs (bench/console.ts).
 * Last, the soak (bench/soak.ts): the dev server's resident memory after 100 and 1,000 runs and after a minute idle (target: within 64 MiB).
 * `containerizer run --follow` against `docker run --rm` (bench/cli.ts).
 * `npx tsx bench/run.ts launch` measures part 1 only, `npx tsx bench/run.ts build` part 3 only; `npx tsx bench/soak.ts [runs] [idleSeconds]` the soak alone.
 */
import { jsonClient, signUp } from './client.js';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Run } from '../shared/domain.js';
import { isTerminal } from '../shared/domain.js';
import { JOB_ENV } from '../shared/job-env.js';
import { loadConfig } from '../local/config.js';
import { startServer } from '../local/server.js';
import { RUN_NETWORK } from '../local/docker/run-network.js';
import { imageBuildFigures } from './image-build.js';
import { main as lambdaFigures } from './lambda.js';
import { main as launchBurstFigures } from './launch-burst.js';
import { main as arrayFigures } from './arrays.js';
import { main as logFigures } from './logs.js';
import { main as restartFigures } from './restart.js';
import { main as followFigures } from './follow-budget.js';
import { main as reconcilerFigures } from './reconciler.js';
import { main as resultFigures } from './results.js';
import { main as scheduleFigures } from './schedules.js';
import { main as consoleFigures } from './console.js';
import { main as soakFigures } from './soak.js';
import { main as cliFigures } from './cli.js';

const IMAGE = 'containerizer/busybox:latest';
const SAMPLES = 20;
const CONCURRENT = 50;
const POLL_MS = 10;
const run = promisify(execFile);
/** `npx tsx bench/run.ts launch`: part 1 only. */
const launchOnly = process.argv[2] === 'launch';
/** `npx tsx bench/run.ts build`: part 3 only. */
const buildOnly = process.argv[2] === 'build';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'containerizer-bench-'));
  const server = await startServer({ ...loadConfig({ DATA_DIR: dataDir, MAX_ACTIVE_RUNS_PER_USER: String(CONCURRENT) }), port: 0 });
  try {
    const alice = await signIn(server.url);
    if (buildOnly) return await imageBuildFigures(alice);
    const app = await alice('POST', '/apps', { name: 'bench', image: IMAGE, command: ['sh', '-c', ':'] });
    const withResult = await alice('POST', '/apps', {
      name: 'bench-result',
      image: IMAGE,
      command: ['sh', '-c', `echo '{"score": 1}' > "$${JOB_ENV.resultFile}"`],
    });

    const waitTerminal = async (runId: string): Promise<Run> => {
      for (;;) {
        const current = (await alice('GET', `/runs/${runId}`)) as Run;
        if (isTerminal(current.status)) return current;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };

    // Warm both paths once (image cache, first container).
    await waitTerminal((await alice('POST', `/apps/${app.appId}/runs`)).runId);
    await waitTerminal((await alice('POST', `/apps/${withResult.appId}/runs`)).runId);
    await run('docker', ['run', '--rm', IMAGE, 'sh', '-c', ':']);
    await run('docker', ['run', '--rm', '--network', RUN_NETWORK, IMAGE, 'sh', '-c', ':']);

    const platformMs: number[] = [];
    const resultMs: number[] = [];
    const dockerMs: number[] = [];
    const isolatedMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      let t = performance.now();
      const { runId } = await alice('POST', `/apps/${app.appId}/runs`);
      const done = await waitTerminal(runId);
      if (done.status !== 'SUCCEEDED') throw new Error(`bench run ${runId} ended ${done.status}`);
      platformMs.push(performance.now() - t);
      t = performance.now();
      const { runId: withResultId } = await alice('POST', `/apps/${withResult.appId}/runs`);
      const reported = await waitTerminal(withResultId);
      if (reported.status !== 'SUCCEEDED' || reported.result?.score !== 1)
        throw new Error(`bench run ${withResultId} ended ${reported.status} without its result`);
      resultMs.push(performance.now() - t);
      t = performance.now();
      await run('docker', ['run', '--rm', IMAGE, 'sh', '-c', ':']);
      dockerMs.push(performance.now() - t);
      // The same isolation as a run (issue 7: the ICC-less run network), which costs Docker itself ~40 ms a start.
      t = performance.now();
      await run('docker', ['run', '--rm', '--network', RUN_NETWORK, IMAGE, 'sh', '-c', ':']);
      isolatedMs.push(performance.now() - t);
    }
    const ratio = median(platformMs) / median(dockerMs);
    console.log('\nDev mode: POST run → terminal status, `sh -c :` (20 each, interleaved)');
    console.table({
      'platform (POST → SUCCEEDED)': {
        'median ms': round(median(platformMs)),
        'min ms': round(Math.min(...platformMs)),
        'max ms': round(Math.max(...platformMs)),
      },
      'platform, a job writing its result file': {
        'median ms': round(median(resultMs)),
        'min ms': round(Math.min(...resultMs)),
        'max ms': round(Math.max(...resultMs)),
      },
      'docker run --rm': { 'median ms': round(median(dockerMs)), 'min ms': round(Math.min(...dockerMs)), 'max ms': round(Math.max(...dockerMs)) },
      [`docker run --rm --network ${RUN_NETWORK}`]: {
        'median ms': round(median(isolatedMs)),
        'min ms': round(Math.min(...isolatedMs)),
        'max ms': round(Math.max(...isolatedMs)),
      },
    });
    console.log(`ratio platform / docker: ${ratio.toFixed(2)} (target ≤ 1.15) ${ratio <= 1.15 ? 'MET' : 'NOT MET'}`);
    console.log(`ratio platform / docker on the run network (the same isolation): ${(median(platformMs) / median(isolatedMs)).toFixed(2)}`);
    if (launchOnly) return;

    const many = await alice('POST', '/apps', { name: 'bench-many', image: IMAGE, command: ['sh', '-c', 'sleep 1; exit $CODE'] });
    const t0 = performance.now();
    const started = await Promise.all(
      Array.from({ length: CONCURRENT }, async (_, i) => {
        const code = i % 3;
        const { runId } = await alice('POST', `/apps/${many.appId}/runs`, { env: { CODE: String(code) } });
        return { runId, code };
      }),
    );
    const finished = await Promise.all(started.map(async (s) => ({ ...s, run: await waitTerminal(s.runId) })));
    const seconds = (performance.now() - t0) / 1000;
    const wrong = finished.filter(({ code, run: r }) => r.status !== (code === 0 ? 'SUCCEEDED' : 'FAILED') || r.exitCode !== code);
    console.log(
      `\n${CONCURRENT} concurrent runs (sleep 1; exit i%3): all terminal in ${seconds.toFixed(1)} s; ${CONCURRENT - wrong.length}/${CONCURRENT} in their true terminal state ${wrong.length === 0 ? 'MET' : 'NOT MET'}`,
    );
    for (const w of wrong) console.log(`  run ${w.runId}: expected exit ${w.code}, got ${w.run.status} / ${w.run.exitCode}`);

    await imageBuildFigures(alice);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (launchOnly || buildOnly) return;
  await logFigures(100);
  await restartFigures();
  await resultFigures();
  await consoleFigures();
  await cliFigures();
  await lambdaFigures();
  await reconcilerFigures();
  await launchBurstFigures();
  await arrayFigures();
  await followFigures();
  await scheduleFigures();
  await soakFigures();
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Registers a bench account and returns a JSON client carrying its token. */
async function signIn(url: string) {
  const call = jsonClient(url);
  const accessToken = await signUp(call, 'bench@example.com');
  return (method: string, path: string, body?: unknown) => call(method, path, body, accessToken);
}

await main();
