/** register, login, logout, whoami, profiles: accounts and the credentials kept for them. */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import password from '@inquirer/password';
import { Session, unwrap } from '../client.js';
import { examples, globals, sessionOf } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { printData, printList } from '../output.js';
import { credentialsFile, listProfiles, resolveTarget, saveProfile } from '../profiles.js';

interface LoginOptions {
  api?: string;
  email?: string;
  token?: string;
  passwordStdin?: boolean;
}

/** The first line of standard input (a password piped in, as `docker login --password-stdin`). */
async function readStdinLine(): Promise<string> {
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

/** One answer typed on the terminal (echoed). */
async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => rl.question(question, (answer) => (rl.close(), resolve(answer.trim()))));
}

/** The password: from stdin when asked, else prompted for on the terminal without echo. */
async function readPassword(options: LoginOptions): Promise<string> {
  if (options.passwordStdin) return readStdinLine();
  if (!process.stdin.isTTY) throw new CliError('no terminal to ask for the password: pipe it with --password-stdin, or use --token', EXIT.USAGE);
  return password({ message: 'Password:' }, { output: process.stderr });
}

async function sessionFor(command: Command, api?: string): Promise<Session> {
  const target = await resolveTarget(globals(command).profile);
  if (api && api !== target.profile.api) target.profile = { api };
  return new Session(target);
}

export function authCommands(program: Command): void {
  examples(
    program
      .command('register')
      .description('Create an account on the API (if the deployment lets you)')
      .option('--api <url>', 'the API (default: the profile’s, else http://127.0.0.1:3000)')
      .requiredOption('--email <email>', 'the e-mail address of the account')
      .option('--password-stdin', 'read the password from standard input')
      .action(async (options: LoginOptions, command: Command) => {
        const session = await sessionFor(command, options.api);
        const user = unwrap(await session.client.POST('/auth/register', { body: { email: options.email!, password: await readPassword(options) } }));
        process.stderr.write(`registered ${user.email}; now: containerizer login --email ${user.email}\n`);
      }),
    ['containerizer register --email me@example.com', 'echo "$PASSWORD" | containerizer register --email me@example.com --password-stdin'],
  );

  examples(
    program
      .command('login')
      .description('Sign in and keep the tokens (refreshed unnoticed) in the profile, owner-only')
      .option('--api <url>', 'the API (default: the profile’s, else http://127.0.0.1:3000)')
      .option('--email <email>', 'the account (asked for when not given)')
      .option('--token <token>', 'keep this access token instead of signing in (it is not refreshed)')
      .option('--password-stdin', 'read the password from standard input')
      .action(async (options: LoginOptions, command: Command) => {
        const session = await sessionFor(command, options.api);
        if (options.token) {
          Object.assign(session.target.profile, { accessToken: options.token, refreshToken: undefined, expiresAt: undefined });
          const me = unwrap(await session.client.GET('/auth/me'));
          await saveProfile(session.target.name, { ...session.target.profile, email: me.email });
          process.stderr.write(`signed in to ${session.api} as ${me.email} (profile ${session.target.name})\n`);
          return;
        }
        const email = options.email ?? (process.stdin.isTTY ? await ask('E-mail: ') : undefined);
        if (!email) throw new CliError('say which account: --email', EXIT.USAGE);
        const tokens = unwrap(await session.client.POST('/auth/login', { body: { email, password: await readPassword(options) } }));
        await session.signedIn(tokens, email);
        process.stderr.write(`signed in to ${session.api} as ${email} (profile ${session.target.name}, ${credentialsFile()})\n`);
      }),
    [
      'containerizer login --email me@example.com',
      'containerizer --profile prod login --api https://api.example.com --email me@example.com',
      'CONTAINERIZER_API=https://api.example.com CONTAINERIZER_TOKEN=$TOKEN containerizer get apps   # CI: no login',
    ],
  );

  examples(
    program
      .command('logout')
      .description("Forget the profile's tokens")
      .action(async (_options, command: Command) => {
        const target = await resolveTarget(globals(command).profile);
        await saveProfile(target.name, undefined);
        process.stderr.write(`signed out (profile ${target.name})\n`);
      }),
    ['containerizer logout', 'containerizer --profile prod logout'],
  );

  examples(
    program
      .command('whoami')
      .description('The signed-in account, its API and profile')
      .action(async (_options, command: Command) => {
        const session = await sessionOf(command);
        const me = unwrap(await session.client.GET('/auth/me'));
        const { output } = globals(command);
        printData(output === 'table' ? 'yaml' : output, { ...me, api: session.api, profile: session.target.name });
      }),
    ['containerizer whoami', 'containerizer whoami -o json'],
  );

  examples(
    program
      .command('profiles')
      .description('The profiles kept (one per deployment): name, API, account')
      .action(async (_options, command: Command) => {
        const profiles = Object.entries(await listProfiles()).map(([name, p]) => ({ name, api: p.api, email: p.email, signedIn: Boolean(p.accessToken) }));
        printList(globals(command).output, profiles, [
          { heading: 'PROFILE', value: (p) => p.name },
          { heading: 'API', value: (p) => p.api },
          { heading: 'ACCOUNT', value: (p) => p.email },
          { heading: 'SIGNED IN', value: (p) => (p.signedIn ? 'yes' : 'no') },
        ]);
      }),
    ['containerizer profiles'],
  );
}
