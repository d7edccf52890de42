/**
 * Cost and replay over real HTTP on the real Docker engine: a finished run's cost is the price
 * formula for its cpu, memory and duration; GET /costs sums it; a monthly budget refuses the next
 * run (402); maxCostPerRun stops a long run with its reason; a replay runs the old image digest
 * after the tag has moved, and is refused (410) once that image is gone.
 *
 * The prices are overridden (FARGATE_PRICE_*) so that the figures are large and easy to check:
 * 0.25 vCPU / 512 MiB costs $0.003 per s ($0.18 a minimum minute), 1 vCPU / 2048 MiB $0.012 per s.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE, sampleApp, waitFor, type AppCreateBody } from '../support/fixtures.js';
import { signedIn, startServer, waitForTerminal, type Client, type RunningServer } from '../support/server.js';

const VCPU_HOUR = 36;
const GB_HOUR = 3.6;
const BUDGET = 1;

/** Builds `tag` from IMAGE with one file that only this build has; resolves to the image Id. */
async function buildTagged(tag: string, file: string): Promise<string> {
  const dockerfile = `FROM ${IMAGE}\nRUN echo ${file} > /${file}\n`;
  await new Promise<void>((resolve, reject) => {
    const build = spawn('docker', ['build', '-q', '-t', tag, '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    build.stderr.on('data', (d) => (stderr += d));
    build.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`docker build ${tag}: ${stderr}`))));
    build.stdin.end(dockerfile);
  });
  const { stdout } = await promisify(execFile)('docker', ['image', 'inspect', '-f', '{{.Id}}', tag]);
  return stdout.trim();
}

async function removeImage(ref: string): Promise<void> {
  await promisify(execFile)('docker', ['rmi', '-f', ref]).catch(() => undefined);
}

describe('cost and replay', () => {
  let server: RunningServer;
  const repository = `cz-replay-test-${Math.random().toString(36).slice(2, 10)}`;
  const images: string[] = [];

  async function app(client: Client, body: Partial<AppCreateBody>): Promise<string> {
    const reply = await client.post('/apps', sampleApp(body));
    expect(reply.status).toBe(201);
    return reply.body.appId;
  }

  async function start(client: Client, appId: string): Promise<string> {
    const reply = await client.post(`/apps/${appId}/runs`);
    expect(reply.status).toBe(202);
    return reply.body.runId;
  }

  async function logOf(client: Client, runId: string): Promise<string[]> {
    return waitFor(async () => {
      const { body } = await client.get(`/runs/${runId}/logs`);
      return body.events.length > 0 ? body.events.map((e: { message: string }) => e.message) : undefined;
    });
  }

  beforeAll(async () => {
    server = await startServer({
      env: { FARGATE_PRICE_VCPU_HOUR: String(VCPU_HOUR), FARGATE_PRICE_GB_HOUR: String(GB_HOUR), MONTHLY_BUDGET_USD: String(BUDGET) },
    });
  });
  afterAll(async () => {
    await server?.stop();
    for (const image of images) await removeImage(image);
  });

  it('a finished run carries its cost, the price formula for its cpu, memory and duration, and GET /costs sums it', async () => {
    const alice = await signedIn(server.url);
    const appId = await app(alice, { command: ['echo', 'hello'], cpu: 0.25, memoryMiB: 512 });
    const runId = await start(alice, appId);
    const done = await waitForTerminal(alice, runId);
    expect(done.status).toBe('SUCCEEDED');
    const seconds = Math.max(60, Math.ceil(done.durationMs / 1000));
    const fargateUsd = (0.25 * VCPU_HOUR + 0.5 * GB_HOUR) * (seconds / 3600);
    expect(done.cost).toMatchObject({ billedSeconds: seconds, region: 'us-east-1', architecture: 'X86_64', estimate: true });
    expect(done.cost.vcpuHours).toBeCloseTo((0.25 * seconds) / 3600, 12);
    expect(done.cost.gbHours).toBeCloseTo((0.5 * seconds) / 3600, 12);
    expect(done.cost.fargateUsd).toBeCloseTo(fargateUsd, 12);
    expect(done.cost.totalUsd).toBeCloseTo(fargateUsd + done.cost.platformUsd, 12);
    expect(done.cost.priceSource).toContain('overridden');

    const listed = await alice.get(`/runs?appId=${appId}`);
    expect(listed.body.items[0].cost).toEqual(done.cost);

    const report = await alice.get('/costs?groupBy=app&period=day');
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ groupBy: 'app', period: 'day', monthlyBudgetUsd: BUDGET, estimate: true });
    expect(report.body.lines).toEqual([expect.objectContaining({ key: appId, runs: 1, period: done.createdAt.slice(0, 10) })]);
    expect(report.body.lines[0].totalUsd).toBeCloseTo(done.cost.totalUsd, 12);
    expect((await alice.get('/costs?groupBy=planet')).status).toBe(400);
  });

  it("a monthly budget refuses the next run once the owner's runs have cost it (402)", async () => {
    const bob = await signedIn(server.url);
    // $0.72 a run at least: the first two start (spent $0, then $0.72), the third finds $1.44 ≥ $1.
    const appId = await app(bob, { command: ['echo', 'hello'], cpu: 1, memoryMiB: 2048 });
    for (let i = 0; i < 2; i++) expect((await waitForTerminal(bob, await start(bob, appId))).status).toBe('SUCCEEDED');
    const refused = await bob.post(`/apps/${appId}/runs`);
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ status: 402, title: 'Payment Required' });
    expect(refused.body.detail).toContain('monthly budget is $1');
    // Nothing was written for the refused run, and another owner is not affected.
    expect((await bob.get(`/runs?appId=${appId}`)).body.items).toHaveLength(2);
    const carol = await signedIn(server.url);
    expect((await carol.post(`/apps/${await app(carol, {})}/runs`)).status).toBe(202);
  });

  it('maxCostPerRun stops a long run as a timeout derived from its cost, saying so', async () => {
    const dave = await signedIn(server.url);
    // $0.003 per s: $0.012 is 4 s.
    const appId = await app(dave, { command: ['sleep', '600'], cpu: 0.25, memoryMiB: 512, maxCostPerRun: 0.012 });
    const runId = await start(dave, appId);
    expect((await dave.get(`/runs/${runId}`)).body).toMatchObject({ maxCostPerRun: 0.012, timeoutSeconds: 4 });
    const done = await waitForTerminal(dave, runId);
    expect(done).toMatchObject({ status: 'TIMED_OUT', stoppedReason: 'maxCostPerRun reached: $0.012 of Fargate time after 4 s' });
    expect(done.durationMs).toBeLessThan(60_000);
  });

  it('a replay runs the old digest after the tag has moved, and is refused once that image is gone', async () => {
    const erin = await signedIn(server.url);
    const tag = `${repository}:latest`;
    images.push(tag);
    const oldId = await buildTagged(tag, 'only-old');
    images.push(oldId);
    const appId = await app(erin, { image: tag, command: ['sh', '-c', 'cat /only-old /only-new 2>/dev/null; echo end'], env: { GREETING: 'hi' } });
    const first = await waitForTerminal(erin, await start(erin, appId));
    expect(first).toMatchObject({ status: 'SUCCEEDED', image: tag, imageDigest: oldId });
    expect(await logOf(erin, first.runId)).toEqual(['only-old', 'end']);

    // The tag moves to a build without /only-old.
    const newId = await buildTagged(tag, 'only-new');
    images.push(newId);
    expect(newId).not.toBe(oldId);
    const fresh = await waitForTerminal(erin, await start(erin, appId));
    expect(fresh.imageDigest).toBe(newId);
    expect(await logOf(erin, fresh.runId)).toEqual(['only-new', 'end']);

    const replayed = await erin.post(`/runs/${first.runId}/replay`);
    expect(replayed.status).toBe(202);
    expect(replayed.headers.get('location')).toBe(`/runs/${replayed.body.runId}`);
    const replay = await waitForTerminal(erin, replayed.body.runId);
    expect(replay).toMatchObject({
      status: 'SUCCEEDED',
      trigger: 'replay',
      replayOf: first.runId,
      image: oldId,
      imageDigest: oldId,
      command: first.command,
      env: first.env,
    });
    expect(await logOf(erin, replay.runId)).toEqual(['only-old', 'end']);

    // A run that never started ran nothing: there is nothing to replay.
    const missing = await app(erin, { image: `${repository}-missing:1` });
    const failed = await waitForTerminal(erin, await start(erin, missing));
    expect(failed.startedAt).toBeUndefined();
    expect((await erin.post(`/runs/${failed.runId}/replay`)).status).toBe(409);

    // Another owner cannot replay it.
    expect((await (await signedIn(server.url)).post(`/runs/${first.runId}/replay`)).status).toBe(404);

    // The old image is removed: the digest is gone, and the replay says so.
    await waitFor(async () => ((await erin.get(`/runs/${replay.runId}`)).body.status === 'SUCCEEDED' ? true : undefined));
    await removeImage(oldId);
    const gone = await erin.post(`/runs/${first.runId}/replay`);
    expect(gone.status).toBe(410);
    expect(gone.body.detail).toContain(oldId);
  });
});
