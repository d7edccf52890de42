/**
 * `npx tsx bench/soak.ts [runs] [idleSeconds] [serverDir]`: does a long-running dev server stay
 * flat? Starts `npm start`'s program (local/main.ts, from `serverDir`, default this checkout) as
 * its own process with the JavaScript heap capped at 160 MB, drives `runs` runs (default 1,000;
 * ten at a time, each printing 50 log lines and writing a result file) through the API, and
 * prints the server's resident memory (VmRSS) and open file descriptors after 100 runs, after
 * every further tenth of them, after the last, and after `idleSeconds` (default 60) idle. Target:
 * the figures after 100 runs, after the last and after the idle minute within 64 MiB of each other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal, type Run } from '../shared/domain.js';
import { jsonClient, signUp } from './client.js';

const IMAGE = 'containerizer/busybox:latest';
const CONCURRENT = 10;
const LINES = 50;
const FIRST_CHECKPOINT = 100;
/** Within this much of each other (MiB), the server counts as flat. */
const FLAT_MIB = 64;
const HEAP_CAP_MB = 160;
const POLL_MS = 50;
/** How often the soak signs in again (ms), well within an access token's 15 minutes. */
const RESIGN_IN_MS = 5 * 60_000;
const MIB = 1024 * 1024;
const print = (line: string) => process.stdout.write(line + '\n');

/** The server's resident memory (MiB) and open file descriptors. */
function footprint(pid: number): { rssMiB: number; fds: number } {
  const rssKiB = Number(/VmRSS:\s*(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN);
  return { rssMiB: Math.round((rssKiB * 1024) / MIB), fds: readdirSync(`/proc/${pid}/fd`).length };
}

/** Starts local/main.ts of `serverDir` on a free port with its heap capped; resolves once it listens. */
async function startServerProcess(serverDir: string, dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await new Promise<number>((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, '--import', 'tsx', 'local/main.ts'], {
    cwd: serverDir,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, MAX_ACTIVE_RUNS_PER_USER: String(CONCURRENT), POWERTOOLS_LOG_LEVEL: 'INFO' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((done, fail) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString();
      if (head.includes('listening on')) {
        // From here on its output is only drained.
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        done();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`the server exited with ${code} before listening:\n${head}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Runs the soak and prints its figures. */
export async function main(runs = 1000, idleSeconds = 60, serverDir = process.cwd()): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'containerizer-soak-'));
  const { url, child } = await startServerProcess(resolve(serverDir), dataDir);
  const pid = child.pid!;
  try {
    const call = jsonClient(url);
    const credentials = { email: 'soak@example.com', password: 'bench-password' };
    let token = await signUp(call, credentials.email);
    let signedInAt = Date.now();
    const api = async (method: string, path: string, body?: unknown) => {
      // A soak outlasts an access token (15 min): sign in again well before it expires.
      if (Date.now() - signedInAt > RESIGN_IN_MS) {
        signedInAt = Date.now();
        token = (await call('POST', '/auth/login', credentials)).accessToken;
      }
      return call(method, path, body, token);
    };
    const script = `i=1; while [ $i -le ${LINES} ]; do echo "soak line $i of the run's output"; i=$((i+1)); done; echo '{"lines": ${LINES}}' > "$CONTAINERIZER_RESULT_FILE"`;
    const app = await api('POST', '/apps', { name: 'soak', image: IMAGE, command: ['sh', '-c', script] });

    const start = footprint(pid);
    print(`\nSoak: ${runs} runs, ${CONCURRENT} at a time, ${LINES} log lines and a result file each; server heap capped at ${HEAP_CAP_MB} MB`);
    print(`before any run: RSS ${start.rssMiB} MiB, ${start.fds} fds`);
    const figures: Array<{ label: string; rssMiB: number; fds: number }> = [];
    const every = Math.max(FIRST_CHECKPOINT, Math.round(runs / 10));
    let started = 0;
    let finished = 0;
    let failed = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENT }, async () => {
        while (started < runs) {
          started++;
          const { runId } = await api('POST', `/apps/${app.appId}/runs`);
          let run: Run;
          for (;;) {
            run = (await api('GET', `/runs/${runId}`)) as Run;
            if (isTerminal(run.status)) break;
            await sleep(POLL_MS);
          }
          if (run.status !== 'SUCCEEDED') failed++;
          finished++;
          if (finished === FIRST_CHECKPOINT || (finished > FIRST_CHECKPOINT && finished % every === 0) || finished === runs) {
            const now = footprint(pid);
            figures.push({ label: `after ${finished} runs`, ...now });
            print(`after ${finished} runs (${((performance.now() - t0) / 1000).toFixed(0)} s): RSS ${now.rssMiB} MiB, ${now.fds} fds`);
          }
        }
      }),
    );
    // Let the last runs be released before the idle clock starts.
    await sleep(idleSeconds * 1000);
    const idle = { label: `after ${idleSeconds} s idle`, ...footprint(pid) };
    figures.push(idle);
    print(`after ${idleSeconds} s idle: RSS ${idle.rssMiB} MiB, ${idle.fds} fds`);
    const compared = [figures.find((f) => f.label === `after ${Math.min(FIRST_CHECKPOINT, runs)} runs`) ?? figures[0]!, figures.at(-2)!, idle];
    const spread = Math.max(...compared.map((f) => f.rssMiB)) - Math.min(...compared.map((f) => f.rssMiB));
    print(`${failed} of ${runs} runs did not succeed`);
    print(
      `RSS ${compared.map((f) => `${f.label} ${f.rssMiB} MiB`).join(', ')}: spread ${spread} MiB (target ≤ ${FLAT_MIB}) ${spread <= FLAT_MIB ? 'MET' : 'NOT MET'}`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('exit', done));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 60), process.argv[4]);
}
