/**
 * Schedules at scale, in dev mode (`npx tsx bench/schedules.ts`, part of `npm run bench`):
 * 1. N schedules (BENCH_SCHEDULES, default 100,000) created through the schedule service on
 *    dynalite, 32 at a time, each armed in the in-process scheduler: schedules per second, and
 *    the table's items per schedule (a Query of the owner's listing, not a Scan).
 * 2. Fire lateness: 50 every-minute schedules; at the next minute boundary each fires, and the
 *    ledger's `at` minus the slot is its lateness: p50 and p99 (ms). Waits for one boundary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../local/config.js';
import { startServer } from '../local/server.js';
import type { Principal } from '../shared/domain.js';
import { AppCreate } from '../shared/schemas.js';

const COUNT = Number(process.env.BENCH_SCHEDULES ?? 100_000);
const AT_ONCE = 32;
const LATENESS_SCHEDULES = 50;

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

export async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'containerizer-bench-schedules-'));
  const server = await startServer({ ...loadConfig({ DATA_DIR: dataDir, MAX_ACTIVE_RUNS_PER_USER: String(LATENESS_SCHEDULES * 2) }), port: 0 });
  try {
    const { apps, schedules } = server.platform;
    const owner: Principal = { userId: 'bench-owner', email: 'bench@example.com', role: 'user' };
    const app = await apps.create(owner, AppCreate.parse({ name: 'bench-schedules', image: 'containerizer/busybox:latest', command: ['true'] }));

    // 1. Creation: far-future daily schedules, so none fires during the bench.
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        while (next < COUNT) {
          next++;
          await schedules.create(owner, app.appId, { expression: 'cron(0 3 * * ? 2199)', timeZone: 'Europe/Berlin' });
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    let listed = 0;
    for (let cursor: string | undefined; ;) {
      const page = await schedules.list(owner, { appId: app.appId, limit: 1000, cursor });
      listed += page.items.length;
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    console.log(`\nSchedules: ${COUNT} created through the service on dynalite (${AT_ONCE} at a time), each armed in the dev-mode scheduler`);
    console.table({
      create: {
        schedules: COUNT,
        seconds: Math.round(seconds * 10) / 10,
        'per second': Math.round(COUNT / seconds),
        'ms each (mean)': Math.round((seconds * 1000 * AT_ONCE) / COUNT),
      },
    });
    console.log(
      `items per schedule: 1 (the schedule item; its ledger grows by one per slot); listed back: ${listed}/${COUNT} ${listed === COUNT ? 'MET' : 'NOT MET'}`,
    );

    // 2. Lateness: every-minute schedules fire at the next boundary.
    const everyMinute = await Promise.all(
      Array.from({ length: LATENESS_SCHEDULES }, () => schedules.create(owner, app.appId, { expression: 'cron(* * * * ? *)', overlapPolicy: 'Allow' })),
    );
    const boundary = Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
    const lateness: number[] = [];
    for (const s of everyMinute) {
      for (;;) {
        const fire = (await schedules.fires(owner, s.scheduleId, { from: new Date(boundary).toISOString(), limit: 1 })).items.at(-1);
        if (fire) {
          lateness.push(Date.parse(fire.at) - Date.parse(fire.scheduledTime));
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    console.log(`\nFire lateness, ${LATENESS_SCHEDULES} every-minute schedules at one boundary (ledger 'at' − slot), with ${COUNT} other schedules armed`);
    console.table({ lateness: { 'p50 ms': percentile(lateness, 50), 'p99 ms': percentile(lateness, 99), 'max ms': Math.max(...lateness) } });
    for (const s of everyMinute) await schedules.delete(owner, s.scheduleId);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
