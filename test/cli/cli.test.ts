/**
 * The CLI end to end: the real `containerizer` command (bin/containerizer.js) as a child
 * process against the real dev server and Docker, as a person or a CI script uses it.
 */
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures.js';
import { Client, IMAGE, startServer, type RunningServer } from '../support/server.js';
import { cli, configHome, startCli } from './support.js';
import { startWebhookSink, verified } from '../support/webhook-sink.js';

let server: RunningServer;
let env: Record<string, string>;
const EMAIL = `cli-${Date.now()}@example.com`;
const dir = mkdtempSync(join(tmpdir(), 'containerizer-apply-'));
const appFile = join(dir, 'hello.yaml');

beforeAll(async () => {
  server = await startServer();
  env = { XDG_CONFIG_HOME: configHome() };
  expect((await new Client(server.url).post('/auth/register', { email: EMAIL, password: PASSWORD })).status).toBe(201);
  writeFileSync(
    appFile,
    [
      '# one app, in the shape POST /apps takes, with a schedule',
      'name: hello',
      `image: ${IMAGE}`,
      "command: [sh, -c, 'echo hello $WHO; sleep 1; echo oops >&2; exit 3']",
      'env: {WHO: world}',
      'timeoutSeconds: 120',
      'schedules:',
      "  - expression: 'cron(0 9 ? * MON-FRI *)'",
      '    overlapPolicy: Forbid',
      '',
    ].join('\n'),
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

/** The run id the CLI printed on stderr (`run <id>`) when it started following. */
const runIdIn = (stderr: string) => /^run (\w{26})$/m.exec(stderr)?.[1];

describe('containerizer', () => {
  it('signs in with the password on stdin and keeps the tokens owner-only; whoami names the account', async () => {
    const login = await cli(['login', '--api', server.url, '--email', EMAIL, '--password-stdin'], { env, input: `${PASSWORD}\n` });
    expect(login.stderr).toContain(`signed in to ${server.url} as ${EMAIL}`);
    expect(login.code).toBe(0);
    const file = join(env.XDG_CONFIG_HOME!, 'containerizer', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    const me = await cli(['whoami', '-o', 'json'], { env });
    expect(JSON.parse(me.stdout)).toMatchObject({ email: EMAIL, api: server.url, profile: 'default' });
    // An expired access token is refreshed unnoticed, and the rotated pair is kept.
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    const { refreshToken } = saved.profiles.default;
    writeFileSync(file, JSON.stringify({ profiles: { default: { ...saved.profiles.default, accessToken: 'expired', expiresAt: 0 } } }));
    expect(JSON.parse((await cli(['whoami', '-o', 'json'], { env })).stdout)).toMatchObject({ email: EMAIL });
    const refreshed = JSON.parse(readFileSync(file, 'utf8')).profiles.default;
    expect(refreshed.refreshToken).not.toBe(refreshToken);
    expect(refreshed.expiresAt).toBeGreaterThan(Date.now());
    // CI: the API and a token from the environment, no file at all.
    const token = refreshed.accessToken as string;
    const ci = await cli(['whoami', '-o', 'json'], { env: { XDG_CONFIG_HOME: configHome(), CONTAINERIZER_API: server.url, CONTAINERIZER_TOKEN: token } });
    expect(JSON.parse(ci.stdout)).toMatchObject({ email: EMAIL });
  });

  it('applies a file twice: the second apply changes nothing (no new version); --dry-run shows a diff and changes nothing', async () => {
    const first = await cli(['apply', '-f', appFile], { env });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('app hello: created (version 1)');
    expect(first.stdout).toContain('schedule hello cron(0 9 ? * MON-FRI *): created');
    const second = await cli(['apply', '-f', dir], { env });
    expect(second.stdout).toContain('app hello: unchanged (version 1)');
    expect(second.stdout).toContain('schedule hello cron(0 9 ? * MON-FRI *): unchanged');

    writeFileSync(join(dir, 'changed.json'), JSON.stringify({ name: 'hello', image: IMAGE, command: ['true'], timeoutSeconds: 120, env: { WHO: 'world' } }));
    const dry = await cli(['apply', '-f', join(dir, 'changed.json'), '--dry-run'], { env });
    expect(dry.stdout).toContain('app hello: would be updated (version 1)\n    - command: ["sh","-c",');
    expect(dry.stdout).toContain('    + command: ["true"]\n');
    const apps = await cli(['get', 'apps', '-o', 'json'], { env });
    expect(JSON.parse(apps.stdout)).toMatchObject([{ name: 'hello', version: 1 }]);
  });

  it("run --follow streams stdout to stdout and stderr to stderr, live, and exits with the job's exit code", async () => {
    const run = startCli(['run', 'hello', '--follow'], { env });
    // "hello world" arrives while the job still sleeps: streamed, not printed at the end.
    await run.waitFor('hello world', 'stdout');
    expect(run.child.exitCode).toBeNull();
    const { code, stdout, stderr } = await run.done;
    expect(code).toBe(3);
    expect(stdout).toBe('hello world\n');
    expect(stderr).toContain('oops\n');
    expect(stderr).not.toMatch(/\bat .+\.ts:\d+/);

    // A 5,000-line job, followed complete and in order; arguments after -- replace the command.
    const many = await cli(['run', 'hello', '--follow', '--', 'sh', '-c', 'seq 1 5000'], { env });
    expect(many.code).toBe(0);
    expect(many.stdout).toBe(Array.from({ length: 5000 }, (_, i) => `${i + 1}\n`).join(''));

    // logs, runs, describe run: the same run read back.
    const runId = runIdIn(many.stderr)!;
    const logs = await cli(['logs', runId], { env });
    expect(logs.stdout.split('\n').slice(0, 3)).toEqual(['1', '2', '3']);
    const runs = JSON.parse((await cli(['runs', '--app', 'hello', '-o', 'json'], { env })).stdout);
    expect(runs.map((r: { runId: string }) => r.runId)).toContain(runId);
    expect(runs.find((r: { runId: string }) => r.runId !== runId)).toMatchObject({ status: 'FAILED', exitCode: 3 });
    const described = JSON.parse((await cli(['describe', 'run', runId, '-o', 'json'], { env })).stdout);
    expect(described).toMatchObject({ runId, status: 'SUCCEEDED', exitCode: 0 });
    expect(described.history.map((h: { status: string }) => h.status)).toEqual(expect.arrayContaining(['PENDING', 'RUNNING', 'SUCCEEDED']));
    const table = await cli(['runs'], { env });
    expect(table.stdout).toMatch(/^RUN ID\s+APP\s+STATUS/);
  });

  it('manages alerts: create (the secret once), list, test, deliveries, mute', async () => {
    const sink = await startWebhookSink();
    try {
      const created = await cli(['alerts', 'create', '--app', 'hello', '--on', 'RUN_FAILED', '--on', 'FAILURE_STREAK=2', '--url', `${sink.url}/cli`], { env });
      expect(created.code).toBe(0);
      const alertId = created.stdout.trim();
      const secret = /signing secret \(shown once\): (whsec_\S+)/.exec(created.stderr)?.[1];
      expect(secret).toBeDefined();
      const list = await cli(['alerts', 'list'], { env });
      expect(list.stdout).toMatch(/^ALERT ID\s+WATCHES\s+CONDITIONS/);
      expect(list.stdout).toContain('RUN_FAILED,FAILURE_STREAK');
      expect(list.stdout).not.toContain(secret);
      expect((await cli(['alerts', 'test', alertId], { env })).stdout).toBe('DELIVERED 200\n');
      expect(verified(sink.received[0]!, secret!)).toMatchObject({ type: 'TEST', alertId });
      const log = JSON.parse((await cli(['alerts', 'deliveries', alertId, '-o', 'json'], { env })).stdout);
      expect(log).toEqual([expect.objectContaining({ status: 'DELIVERED', event: expect.objectContaining({ type: 'TEST' }) })]);
      expect((await cli(['alerts', 'mute', alertId, '--for', '30'], { env })).stderr).toContain('muted until');
      const bad = await cli(['alerts', 'create', '--on', 'SOMETIMES', '--url', sink.url], { env });
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('expected RUN_FAILED');
    } finally {
      await sink.close();
    }
  });

  it('manages schedules: list, next, suspend, resume, fires', async () => {
    const [schedule] = JSON.parse((await cli(['schedules', 'list', '--app', 'hello', '-o', 'json'], { env })).stdout);
    expect(schedule).toMatchObject({ expression: 'cron(0 9 ? * MON-FRI *)', overlapPolicy: 'Forbid', enabled: true });
    const next = await cli(['schedules', 'next', schedule.scheduleId, '--count', '3'], { env });
    expect(next.stdout.trim().split('\n')).toHaveLength(3);
    expect(next.stdout).toMatch(/T09:00:00/);
    expect((await cli(['schedules', 'suspend', schedule.scheduleId], { env })).code).toBe(0);
    expect(JSON.parse((await cli(['schedules', 'list', '-o', 'json'], { env })).stdout)[0].enabled).toBe(false);
    expect((await cli(['schedules', 'resume', schedule.scheduleId], { env })).code).toBe(0);
    expect((await cli(['schedules', 'fires', schedule.scheduleId], { env })).stdout).toMatch(/^SCHEDULED\s+OUTCOME/);
  });

  it('stop of a long run ends the follow with 143 (STOPPED, SIGTERM)', async () => {
    const run = startCli(['run', 'hello', '--follow', '--', 'sh', '-c', 'echo started; exec sleep 600'], { env });
    await run.waitFor('started', 'stdout');
    const runId = runIdIn(run.stderr())!;
    const stop = await cli(['stop', runId, '--grace', '1'], { env });
    expect(stop.code).toBe(0);
    const { code, stderr } = await run.done;
    expect(code).toBe(143);
    expect(stderr).toContain(`run ${runId} STOPPED`);
  });

  it('run --array-size fans out over children; children lists them by index; a failed child makes the exit code 1', async () => {
    const run = await cli(['run', 'hello', '--array-size', '3', '--parallelism', '2', '--wait', '--', 'sh', '-c', 'test "$CONTAINERIZER_ARRAY_INDEX" != 2'], {
      env,
    });
    expect(run.code).toBe(1);
    // The app's listing: newest first, the children (index 2, 1, 0) right before their parent.
    const [c2, c1, c0, parent] = JSON.parse((await cli(['runs', '--app', 'hello', '--limit', '4', '-o', 'json'], { env })).stdout);
    expect(parent).toMatchObject({ status: 'FAILED', arrayProperties: { size: 3, parallelism: 2, statusSummary: { SUCCEEDED: 2, FAILED: 1 } } });
    expect([c2, c1, c0].map((c) => [c.runId, c.parentRunId, c.arrayProperties.index])).toEqual(
      [2, 1, 0].map((index) => [`${parent.runId}-000${index}`, parent.runId, index]),
    );
    const table = (await cli(['runs', '--app', 'hello', '--limit', '4'], { env })).stdout.split('\n');
    expect(table[0]).toMatch(/^RUN ID\s+APP\s+ARRAY\s+STATUS/);
    expect(table.slice(1, 5).map((line) => /(index \d of 3|array of 3)/.exec(line)?.[1])).toEqual([
      'index 2 of 3',
      'index 1 of 3',
      'index 0 of 3',
      'array of 3',
    ]);
    const children = JSON.parse((await cli(['children', parent.runId, '-o', 'json'], { env })).stdout);
    expect(children.map((c: { arrayProperties: { index: number }; status: string }) => [c.arrayProperties.index, c.status])).toEqual([
      [0, 'SUCCEEDED'],
      [1, 'SUCCEEDED'],
      [2, 'FAILED'],
    ]);
    expect((await cli(['children', parent.runId], { env })).stdout).toMatch(/^INDEX\s+ATTEMPT\s+RUN ID\s+STATUS/);
  });

  it('bad input gets a clear message naming what is wrong, a non-zero exit, never a stack trace', async () => {
    const bad = join(dir, 'bad', 'bad.yaml');
    mkdirSync(join(dir, 'bad'));
    writeFileSync(bad, `name: broken\nimage: ${IMAGE}\ncpu: lots\n`);
    const refused = await cli(['apply', '-f', bad], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*\(HTTP 400\)\n\s+cpu: /m);
    const missing = await cli(['run', 'no-such-app', '--follow'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: no app named "no-such-app" (see: containerizer get apps)\n');
    const usage = await cli(['run'], { env });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing required argument 'app'");
    const signedOut = await cli(['get', 'apps'], { env: { XDG_CONFIG_HOME: configHome(), CONTAINERIZER_API: server.url } });
    expect(signedOut.code).toBe(1);
    expect(signedOut.stderr).toContain('Authorization: Bearer');
    for (const out of [refused.stderr, missing.stderr, usage.stderr, signedOut.stderr]) expect(out).not.toMatch(/\n\s+at /);
    const completion = await cli(['completion', 'bash'], { env });
    expect(completion.stdout).toContain('complete -F _containerizer containerizer');
    expect(completion.stdout).toContain('"schedules") words="create list next suspend resume delete fires');
  });
});
