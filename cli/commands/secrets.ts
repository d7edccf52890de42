/** secrets set, list, delete: your named, versioned values; a value goes in from stdin or a hidden prompt, never from argv. */
import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import password from '@inquirer/password';
import { unwrap, type Schemas } from '../client.js';
import { examples, globals, sessionOf } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { printData, printList, when } from '../output.js';

type Secret = Schemas['Secret'];

/** The value: all of stdin when it is piped (one trailing newline dropped), else typed at a prompt that does not echo. */
async function readValue(): Promise<string> {
  if (!process.stdin.isTTY) return (await text(process.stdin)).replace(/\r?\n$/, '');
  return password({ message: 'Value:' }, { output: process.stderr });
}

export function secretCommands(program: Command): void {
  const secrets = examples(program.command('secrets').description('Secrets: named, versioned values your apps receive as env variables'), [
    'containerizer secrets set db-pass < db-pass.txt',
    'containerizer secrets list',
  ]);

  examples(
    secrets
      .command('set <name>')
      .description('Keep a value under a name: a new secret (version 1), or the next version of yours. The value is read from stdin, or prompted for')
      .action(async (name: string, _options, command: Command) => {
        const session = await sessionOf(command);
        const value = await readValue();
        if (!value) throw new CliError('the value is empty', EXIT.USAGE);
        const existing = await session.client.GET('/secrets/{name}', { params: { path: { name } } });
        const secret: Secret = existing.response.ok
          ? unwrap(await session.client.PUT('/secrets/{name}', { params: { path: { name } }, body: { value } }))
          : unwrap(await session.client.POST('/secrets', { body: { name, value } }));
        const { output } = globals(command);
        if (output === 'table') process.stderr.write(`secret ${secret.name}: version ${secret.version}\n`);
        else printData(output, secret);
      }),
    [
      'containerizer secrets set db-pass < db-pass.txt',
      'vault read -field=pw kv/db | containerizer secrets set db-pass',
      'containerizer secrets set api-token   # prompts',
    ],
  );

  examples(
    secrets
      .command('list')
      .description('Your secrets: names and versions (never values)')
      .action(async (_options, command: Command) => {
        const session = await sessionOf(command);
        const { items } = unwrap(await session.client.GET('/secrets', { params: { query: { limit: 100 } } }));
        printList(globals(command).output, items, [
          { heading: 'NAME', value: (s) => s.name },
          { heading: 'VERSION', value: (s) => String(s.version) },
          { heading: 'UPDATED', value: (s) => when(s.updatedAt) },
        ]);
      }),
    ['containerizer secrets list', 'containerizer secrets list -o json'],
  );

  examples(
    secrets
      .command('delete <name>')
      .description('Delete a secret and every version (refused while an app references it)')
      .action(async (name: string, _options, command: Command) => {
        const session = await sessionOf(command);
        unwrap(await session.client.DELETE('/secrets/{name}', { params: { path: { name } } }));
        process.stderr.write(`secret ${name} deleted\n`);
      }),
    ['containerizer secrets delete db-pass'],
  );
}
