/**
 * A finished run is a complete run: with both cores busy, whatever a user reads the moment a run
 * is terminal — its result (dev mode reads the job's result file), its log to the last line, its
 * exit code — is there already, never a moment later.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../shared/domain.js';
import { sampleApp, waitFor } from '../support/fixtures.js';
import { signedIn, startServer, type Client, type RunningServer } from '../support/server.js';

const RUNS = 20;
const LINES = 200;

/** Prints lines 1…LINES−1, writes the result file, then prints the last line: both come at the very end. */
const SCRIPT = [
  `i=1; while [ $i -lt ${LINES} ]; do echo "line $i"; i=$((i+1)); done`,
  `echo "{\\"lines\\": ${LINES}, \\"runId\\": \\"$CONTAINERIZER_RUN_ID\\"}" > "$CONTAINERIZER_RESULT_FILE"`,
  `echo "line ${LINES}"`,
].join('\n');

/** What was there at the first GET /runs/{runId} that showed the run terminal. */
interface Seen {
  runId: string;
  status: string;
  exitCode?: number;
  result?: unknown;
  lastLine?: string;
  lines: number;
}

describe('a finished run is a complete run', () => {
  let server: RunningServer;
  let alice: Client;
  const busy: ChildProcess[] = [];

  beforeAll(async () => {
    // Both cores busy for the whole test, as on a loaded machine.
    for (let i = 0; i < 2; i++) busy.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
    server = await startServer();
    alice = await signedIn(server.url);
  });
  afterAll(async () => {
    for (const child of busy) child.kill('SIGKILL');
    await server?.stop();
  });

  /** Polls the run until it is terminal, then reads its log at once: what a user sees the moment it ends. */
  async function seenAtTerminal(runId: string): Promise<Seen> {
    const run = await waitFor(
      async () => {
        const { body } = await alice.get(`/runs/${runId}`);
        return (TERMINAL_STATUSES as readonly string[]).includes(body.status) ? body : undefined;
      },
      240_000,
      `run ${runId} to finish`,
    );
    const { body: logs } = await alice.get(`/runs/${runId}/logs?limit=${LINES * 2}`);
    const messages = logs.events.map((e: { message: string }) => e.message);
    return { runId, status: run.status, exitCode: run.exitCode, result: run.result, lastLine: messages.at(-1), lines: messages.length };
  }

  it(`has the result, the last log line and the exit code of each of ${RUNS} runs (${LINES} lines each) the moment it is terminal, with both cores busy`, async () => {
    const app = (await alice.post('/apps', sampleApp({ command: [], script: { language: 'sh', source: SCRIPT } }))).body;
    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const created = await alice.post(`/apps/${app.appId}/runs`);
      expect([201, 202]).toContain(created.status);
      runIds.push(created.body.runId);
    }

    const seen = await Promise.all(runIds.map((runId) => seenAtTerminal(runId)));

    const incomplete = seen.filter(
      (s) =>
        s.status !== 'SUCCEEDED' ||
        s.exitCode !== 0 ||
        s.lastLine !== `line ${LINES}` ||
        s.lines !== LINES ||
        JSON.stringify(s.result) !== JSON.stringify({ lines: LINES, runId: s.runId }),
    );
    expect(incomplete).toEqual([]);
  }, 600_000);
});
