/**
 * `npm run bench`, CLI part (dev mode, in process, Docker): the wall time of
 * `containerizer run APP --follow` of `sh -c :` (a fresh CLI process: start-up, POST, the SSE
 * follow until the end event, exit) against `docker run --rm` of the same image and command,
 * interleaved so both see the same load, as a ratio of medians. `containerizer --help` alone is
 * timed too: the CLI's own start-up (node + tsx), which a bundled CLI would shed.
 * `npx tsx bench/cli.ts [samples]` runs this part alone (default 10 samples).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../local/config.js';
import { startServer } from '../local/server.js';
import { jsonClient, signUp } from './client.js';

const IMAGE = 'containerizer/busybox:latest';
const BIN = join(import.meta.dirname, '..', 'bin', 'containerizer.js');
const run = promisify(execFile);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function timed(step: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await step();
  return performance.now() - t;
}

/** Times the samples and prints the table and the ratio; returns the medians (ms) and the ratio. */
export async function main(samples = 10): Promise<{ cliMs: number; dockerMs: number; ratio: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'containerizer-bench-cli-'));
  const server = await startServer({ ...loadConfig({ DATA_DIR: dataDir }), port: 0 });
  try {
    const call = jsonClient(server.url);
    const token = await signUp(call, 'bench-cli@example.com');
    await call('POST', '/apps', { name: 'bench-cli', image: IMAGE, command: ['sh', '-c', ':'] }, token);
    const env = { ...process.env, CONTAINERIZER_API: server.url, CONTAINERIZER_TOKEN: token, NO_COLOR: '1' };
    const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { env });
    const docker = () => run('docker', ['run', '--rm', IMAGE, 'sh', '-c', ':']);
    // Warm both paths once (tsx's compile cache, the image, the first container).
    await cli('run', 'bench-cli', '--follow');
    await docker();
    const cliMs: number[] = [];
    const dockerMs: number[] = [];
    const helpMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      cliMs.push(await timed(() => cli('run', 'bench-cli', '--follow')));
      dockerMs.push(await timed(docker));
      helpMs.push(await timed(() => cli('--help')));
    }
    const row = (ms: number[]) => ({ 'median ms': Math.round(median(ms)), 'min ms': Math.round(Math.min(...ms)), 'max ms': Math.round(Math.max(...ms)) });
    console.log(`\nCLI: \`containerizer run --follow\` of \`sh -c :\` against \`docker run --rm\` (${samples} each, interleaved)`);
    console.table({ 'containerizer run --follow': row(cliMs), 'docker run --rm': row(dockerMs), 'containerizer --help (start-up only)': row(helpMs) });
    const ratio = median(cliMs) / median(dockerMs);
    console.log(`ratio containerizer run --follow / docker run --rm: ${ratio.toFixed(2)}`);
    return { cliMs: median(cliMs), dockerMs: median(dockerMs), ratio };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) await main(Number(process.argv[2] ?? 10));
