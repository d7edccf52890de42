/**
 * The CLI at a real terminal (tmux, its own server socket): the password prompt echoes nothing,
 * and Ctrl-C during `run --follow` asks whether to stop the run.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../support/fixtures.js';
import { IMAGE, signedIn, startServer, waitFor, type RunningServer } from '../support/server.js';
import { BIN, configHome } from './support.js';

const run = promisify(execFile);
/** A tmux server of this test's own: nothing of anyone else's is touched. */
const SOCKET = `containerizer-cli-test-${process.pid}`;
const tmux = (...args: string[]) => run('tmux', ['-L', SOCKET, ...args]);
const screen = async () => (await tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', 'cli')).stdout;

let server: RunningServer;
let email: string;

beforeAll(async () => {
  server = await startServer();
  const client = await signedIn(server.url);
  email = (await client.get('/auth/me')).body.email;
  await client.post('/apps', { name: 'sleeper', image: IMAGE, command: ['sh', '-c', 'echo started; exec sleep 600'], timeoutSeconds: 900 });
  const home = configHome();
  await tmux(
    'new-session',
    '-d',
    '-s',
    'cli',
    '-x',
    '160',
    '-y',
    '50',
    'env',
    `XDG_CONFIG_HOME=${home}`,
    'NO_COLOR=1',
    'PS1=$ ',
    'bash',
    '--norc',
    '--noprofile',
  );
  await tmux('send-keys', '-t', 'cli', `alias containerizer='${process.execPath} ${BIN}'`, 'Enter');
}, 120_000);

afterAll(async () => {
  await tmux('kill-server').catch(() => undefined);
  await server?.stop();
});

/** Waits until the terminal shows `text`; returns the screen. */
const shows = (text: string | RegExp) =>
  waitFor(
    async () => {
      const s = await screen();
      return (typeof text === 'string' ? s.includes(text) : text.test(s)) ? s : undefined;
    },
    90_000,
    `the terminal to show ${text}`,
  );

describe('containerizer at a terminal', () => {
  it('asks for the password without echoing it', async () => {
    await tmux('send-keys', '-t', 'cli', `containerizer login --api ${server.url} --email ${email}`, 'Enter');
    await shows('Password:');
    await tmux('send-keys', '-t', 'cli', '-l', PASSWORD);
    await tmux('send-keys', '-t', 'cli', 'Enter');
    const after = await shows(`as ${email}`);
    expect(after).not.toContain(PASSWORD);
  }, 120_000);

  it('Ctrl-C during run --follow asks whether to stop the run; yes stops it and the CLI exits 143', async () => {
    await tmux('send-keys', '-t', 'cli', 'clear; containerizer run sleeper --follow; echo "EXIT=$?"', 'Enter');
    await shows(/^started$/m);
    await tmux('send-keys', '-t', 'cli', 'C-c');
    await shows('Stop run');
    await tmux('send-keys', '-t', 'cli', 'y');
    await tmux('send-keys', '-t', 'cli', 'Enter');
    const end = await shows(/EXIT=\d+/);
    expect(end).toContain('stopping run');
    expect(end).toMatch(/EXIT=143/);
  }, 180_000);
});
