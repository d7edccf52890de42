/**
 * The CLI's costs and replays end to end: the real `containerizer` command against the real dev
 * server and Docker: `costs` sums what finished runs cost (table and -o json, per app and month),
 * `runs get` shows a run's cost, and `runs replay --follow` exits with the replay's own exit code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures.js';
import { Client, IMAGE, startServer, waitForTerminal, type RunningServer } from '../support/server.js';
import { cli, configHome } from './support.js';

let server: RunningServer;
let client: Client;
let env: Record<string, string>;
let runId: string;
const EMAIL = `cli-costs-${Date.now()}@example.com`;

beforeAll(async () => {
  server = await startServer();
  env = { XDG_CONFIG_HOME: configHome() };
  client = new Client(server.url);
  expect((await client.post('/auth/register', { email: EMAIL, password: PASSWORD })).status).toBe(201);
  client.token = (await client.post('/auth/login', { email: EMAIL, password: PASSWORD })).body.accessToken;
  expect((await cli(['login', '--api', server.url, '--email', EMAIL, '--password-stdin'], { env, input: `${PASSWORD}\n` })).code).toBe(0);
  const app = await client.post('/apps', { name: 'priced', image: IMAGE, command: ['sh', '-c', 'echo priced; exit 3'], cpu: 1, memoryMiB: 2048 });
  runId = (await client.post(`/apps/${app.body.appId}/runs`)).body.runId;
  await waitForTerminal(client, runId);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('containerizer costs and replays', () => {
  it('runs get shows the run with its cost, marked as what it would cost on Fargate (dev mode)', async () => {
    const table = await cli(['runs', 'get', runId], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/COST/);
    // Fargate's one-minute minimum at 1 vCPU and 2 GB: about $0.0008 (an estimate in dev mode).
    expect(table.stdout).toMatch(/~\$0\.000\d/);
    expect(table.stderr).toContain('would cost on Fargate');
    const json = JSON.parse((await cli(['runs', 'get', runId, '-o', 'json'], { env })).stdout);
    expect(json.cost).toMatchObject({ billedSeconds: 60, estimate: true });
    // The list still lists (runs keeps its own options next to its subcommands).
    expect((await cli(['runs', '--app', 'priced'], { env })).stdout).toContain(runId);
  });

  it('costs sums the runs per app and day or month: a table by app name, and -o json as the API answers', async () => {
    const table = await cli(['costs', '--app', 'priced'], { env });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^DAY\s+APP\s+RUNS/m);
    expect(table.stdout).toMatch(/\d{4}-\d\d-\d\d\s+priced\s+1\s/);
    expect(table.stdout).toMatch(/^total ~\$0\.000\d/m);
    const json = JSON.parse((await cli(['costs', '--by', 'month', '-o', 'json'], { env })).stdout);
    expect(json).toMatchObject({ groupBy: 'app', period: 'month', estimate: true });
    expect(json.lines).toHaveLength(1);
    expect(json.lines[0]).toMatchObject({ period: new Date().toISOString().slice(0, 7), runs: 1 });
    expect(json.totalUsd).toBeCloseTo(json.lines[0].totalUsd, 12);
    // Another schedule's runs: none.
    expect(JSON.parse((await cli(['costs', '--schedule', '01J9Z3Y6W8Q2T5V7X9B1C3D5F7', '-o', 'json'], { env })).stdout).lines).toEqual([]);
    const bad = await cli(['costs', '--by', 'week'], { env });
    expect(bad.code).toBe(2);
  });

  it("runs replay --follow streams the replay and exits with the job's own exit code; an unknown run is refused", async () => {
    const replay = await cli(['runs', 'replay', runId, '--follow'], { env });
    expect(replay.stdout).toBe('priced\n');
    expect(replay.stderr).toMatch(new RegExp(`^run \\w{26} \\(replay of ${runId}\\)$`, 'm'));
    expect(replay.code).toBe(3);
    const newRunId = /^run (\w{26})/m.exec(replay.stderr)![1]!;
    expect((await client.get(`/runs/${newRunId}`)).body).toMatchObject({ replayOf: runId, trigger: 'replay', status: 'FAILED', exitCode: 3 });
    // Without --follow: the new run's id at once.
    const started = await cli(['runs', 'replay', runId], { env });
    expect(started.stdout).toMatch(/^\w{26}\n$/);
    const missing = await cli(['runs', 'replay', '01J9Z3Y6W8Q2T5V7X9B1C3D5F7'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/404/);
    await waitForTerminal(client, started.stdout.trim());
  });
});
