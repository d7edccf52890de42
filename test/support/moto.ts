/**
 * moto, the Python AWS emulator, for the cloud end-to-end test (test/cloud/moto.test.ts):
 * `moto_server` started on a free loopback port through test/support/moto_server.py (moto with
 * the few patches this project needs, each named for what it patches), behind a small proxy that
 * counts the calls per AWS service (from each request's SigV4 credential scope), so the test can
 * say what it asked of AWS. Free of vitest.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A running moto_server behind the counting proxy. */
export interface Moto {
  /** The proxy's URL: what AWS_ENDPOINT_URL (or a client's `endpoint`) names. */
  endpoint: string;
  /** Calls per service (SigV4 signing name: dynamodb, ecs, logs, events, s3, …) and per operation, since start or the last reset. */
  calls(): { service: Record<string, number>; operation: Record<string, number> };
  /** Everything moto printed so far (its request log and errors). */
  output(): string;
  stop(): Promise<void>;
}

const SERVER_SCRIPT = fileURLToPath(new URL('./moto_server.py', import.meta.url));

/** Why moto cannot run here, or undefined when it can (python3 with the `moto[server]` package). */
export function motoUnavailable(): string | undefined {
  const probe = spawnSync('python3', ['-c', 'import moto, moto.server, flask; print(moto.__version__)'], { encoding: 'utf8' });
  if (probe.error) return `python3 cannot be started: ${probe.error.message}`;
  if (probe.status !== 0) return `python3 cannot import moto's server (pip install 'moto[server]'): ${probe.stderr.trim().split('\n').pop()}`;
  return undefined;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The SigV4 signing name in `authorization` (`Credential=AKID/date/region/SERVICE/aws4_request`). */
function serviceOf(authorization: string | undefined): string {
  return /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(authorization ?? '')?.[1] ?? 'unsigned';
}

/** The operation: JSON protocols name it in X-Amz-Target, query protocols in Action=, S3 by method. */
function operationOf(service: string, method: string, target: string | undefined, body: string): string {
  if (target) return `${service}:${target.split('.').pop()}`;
  const action = /(?:^|&)Action=([A-Za-z0-9]+)/.exec(body)?.[1];
  return `${service}:${action ?? method}`;
}

/**
 * Starts moto_server (patched: test/support/moto_server.py) on a free port and the counting proxy
 * in front of it; resolves once moto answers. Rejects when moto exits before it answers.
 */
export async function startMoto(): Promise<Moto> {
  const motoPort = await freePort();
  const child: ChildProcess = spawn('python3', [SERVER_SCRIPT, '-H', '127.0.0.1', '-p', String(motoPort)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never outlives the test process, even when the caller's hook times out before moto answers.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));

  // Until moto answers or exits: its start is Python importing moto, many seconds on a loaded machine (the caller's hook timeout bounds it).
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited (${child.exitCode}):\n${output}`);
    const up = await fetch(`http://127.0.0.1:${motoPort}/moto-api/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  let service: Record<string, number> = {};
  let operation: Record<string, number> = {};
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const name = serviceOf(req.headers.authorization);
      const op = operationOf(name, req.method ?? 'GET', req.headers['x-amz-target'] as string | undefined, body.toString('latin1'));
      service[name] = (service[name] ?? 0) + 1;
      operation[op] = (operation[op] ?? 0) + 1;
      const upstream = request({ host: '127.0.0.1', port: motoPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', (err) => res.destroy(err));
      upstream.end(body);
    });
  });
  const proxyPort = await listen(proxy);

  return {
    endpoint: `http://127.0.0.1:${proxyPort}`,
    calls: () => ({ service: { ...service }, operation: { ...operation } }),
    output: () => output,
    async stop() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      child.kill('SIGTERM');
      await exited;
      service = {};
      operation = {};
    },
  };
}
