/** Scripts over real HTTP on the real Docker engine: sh on busybox, Python on the python3 image, version diffs. */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForRelease } from '../support/docker.js';
import { IMAGE, PYTHON_IMAGE, sampleApp, type AppCreateBody } from '../support/fixtures.js';
import { signedIn, startServer, waitForTerminal, type Client, type RunningServer } from '../support/server.js';

describe('scripts', () => {
  let server: RunningServer;
  let alice: Client;

  async function app(body: Partial<AppCreateBody>) {
    const reply = await alice.post('/apps', sampleApp({ command: [], ...body }));
    expect(reply.status).toBe(201);
    return reply.body as { appId: string };
  }

  async function runToEnd(appId: string) {
    const reply = await alice.post(`/apps/${appId}/runs`);
    expect(reply.status).toBe(202);
    return waitForTerminal(alice, reply.body.runId);
  }

  async function logLines(runId: string): Promise<string[]> {
    await waitForRelease(runId);
    const { body } = await alice.get(`/runs/${runId}/logs?limit=10000`);
    return body.events.map((e: { message: string }) => e.message);
  }

  beforeAll(async () => {
    server = await startServer();
    alice = await signedIn(server.url);
  });
  afterAll(() => server.stop());

  it('runs a 30 KiB sh script with its args, records its source hash, and logs its output', async () => {
    // 600 distinct echo lines of ~50 bytes: 30 KiB that only runs whole if every byte arrived.
    const lines = Array.from({ length: 600 }, (_, i) => `echo "line ${String(i).padStart(4, '0')} ${'x'.repeat(35)}"`);
    const source = `echo "args: $1 $2"\n${lines.join('\n')}\necho "the end"\n`;
    expect(Buffer.byteLength(source)).toBeGreaterThan(30 * 1024);
    expect(Buffer.byteLength(source)).toBeLessThanOrEqual(32 * 1024);
    const { appId } = await app({ script: { language: 'sh', source, args: ['a b', 'c'] } });

    const done = await runToEnd(appId);
    expect(done).toMatchObject({ status: 'SUCCEEDED', exitCode: 0, appVersion: 1 });
    expect(done.scriptSha256).toBe(createHash('sha256').update(source).digest('hex'));
    const output = await logLines(done.runId);
    expect(output).toHaveLength(602);
    expect(output[0]).toBe('args: a b c');
    expect(output[600]).toBe(`line 0599 ${'x'.repeat(35)}`);
    expect(output.at(-1)).toBe('the end');
  });

  it('runs a Python script with the python3 image, and fails a script whose interpreter the image lacks, saying so', async () => {
    const source = 'import sys, json\nprint(json.dumps({"sum": sum(range(101)), "argv": sys.argv[1:], "major": sys.version_info[0]}))\n';
    const { appId } = await app({ image: PYTHON_IMAGE, script: { language: 'python', source, args: ['--n', '100'] } });
    const done = await runToEnd(appId);
    expect(done).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
    expect((await logLines(done.runId)).map((line) => JSON.parse(line))).toEqual([{ sum: 5050, argv: ['--n', '100'], major: 3 }]);

    const noPython = await app({ image: IMAGE, script: { language: 'python', source } });
    const failed = await runToEnd(noPython.appId);
    expect(failed.status).toBe('FAILED');
    expect(failed.stoppedReason).toContain('the image has no python3 interpreter');
  });

  it('refuses a script with a command, a source over 32 KiB, and a command override of a script run', async () => {
    const both = await alice.post('/apps', sampleApp({ command: ['echo'], script: { language: 'sh', source: 'echo hi' } }));
    expect(both.status).toBe(400);
    expect(both.body.errors).toEqual([{ field: 'command', message: 'must be empty when `script` is set' }]);

    const big = await alice.post('/apps', sampleApp({ command: [], script: { language: 'sh', source: 'x'.repeat(32 * 1024 + 1) } }));
    expect(big.status).toBe(400);
    expect(big.body.errors[0].field).toBe('script.source');

    const { appId } = await app({ script: { language: 'sh', source: 'echo hi' } });
    const override = await alice.post(`/apps/${appId}/runs`, { command: ['echo', 'other'] });
    expect(override.status).toBe(400);
  });

  it('shows what a version changed in the source: who, when, and the changed lines as a unified diff', async () => {
    const v1 = 'echo one\necho two\necho three\n';
    const { appId } = await app({ script: { language: 'sh', source: v1 } });
    const patched = await alice.patch(`/apps/${appId}`, { script: { language: 'sh', source: 'echo one\necho TWO\necho three\necho four\n' } });
    expect(patched.status).toBe(200);
    await alice.patch(`/apps/${appId}`, { timeoutSeconds: 60 });

    const diff = await alice.get(`/apps/${appId}/versions/2/diff`);
    expect(diff.status).toBe(200);
    expect(diff.body).toMatchObject({
      appId,
      version: 2,
      against: 1,
      changedBy: patched.body.updatedBy,
      changedAt: patched.body.updatedAt,
      changedFields: ['script'],
    });
    const changed = diff.body.diff.split('\n').filter((l: string) => /^[-+][^-+]/.test(l));
    expect(changed).toEqual(['-echo two', '+echo TWO', '+echo four']);
    expect(diff.body.diff).toContain('--- v1/script.sh');
    expect(diff.body.diff).toContain('+++ v2/script.sh');

    const across = await alice.get(`/apps/${appId}/versions/3/diff?against=1`);
    expect(across.body.changedFields).toEqual(['timeoutSeconds', 'script']);
    const unchanged = await alice.get(`/apps/${appId}/versions/3/diff`);
    expect(unchanged.body).toMatchObject({ changedFields: ['timeoutSeconds'], diff: '' });
    expect((await alice.get(`/apps/${appId}/versions/4/diff`)).status).toBe(404);
  });
});
