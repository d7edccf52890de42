/** `containerizer secrets` end to end: the real CLI against the real dev server; values from stdin, never argv, never printed. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures.js';
import { Client, startServer, type RunningServer } from '../support/server.js';
import { cli, configHome } from './support.js';

let server: RunningServer;
let env: Record<string, string>;
const EMAIL = `cli-secrets-${Date.now()}@example.com`;

beforeAll(async () => {
  server = await startServer();
  env = { XDG_CONFIG_HOME: configHome() };
  expect((await new Client(server.url).post('/auth/register', { email: EMAIL, password: PASSWORD })).status).toBe(201);
  const login = await cli(['login', '--api', server.url, '--email', EMAIL, '--password-stdin'], { env, input: `${PASSWORD}\n` });
  expect(login.code).toBe(0);
}, 120_000);

afterAll(() => server?.stop());

describe('containerizer secrets', () => {
  it('sets a secret from stdin, bumps its version, lists names and versions only, and deletes it', async () => {
    const value = 'multi\nline-value-7f3a';
    const first = await cli(['secrets', 'set', 'db-pass'], { env, input: `${value}\n` });
    expect(first).toMatchObject({ code: 0 });
    expect(first.stderr).toContain('secret db-pass: version 1');
    const second = await cli(['secrets', 'set', 'db-pass', '-o', 'json'], { env, input: 'other-value-9c1d' });
    expect(JSON.parse(second.stdout)).toMatchObject({ name: 'db-pass', version: 2 });

    const listed = await cli(['secrets', 'list'], { env });
    expect(listed.stdout).toMatch(/NAME\s+VERSION\s+UPDATED/);
    expect(listed.stdout).toMatch(/db-pass\s+2/);
    const json = await cli(['secrets', 'list', '-o', 'json'], { env });
    for (const output of [first, second, listed, json].flatMap((r) => [r.stdout, r.stderr])) {
      expect(output).not.toContain('line-value-7f3a');
      expect(output).not.toContain('other-value-9c1d');
    }

    expect((await cli(['secrets', 'set', 'empty'], { env, input: '' })).code).not.toBe(0);
    const deleted = await cli(['secrets', 'delete', 'db-pass'], { env });
    expect(deleted).toMatchObject({ code: 0 });
    expect((await cli(['secrets', 'list', '-o', 'json'], { env })).stdout).not.toContain('db-pass');
  });
});
