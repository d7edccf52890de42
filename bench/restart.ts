/**
 * `npx tsx bench/restart.ts [lines]`: how fast a dev server comes back after a crash with a verbose
 * run's log on disk. Starts `npm start`'s program (local/main.ts) as its own process, runs a job
 * printing `lines` 100-byte lines (default 200,000: a 20 MiB log), SIGKILLs the server once the log
 * is complete, starts it again on the same data directory and times it until it listens and has
 * served a 1000-line page of that log. Target: under 20 s (the server does not read the log
 * before it serves). test/e2e/hostile-jobs.test.ts asserts the behaviour (it serves at once and
 * resumes the log without duplicates); the speed goal is here, away from loaded test machines.
 */
import { rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal, type Run } from '../shared/domain.js';
import { startServer, tempDataDir } from '../test/support/server.js';
import { jsonClient, signUp } from './client.js';

const IMAGE = 'containerizer/busybox:latest';
const LINE = 'x'.repeat(99);
const TARGET_MS = 20_000;
const MIB = 1024 * 1024;
const print = (line: string) => process.stdout.write(line + '\n');

/** Runs the bench and prints its figure. */
export async function main(lines = 200_000): Promise<void> {
  const dataDir = tempDataDir();
  // The server as the tests start it: its own process (a SIGKILL is a crash), on a free port.
  let server = await startServer({ dataDir });
  try {
    const call = jsonClient(server.url);
    const token = await signUp(call, 'restart@example.com');
    const app = await call('POST', '/apps', { name: 'restart', image: IMAGE, command: ['sh', '-c', `yes ${LINE} | head -n ${lines}`] }, token);
    const { runId } = await call('POST', `/apps/${app.appId}/runs`, undefined, token);
    for (;;) {
      if (isTerminal(((await call('GET', `/runs/${runId}`, undefined, token)) as Run).status)) break;
      await sleep(100);
    }
    const logBytes = statSync(join(dataDir, 'logs', `${runId}.log`)).size;

    await server.stop('SIGKILL');
    const restarting = performance.now();
    server = await startServer({ dataDir });
    const page = await jsonClient(server.url)('GET', `/runs/${runId}/logs?limit=1000`, undefined, token);
    const restartMs = performance.now() - restarting;
    if (page.events.length !== 1000) throw new Error(`the page after the restart has ${page.events.length} lines, not 1000`);
    print(
      `\nRestart after a crash with a ${(logBytes / MIB).toFixed(0)} MiB log: listening and a 1000-line page served in ${Math.round(restartMs)} ms (target < ${TARGET_MS} ms) ${restartMs < TARGET_MS ? 'MET' : 'NOT MET'}`,
    );
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main(Number(process.argv[2] ?? 200_000));
