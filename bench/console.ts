/**
 * `npm run bench`, web console part (dev mode, in process, dynalite, headless Chromium):
 * 1. The bundle's size, gzipped (level 9): what the first page loads (index.html's script and
 *    stylesheet) and every asset (with the metrics page's lazily loaded chart chunk).
 * 2. The time to a usable runs page with RUNS runs in the account's history: from navigating to
 *    /runs (a signed-in session: the page resumes it with the kept refresh token) until the table
 *    shows its first page of 50 runs; median of 5. The runs are seeded through the run store on
 *    the dev data directory (the store's own insert, then settled as a finished run is), not run.
 * `npx tsx bench/console.ts [runs]` runs this part alone (default 10,000 runs).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { BatchWriteCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { Run } from '../shared/domain.js';
import { statusRank } from '../shared/rules/run-rules.js';
import { indexAttributes, indexKeys, keys, RUN_ORDER, runShard } from '../shared/table.js';
import { loadConfig } from '../local/config.js';
import { startDynalite } from '../local/store/dynalite.js';
import { startServer } from '../local/server.js';
import { ensureBrowserAndBundle, launch } from '../test/browser/chromium.js';
import { jsonClient, signUp } from './client.js';

const DIST = fileURLToPath(new URL('../web/dist', import.meta.url));
const TABLE_NAME = 'containerizer';
const PAGE_ROWS = 50;
const SAMPLES = 5;
const SEED_CONCURRENCY = 4;
/** DynamoDB's BatchWriteItem takes at most 25 items. */
const BATCH = 25;
/** A usable page within this long (ms) is the target. */
const TARGET_MS = 2000;
const EMAIL = 'bench-console@example.com';
const PASSWORD = 'bench-password';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** gzip -9 sizes of the first page's assets and of all assets, bytes. */
export function bundleSizes(): { firstPage: number; all: number } {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const gz = (path: string) => gzipSync(readFileSync(path), { level: 9 }).length;
  const referenced = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
  const assets = readdirSync(join(DIST, 'assets')).map((name) => `assets/${name}`);
  const firstPage = gz(join(DIST, 'index.html')) + referenced.reduce((sum, path) => sum + gz(join(DIST, path)), 0);
  return { firstPage, all: gz(join(DIST, 'index.html')) + assets.reduce((sum, path) => sum + gz(join(DIST, path)), 0) };
}

/** `count` finished runs of one app owned by `ownerId`, created over the last 30 days, written through the run store. */
async function seedRuns(dataDir: string, ownerId: string, appId: string, count: number): Promise<void> {
  const dynamo = await startDynalite(join(dataDir, 'dynamodb'), TABLE_NAME);
  const now = Date.now();
  const ulid = monotonicFactory();
  let next = 0;
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    const items = batch;
    batch = [];
    for (let i = 0; i < items.length; i += BATCH) {
      let request: BatchWriteCommandInput['RequestItems'] = { [TABLE_NAME]: items.slice(i, i + BATCH).map((Item) => ({ PutRequest: { Item } })) };
      while (request && Object.keys(request).length > 0)
        request = (await dynamo.db.doc.send(new BatchWriteCommand({ RequestItems: request }))).UnprocessedItems;
    }
  };
  try {
    await Promise.all(
      Array.from({ length: SEED_CONCURRENCY }, async () => {
        while (next < count) {
          const i = next++;
          const created = now - 30 * 86_400_000 + Math.floor((i / count) * 30 * 86_400_000);
          const at = (ms: number) => new Date(created + ms).toISOString();
          const failed = i % 7 === 0;
          const status = failed ? 'FAILED' : 'SUCCEEDED';
          const exitCode = failed ? 1 : 0;
          const run: Run = {
            runId: ulid(created),
            appId,
            appName: 'bench-console',
            ownerId,
            appVersion: 1,
            image: 'containerizer/busybox:latest',
            command: ['sh', '-c', ':'],
            env: {},
            cpu: 0.25,
            memoryMiB: 512,
            timeoutSeconds: 60,
            retry: { maxAttempts: 1 },
            status,
            trigger: i % 3 === 0 ? 'schedule' : 'manual',
            attempt: 1,
            exitCode,
            stoppedReason: `exited with code ${exitCode}`,
            createdAt: at(0),
            startedAt: at(1000),
            stoppedAt: at(4000),
            durationMs: 3000,
            history: [
              { status: 'PENDING', at: at(0) },
              { status: 'PROVISIONING', at: at(500) },
              { status: 'RUNNING', at: at(1000) },
              { status, at: at(4000), reason: `exited with code ${exitCode}`, exitCode },
            ],
          };
          batch.push(settledRunItem(run));
          if (batch.length === BATCH) await flush();
        }
      }),
    );
    await flush();
  } finally {
    await dynamo.close();
  }
}

/**
 * The item RunStore.insert writes for `run`, as it stands once the run has settled (leaveActive
 * took it out of the sparse active index; its owner's quota marker is gone): written in batches
 * of 25, some fifty times faster than a store call per run on dynalite.
 */
function settledRunItem(run: Run): Record<string, unknown> {
  return {
    ...keys.run(run.runId),
    ...indexAttributes(run.runId, indexKeys.runsOfApp(run.appId), indexKeys.runsOfOwner(run.ownerId), indexKeys.allRuns(runShard(run.runId))),
    [RUN_ORDER.statusRank]: statusRank(run.status),
    ...run,
  };
}

export async function main(runs = 10_000): Promise<{ bundleGzipBytes: number; runsPageMs: number }> {
  ensureBrowserAndBundle();
  const sizes = bundleSizes();
  console.log('\nWeb console (web/dist, gzip -9)');
  console.log(`first page (index.html + entry script + stylesheet): ${kib(sizes.firstPage)}; every asset (with the lazy chart chunk): ${kib(sizes.all)}`);

  const dataDir = mkdtempSync(join(tmpdir(), 'containerizer-bench-console-'));
  const config = { ...loadConfig({ DATA_DIR: dataDir }), port: 0 };
  try {
    // The account and its app, made through the API; then the history, through the store while no server holds the database.
    let server = await startServer(config);
    const call = jsonClient(server.url);
    const token = await signUp(call, EMAIL);
    const { userId } = await call('GET', '/auth/me', undefined, token);
    const app = await call('POST', '/apps', { name: 'bench-console', image: 'containerizer/busybox:latest', command: ['sh', '-c', ':'] }, token);
    await server.close();
    const t0 = performance.now();
    await seedRuns(dataDir, userId, app.appId, runs);
    console.log(`seeded ${runs} finished runs through the run store in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    server = await startServer(config);
    const browser = await launch();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      page.setDefaultTimeout(60_000);
      await page.goto(`${server.url}/signin`);
      await page.getByLabel('E-mail').fill(EMAIL);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Home' }).waitFor();
      const rows = page.locator('[data-testid="runs-table"] tbody tr');
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        await page.goto('about:blank');
        const start = performance.now();
        await page.goto(`${server.url}/runs`);
        await rows.nth(PAGE_ROWS - 1).waitFor();
        times.push(performance.now() - start);
      }
      const runsPageMs = median(times);
      console.log(
        `time to a usable runs page (${PAGE_ROWS} rows shown) with ${runs} runs in the history: median ${runsPageMs.toFixed(0)} ms of ${SAMPLES} ` +
          `(target ≤ ${TARGET_MS} ms) ${runsPageMs <= TARGET_MS ? 'MET' : 'NOT MET'}`,
      );
      return { bundleGzipBytes: sizes.firstPage, runsPageMs };
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv[2] ? Number(process.argv[2]) : undefined);
