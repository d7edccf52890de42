/**
 * `npx tsx bench/launch-timeline.ts [runs]`: where one dev-mode launch spends its time. Starts the
 * dev server as bench/run.ts does, times every DynamoDB command and Docker Engine API call (and
 * the run workflow's steps) while one run of `sh -c :` goes from POST to its terminal status,
 * and prints each as start/end ms since the POST, for the last of `runs` runs (default 3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isTerminal, type Run } from '../shared/domain.js';
import { loadConfig } from '../local/config.js';
import { jsonClient, signUp } from './client.js';
import { startServer } from '../local/server.js';
import { DockerRuntime } from '../local/docker/docker-runtime.js';
import { LABELS, readLines } from '../local/docker/docker-events.js';
import Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { RunService } from '../shared/services/runs.js';

const IMAGE = 'containerizer/busybox:latest';
const Modem = createRequire(import.meta.url)('docker-modem') as {
  prototype: { dial: (options: { method: string; path: string }, cb: (...a: unknown[]) => void) => unknown };
};

let t0 = 0;
const events: Array<{ what: string; start: number; end?: number }> = [];
const mark = (what: string) => {
  const event = { what, start: performance.now() - t0 } as { what: string; start: number; end?: number };
  events.push(event);
  return () => (event.end = performance.now() - t0);
};

function timeMethods(proto: Record<string, unknown>, names: string[], prefix: string): void {
  for (const name of names) {
    const original = proto[name] as (...args: unknown[]) => unknown;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      const done = mark(`${prefix}.${name}`);
      const out = original.apply(this, args);
      if (out instanceof Promise) return out.finally(done);
      done();
      return out;
    };
  }
}

const send = DynamoDBDocumentClient.prototype.send as (...args: unknown[]) => Promise<unknown>;
DynamoDBDocumentClient.prototype.send = function (this: unknown, ...args: unknown[]) {
  const command = args[0] as { constructor: { name: string }; input: { IndexName?: string } };
  const done = mark(`  db ${command.constructor.name}${command.input.IndexName ? ` ${command.input.IndexName}` : ''}`);
  return send.apply(this, args).finally(done);
} as typeof DynamoDBDocumentClient.prototype.send;

const dial = Modem.prototype.dial;
Modem.prototype.dial = function (options, callback) {
  const done = mark(`  docker ${options.method} ${options.path.replace(/[0-9a-f]{64}/, '<id>').slice(0, 70)}`);
  return dial.call(this, options, (...a: unknown[]) => {
    done();
    callback(...a);
  });
};
timeMethods(DockerRuntime.prototype as never, ['prepare', 'start', 'withLogs', 'release'], 'runtime');
timeMethods(RunService.prototype as never, ['create', 'launch', 'applyTaskStateChange', 'transition', 'settle'], 'runs');

const dataDir = mkdtempSync(join(tmpdir(), 'containerizer-timeline-'));
const server = await startServer({ ...loadConfig({ DATA_DIR: dataDir }), port: 0 });
// Docker's own events, as they arrive here (the platform's watch gets them at about the same time).
const events$ = (await new Docker().getEvents({ filters: { type: ['container'], label: [LABELS.runId] } })) as unknown as Readable;
void readLines(events$, (line) => mark(`docker event ${(JSON.parse(line) as { Action: string }).Action}`)());
try {
  const call = jsonClient(server.url);
  const accessToken = await signUp(call, 'timeline@example.com');
  const app = await call('POST', '/apps', { name: 'timeline', image: IMAGE, command: ['sh', '-c', ':'] }, accessToken);
  const runs = Number(process.argv[2] ?? 3);
  for (let i = 0; i < runs; i++) {
    events.length = 0;
    t0 = performance.now();
    const wall = Date.now();
    const done = mark('POST /apps/:id/runs');
    const { runId } = await call('POST', `/apps/${app.appId}/runs`, undefined, accessToken);
    done();
    let run: Run;
    for (;;) {
      run = await call('GET', `/runs/${runId}`, undefined, accessToken);
      if (isTerminal(run.status)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    mark(`client sees ${run.status}`)();
    await new Promise((r) => setTimeout(r, 300));
    if (i < runs - 1) continue;
    const { history } = (await call('GET', `/runs/${runId}/history`, undefined, accessToken)) as Run;
    for (const h of history) mark(`history ${h.status} at ${Date.parse(h.at) - wall} ms`)();
    for (const e of events.sort((a, b) => a.start - b.start))
      console.log(`${e.start.toFixed(1).padStart(7)} ${e.end === undefined ? '       ' : e.end.toFixed(1).padStart(7)}  ${e.what}`);
  }
} finally {
  events$.destroy();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
