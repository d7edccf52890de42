/**
 * Job results over real HTTP on the real Docker engine: a job posts with its run token through
 * the bridge listener, the token opens nothing else, metrics form a series, and a job that never
 * touches the network reports through its result file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGate, waitForRelease } from '../support/docker.js';
import { sampleApp, waitFor } from '../support/fixtures.js';
import { Client, signedIn, startServer, waitForTerminal, type RunningServer } from '../support/server.js';

/** A sh line that POSTs `json` to the run's result URL with its run token and prints the answer's status. */
const post = (json: string) =>
  `wget -q -O- --header "authorization: Bearer $CONTAINERIZER_RUN_TOKEN" --header 'content-type: application/json' --post-data '${json}' "$CONTAINERIZER_RESULT_URL" && echo posted`;

describe('job results and metrics', () => {
  let server: RunningServer;
  let alice: Client;

  beforeAll(async () => {
    server = await startServer();
    alice = await signedIn(server.url);
  });
  afterAll(() => server.stop());

  async function logLines(runId: string): Promise<string[]> {
    const { body } = await alice.get(`/runs/${runId}/logs`);
    return body.events.map((e: { message: string }) => e.message);
  }

  it('keeps every post, shows the last on the run, plots each metric, and refuses the token everywhere else and after the end', async () => {
    const script = [
      'echo "token=$CONTAINERIZER_RUN_TOKEN id=$CONTAINERIZER_RUN_ID file=$CONTAINERIZER_RESULT_FILE"',
      post('{"perf": 0.5, "rows": 10, "model": "a"}'),
      post('{"perf": 0.93, "rows": 1200, "model": "b"}'),
      'echo waiting',
      'until [ -e /tmp/gate-1 ]; do sleep 0.1; done',
    ].join('\n');
    const app = (await alice.post('/apps', sampleApp({ command: [], script: { language: 'sh', source: script } }))).body;
    const { runId } = (await alice.post(`/apps/${app.appId}/runs`)).body;

    const lines = await waitFor(
      async () => {
        const current = await logLines(runId);
        return current.includes('waiting') ? current : undefined;
      },
      60_000,
      'the job to post twice',
    );
    expect(lines.filter((l) => l.includes('posted'))).toHaveLength(2);
    const [, token, id, file] = /^token=(\S+) id=(\S+) file=(\S+)$/.exec(lines[0]!)!;
    expect(id).toBe(runId);
    expect(file).toBe('/tmp/containerizer-result.json');

    const run = (await alice.get(`/runs/${runId}`)).body;
    expect(run.result).toEqual({ perf: 0.93, rows: 1200, model: 'b' });
    expect(run.env).toEqual(app.env); // the platform's variables are not the run's
    const perf = (await alice.get(`/apps/${app.appId}/metrics?name=perf`)).body;
    expect(perf.items.map((p: { runId: string; value: number }) => [p.runId, p.value])).toEqual([
      [runId, 0.5],
      [runId, 0.93],
    ]);
    expect(Date.parse(perf.items[0].time)).toBeLessThanOrEqual(Date.parse(perf.items[1].time));
    expect((await alice.get(`/apps/${app.appId}/metrics?name=model`)).body.items).toEqual([]);
    const paged = (await alice.get(`/apps/${app.appId}/metrics?name=rows&limit=1`)).body;
    expect(paged.items.map((p: { value: number }) => p.value)).toEqual([10]);
    const rest = (await alice.get(`/apps/${app.appId}/metrics?name=rows&limit=1&cursor=${paged.nextCursor}`)).body;
    expect(rest.items.map((p: { value: number }) => p.value)).toEqual([1200]);

    // The run token, while its run is active: its own route only.
    const job = new Client(server.url, token);
    for (const [method, path] of [
      ['GET', `/runs/${runId}`],
      ['GET', '/runs'],
      ['GET', `/runs/${runId}/logs`],
      ['GET', `/apps/${app.appId}/metrics?name=perf`],
      ['POST', `/runs/${runId}/stop`],
      ['GET', '/auth/me'],
    ] as const) {
      expect([method, path, (await job.call(method, path)).status]).toEqual([method, path, 401]);
    }
    expect((await job.post(`/runs/01J00000000000000000000000/result`, { perf: 1 })).status).toBe(403);
    expect((await alice.post(`/runs/${runId}/result`, { perf: 1 })).status).toBe(401);
    expect((await new Client(server.url, `${runId}.${'A'.repeat(43)}`).post(`/runs/${runId}/result`, { perf: 1 })).status).toBe(401);
    const tooLarge = await job.post(`/runs/${runId}/result`, { blob: 'x'.repeat(65_536) });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('content-type')).toBe('application/problem+json');
    expect((await job.post(`/runs/${runId}/result`, [1, 2])).status).toBe(400);
    expect((await job.post(`/runs/${runId}/result`, '{"perf":')).status).toBe(400);

    await openGate(runId, 1);
    expect((await waitForTerminal(alice, runId)).status).toBe('SUCCEEDED');
    const afterEnd = await job.post(`/runs/${runId}/result`, { perf: 2 });
    expect(afterEnd.status).toBe(403);
    expect(afterEnd.body.detail).toContain('has ended');
  });

  it('picks up the result file of a job that never touches the network when its container stops', async () => {
    const script = `echo '{"accuracy": 0.81, "note": "offline"}' > "$CONTAINERIZER_RESULT_FILE"`;
    const app = (await alice.post('/apps', sampleApp({ command: [], script: { language: 'sh', source: script } }))).body;
    const { runId } = (await alice.post(`/apps/${app.appId}/runs`)).body;
    await waitForTerminal(alice, runId);
    await waitForRelease(runId);
    const run = await waitFor(
      async () => {
        const { body } = await alice.get(`/runs/${runId}`);
        return body.result ? body : undefined;
      },
      30_000,
      'the result file to be read',
    );
    expect(run.result).toEqual({ accuracy: 0.81, note: 'offline' });
    const series = (await alice.get(`/apps/${app.appId}/metrics?name=accuracy`)).body.items;
    expect(series).toEqual([{ time: run.resultAt, runId, value: 0.81 }]);
  });
});
