/**
 * `npm run bench`, results part (dev mode, in process, dynalite and Docker):
 * 1. Result posts per second through the API: 10,000 POST /runs/{runId}/result with the run
 *    token of a live run (read from its container's environment), 16 at a time.
 * 2. The time to read the 10,000-point metric series those posts made: GET
 *    /apps/{appId}/metrics?name=score, following nextCursor, limit 10,000 per page (median of 5).
 */
import { jsonClient, signUp } from './client.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { loadConfig } from '../local/config.js';
import { LABELS } from '../local/docker/docker-events.js';
import { startServer } from '../local/server.js';
import { JOB_ENV } from '../shared/job-env.js';

const POSTS = 10_000;
const CONCURRENCY = 16;
const READS = 5;

export async function main(): Promise<{ postsPerSecond: number; seriesReadMs: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'containerizer-bench-results-'));
  // One run posts them all: its per-run budget (RESULT_POSTS_PER_RUN, RESULT_POSTS_PER_MINUTE) is lifted for the measurement.
  const server = await startServer({
    ...loadConfig({ DATA_DIR: dataDir, RESULT_POSTS_PER_RUN: String(POSTS), RESULT_POSTS_PER_MINUTE: String(POSTS) }),
    port: 0,
  });
  const docker = new Docker();
  try {
    const call = jsonClient(server.url);
    const accessToken = await signUp(call, 'bench-results@example.com');
    const app = await call('POST', '/apps', { name: 'bench-results', image: 'containerizer/busybox:latest', command: ['sleep', '600'] }, accessToken);
    const { runId } = await call('POST', `/apps/${app.appId}/runs`, undefined, accessToken);
    const [container] = await docker.listContainers({ all: true, filters: { label: [`${LABELS.runId}=${runId}`] } });
    const env = (await docker.getContainer(container!.Id).inspect()).Config.Env;
    const runToken = env.find((e) => e.startsWith(`${JOB_ENV.runToken}=`))!.split('=')[1]!;

    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < POSTS) {
          const i = next++;
          await call('POST', `/runs/${runId}/result`, { score: i, rows: i * 10, label: 'bench' }, runToken);
        }
      }),
    );
    const postsPerSecond = POSTS / ((performance.now() - t0) / 1000);

    const readings: number[] = [];
    for (let r = 0; r < READS; r++) {
      const t = performance.now();
      let points = 0;
      let cursor: string | undefined;
      do {
        const page = await call('GET', `/apps/${app.appId}/metrics?name=score&limit=10000${cursor ? `&cursor=${cursor}` : ''}`, undefined, accessToken);
        points += page.items.length;
        cursor = page.nextCursor;
      } while (cursor);
      readings.push(performance.now() - t);
      if (points !== POSTS) throw new Error(`the series has ${points} points, not ${POSTS}`);
    }
    const seriesReadMs = readings.sort((a, b) => a - b)[READS >> 1]!;
    await call('POST', `/runs/${runId}/kill`, undefined, accessToken);

    console.log(`\nResults (dev mode): ${POSTS} result posts through the API, ${CONCURRENCY} at a time: ${Math.round(postsPerSecond)} posts/s`);
    console.log(`Reading the ${POSTS}-point metric series (all pages): median ${Math.round(seriesReadMs)} ms of ${READS}`);
    return { postsPerSecond, seriesReadMs };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
