/**
 * Test support: the real dev-mode server as a child process (`tsx local/main.ts`), on a free
 * loopback port with its own data directory, and a small HTTP client for it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TERMINAL_STATUSES, type RunStatus } from '../../shared/domain.js';
import { PASSWORD, waitFor } from './fixtures.js';

export { IMAGE, waitFor } from './fixtures.js';

export interface RunningServer {
  url: string;
  dataDir: string;
  process: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM (clean) or SIGKILL (a crash); resolves when the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'containerizer-test-'));
}

/** How long (ms) a server may take to start listening. */
const START_TIMEOUT_MS = 90_000;

/**
 * Every test signs in from 127.0.0.1, many times a minute: the sign-in rate limits are lifted
 * unless a test sets them (test/e2e/limits.test.ts does).
 */
const TEST_SIGN_IN_LIMITS = { LOGIN_ATTEMPTS_PER_MINUTE: '100000', REGISTRATIONS_PER_HOUR: '100000', REFRESHES_PER_MINUTE: '100000' };

/** Starts `npm start`'s program (local/main.ts) and waits until it listens. */
export async function startServer(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<RunningServer> {
  const dataDir = options.dataDir ?? tempDataDir();
  const port = await freePort();
  // node itself, not the tsx CLI: the CLI runs the program in a child process, which a SIGKILL would orphan.
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/main.ts'], {
    env: { ...process.env, ...TEST_SIGN_IN_LIMITS, PORT: String(port), DATA_DIR: dataDir, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    // Generous: on a loaded machine, tsx compiling the server alone can take many seconds.
    const timer = setTimeout(() => reject(new Error(`server did not start in ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
    child.stdout!.on('data', () => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    process: child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A client bound to one server and, once signed in, one bearer token. */
export class Client {
  constructor(
    readonly url: string,
    public token?: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
    const res = await fetch(this.url + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (e.g. an event stream): keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get = <T = any>(path: string, headers?: Record<string, string>) => this.call<T>('GET', path, undefined, headers);
  post = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => this.call<T>('POST', path, body, headers);
  patch = <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => this.call<T>('PATCH', path, body, headers);
  delete = <T = any>(path: string) => this.call<T>('DELETE', path);
}

let accounts = 0;

/** Registers a fresh account and returns a client signed in as it. */
export async function signedIn(url: string, email = `user${++accounts}-${Date.now()}@example.com`): Promise<Client> {
  const client = new Client(url);
  const reg = await client.post('/auth/register', { email, password: PASSWORD });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
  const login = await client.post('/auth/login', { email, password: PASSWORD });
  client.token = login.body.accessToken;
  return client;
}

/** Runs the operator's command (`npm run admin -- <action> <email>`, local/admin.ts) on a data dir; resolves with its exit code and output. */
export function adminCommand(dataDir: string, action: string, email: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'local/admin.ts', action, email],
      { env: { ...process.env, DATA_DIR: dataDir }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, output: stdout + stderr }),
    );
  });
}

/** Registers a fresh account, makes it an admin with the operator's command, and returns a client signed in as it (an admin token). */
export async function adminSignedIn(server: Pick<RunningServer, 'url' | 'dataDir'>, email?: string): Promise<Client> {
  const client = await signedIn(server.url, email);
  const { body } = await client.get('/auth/me');
  const granted = await adminCommand(server.dataDir, 'grant', body.email);
  if (granted.code !== 0) throw new Error(`npm run admin -- grant: ${granted.code} ${granted.output}`);
  const login = await client.post('/auth/login', { email: body.email, password: PASSWORD });
  client.token = login.body.accessToken;
  return client;
}

/** Waits until the run reaches a terminal status and returns it (GET /runs/{runId}'s body). */
export function waitForTerminal(client: Client, runId: string, timeoutMs = 90_000) {
  return waitFor(
    async () => {
      const { body } = await client.get(`/runs/${runId}`);
      return (TERMINAL_STATUSES as readonly string[]).includes(body.status) ? body : undefined;
    },
    timeoutMs,
    `run ${runId} to finish`,
  );
}

/**
 * Waits until the run has `status` and returns it. Only for a status the run stays in until the
 * test acts (a long or gated job's RUNNING): a passing status may be missed between polls.
 */
export function waitForStatus(client: Client, runId: string, status: RunStatus, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const { body } = await client.get(`/runs/${runId}`);
      return body.status === status ? body : undefined;
    },
    timeoutMs,
    `run ${runId} to be ${status}`,
  );
}
