/**
 * `npx tsx bench/build-timeline.ts [builds]`: where one dev-mode image build spends its time, as
 * bench/launch-timeline.ts does for a run. Starts the dev server, times every DynamoDB command and
 * Docker Engine API call while a three-file context (bench/image-build.ts's) goes from POST /images
 * to its recorded finishedAt, and the build's output lines, and prints each (but the client's
 * polling reads) as start/end ms since the POST, for the last of
 * `builds` builds (default 3; the first warms the base image's layers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from '../local/config.js';
import { startServer } from '../local/server.js';
import { jsonClient, signUp } from './client.js';
import { benchBuildFiles } from './image-build.js';
import { BuildTracker } from '../local/images/build-tracker.js';

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

// The build's output lines, as the platform reads them.
const see = BuildTracker.prototype.see;
BuildTracker.prototype.see = function (this: BuildTracker, line: string) {
  mark(`build: ${line.slice(0, 70)}`)();
  see.call(this, line);
};

const dataDir = mkdtempSync(join(tmpdir(), 'containerizer-build-timeline-'));
const server = await startServer({ ...loadConfig({ DATA_DIR: dataDir }), port: 0 });
try {
  const client = jsonClient(server.url);
  const accessToken = await signUp(client, 'build-timeline@example.com');
  const call = (method: string, path: string, body?: unknown) => client(method, path, body, accessToken);
  const builds = Number(process.argv[2] ?? 3);
  for (let i = 0; i < builds; i++) {
    events.length = 0;
    t0 = performance.now();
    const wall = Date.now();
    let done = mark('POST /images');
    const image = await call('POST', '/images', { name: `timeline-${i}`, files: benchBuildFiles(`${wall}-${i}`) });
    done();
    done = mark('POST /images/:id/builds');
    const { number } = await call('POST', `/images/${image.imageId}/builds`);
    done();
    let build: { status: string; finishedAt?: string; scan?: unknown };
    for (;;) {
      build = await call('GET', `/images/${image.imageId}/builds/${number}`);
      if (build.status === 'BUILT' || build.status === 'FAILED') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    mark(`client sees ${build.status}; finishedAt at ${Date.parse(build.finishedAt!) - wall} ms`)();
    // The scan that follows is not part of the build.
    while (!(await call('GET', `/images/${image.imageId}/builds/${number}`)).scan) await new Promise((r) => setTimeout(r, 50));
    if (i < builds - 1) continue;
    for (const e of events.sort((a, b) => a.start - b.start).filter((e) => !/db GetCommand$/.test(e.what)))
      console.log(`${e.start.toFixed(1).padStart(7)} ${e.end === undefined ? '       ' : e.end.toFixed(1).padStart(7)}  ${e.what}`);
  }
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
