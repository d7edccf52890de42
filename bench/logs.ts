/**
 * `npx tsx bench/logs.ts [MB]`: dev mode's log pipeline on a verbose job (default 100 MB of
 * 100-byte lines), with the per-run cap raised above the output so the whole log is kept.
 * Prints: MB/s from the container's start until its log file is complete, against `docker logs`
 * of what Docker keeps of the same output (its own log is capped at 64 MiB); bytes on disk per
 * byte of output; the time of a 1000-line page at the log's end (by cursor) and in its middle
 * (by startTime); the server process's peak resident memory (VmHWM).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import type { Run } from '../shared/domain.js';
import type { LaunchableApp } from '../shared/ports.js';
import { ContainerLogs } from '../local/logs/container-logs.js';
import { DockerRuntime } from '../local/docker/docker-runtime.js';
import { DEFAULT_SANDBOX } from '../local/docker/sandbox-settings.js';

const IMAGE = 'containerizer/busybox:latest';
const LINE = 'x'.repeat(99); // + newline = 100 bytes
const exec = promisify(execFile);
const print = (line: string) => process.stdout.write(line + '\n');

/** Runs the bench on `megabytes` MB of output and prints its figures. */
export async function main(megabytes = 100): Promise<void> {
  const outputBytes = megabytes * 1_000_000;
  const docker = new Docker();
  const logDir = mkdtempSync(join(tmpdir(), 'containerizer-bench-logs-'));
  const logs = new ContainerLogs(docker, logDir, outputBytes * 2);
  const runtime = new DockerRuntime(docker, logs, DEFAULT_SANDBOX);
  const runId = `BENCH${Date.now()}`;
  const run = {
    runId,
    appId: 'BENCH',
    ownerId: 'BENCH',
    image: IMAGE,
    command: ['sh', '-c', `yes ${LINE} | head -c ${outputBytes}`],
    env: {},
    cpu: 1,
    memoryMiB: 256,
  } as unknown as Run;
  try {
    const started = Date.now();
    const ref = await runtime.start({ run, app: {} as LaunchableApp });
    for (;;) {
      const state = await runtime.describe(ref, runId); // completes the log file once STOPPED
      if (state?.lastStatus === 'STOPPED') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const platformSeconds = (Date.now() - started) / 1000;
    const dockerStarted = Date.now();
    const { stdout } = await exec('sh', ['-c', `docker logs --timestamps ${ref} 2>&1 | wc -c`]);
    const dockerSeconds = (Date.now() - dockerStarted) / 1000;
    const dockerBytes = Number(stdout.trim());
    const fileBytes = statSync(logs.fileOf(runId)).size;

    const withRef = { ...run, taskRef: ref };
    let at = Date.now();
    const first = await logs.read(withRef, { limit: 1000 });
    const firstMs = Date.now() - at;
    const middle = first.events[0].timestamp + (platformSeconds * 1000) / 2;
    at = Date.now();
    const byTime = await logs.read(withRef, { limit: 1000, startTime: middle });
    const byTimeMs = Date.now() - at;
    const last = await logs.read(withRef, { limit: 1000, startTime: Date.now() + 60_000 });
    at = Date.now();
    await logs.read(withRef, { limit: 1000, cursor: byTime.nextCursor });
    const byCursorMs = Date.now() - at;
    await runtime.release(ref, runId);

    print(`output: ${megabytes} MB in 100-byte lines`);
    print(`platform: ${(outputBytes / 1e6 / platformSeconds).toFixed(1)} MB/s (start → log file complete, ${platformSeconds.toFixed(1)} s)`);
    print(`docker logs --timestamps of Docker's capped copy (${(dockerBytes / 1e6).toFixed(1)} MB): ${(dockerBytes / 1e6 / dockerSeconds).toFixed(1)} MB/s`);
    print(`bytes on disk per byte of output: ${(fileBytes / outputBytes).toFixed(3)} (${(fileBytes / 1e6).toFixed(1)} MB file)`);
    print(`1000-line page: first ${firstMs} ms, by startTime in the middle ${byTimeMs} ms (${byTime.events.length} lines), by cursor ${byCursorMs} ms`);
    print(`page after the end: ${last.events.length} lines, cursor ${last.nextCursor} = file size ${fileBytes}`);
    print(`bench process VmHWM: ${/VmHWM:\s*(.*)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]}`);
  } finally {
    await runtime.close();
    rmSync(logDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main(Number(process.argv[2] ?? 100));
