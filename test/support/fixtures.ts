/**
 * The tests' one set of fixtures: a valid app body, a domain run with its history, the test
 * image, and waiting on a condition with a deadline (never on a fixed delay).
 */
import type { z } from 'zod';
import type { Run } from '../../shared/domain.js';
import type { AppCreate } from '../../shared/schemas.js';

/** The image every Docker-backed test runs; local/ensure-docker.sh builds it (nothing is ever pulled). */
export const IMAGE = 'containerizer/busybox:latest';
/** An image with Debian's python3 and nothing else (no shell); local/ensure-docker.sh builds it too. */
export const PYTHON_IMAGE = 'containerizer/python:latest';

/** The password of every test account (signedIn registers with it). */
export const PASSWORD = 'correct horse battery';

/** A POST /apps body as a client sends it (defaults left to the API). */
export type AppCreateBody = z.input<typeof AppCreate>;

/** A valid POST /apps body: a unique name, IMAGE and a command that succeeds; `overrides` replace fields. */
export function sampleApp(overrides: Partial<AppCreateBody> = {}): AppCreateBody {
  return { name: `app-${Math.random().toString(36).slice(2, 10)}`, image: IMAGE, command: ['echo', 'hello'], ...overrides };
}

/** A finished (SUCCEEDED) domain run of a sample app with its full history; `overrides` replace fields. */
export function sampleRun(overrides: Partial<Run> = {}): Run {
  return {
    runId: '01J0000000000000000000RUN1',
    appId: '01J0000000000000000000APP1',
    appName: 'report',
    ownerId: 'user-1',
    appVersion: 1,
    image: IMAGE,
    command: ['echo', 'hello'],
    env: { GREETING: 'hi' },
    cpu: 0.25,
    memoryMiB: 512,
    timeoutSeconds: 3600,
    retry: { maxAttempts: 1 },
    status: 'SUCCEEDED',
    trigger: 'manual',
    attempt: 1,
    taskRef: 'container-1',
    exitCode: 0,
    stoppedReason: 'exited with code 0',
    createdAt: '2030-01-01T00:00:00.000Z',
    startedAt: '2030-01-01T00:00:02.000Z',
    stoppedAt: '2030-01-01T00:00:05.000Z',
    durationMs: 3000,
    history: [
      { status: 'PENDING', at: '2030-01-01T00:00:00.000Z' },
      { status: 'PROVISIONING', at: '2030-01-01T00:00:01.000Z' },
      { status: 'RUNNING', at: '2030-01-01T00:00:02.000Z' },
      { status: 'SUCCEEDED', at: '2030-01-01T00:00:05.000Z', reason: 'exited with code 0', exitCode: 0 },
    ],
    ...overrides,
  };
}

/**
 * Polls `probe` every 200 ms until it returns a value other than undefined, and returns it.
 * @throws Error naming `what` when `timeoutMs` (ms) passes first.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
