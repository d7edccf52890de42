/** apply, get apps, describe app, delete app. */
import type { Command } from 'commander';
import { apply, readManifests, type Change } from '../apply.js';
import { unwrap } from '../client.js';
import { allApps, examples, findApp, globals, sessionOf } from '../context.js';
import { paint, printData, printList, when } from '../output.js';

/** One line per change, and with --dry-run (or on an update) each field's before and after. */
function printChanges(changes: Change[], dryRun: boolean): void {
  for (const change of changes) {
    const verb = dryRun && change.action !== 'unchanged' ? `would be ${change.action}` : change.action;
    const colour = change.action === 'created' ? 'green' : change.action === 'updated' ? 'yellow' : 'gray';
    const version = change.version === undefined ? '' : ` (version ${change.version})`;
    process.stdout.write(`${change.kind} ${change.name}: ${paint(verb, colour)}${version}\n`);
    if (change.action === 'unchanged' || (!dryRun && change.action === 'created')) continue;
    for (const [field, { before, after }] of Object.entries(change.fields)) {
      if (before !== undefined) process.stdout.write(paint(`    - ${field}: ${JSON.stringify(before)}\n`, 'red'));
      process.stdout.write(paint(`    + ${field}: ${JSON.stringify(after)}\n`, 'green'));
    }
  }
}

export function appCommands(program: Command): void {
  examples(
    program
      .command('apply')
      .description(
        'Create or update apps (and their schedules) from files in the shape POST /apps takes, YAML or JSON; matched by name. ' +
          'A second apply of the same files changes nothing.',
      )
      .requiredOption('-f, --filename <path...>', 'a file, or a folder of .yaml/.yml/.json files')
      .option('--dry-run', 'show what would change (a diff per field), change nothing')
      .action(async (options: { filename: string[]; dryRun?: boolean }, command: Command) => {
        const manifests = await readManifests(options.filename);
        const changes = await apply(await sessionOf(command), manifests, Boolean(options.dryRun));
        const { output } = globals(command);
        if (output === 'table') printChanges(changes, Boolean(options.dryRun));
        else printData(output, changes);
      }),
    ['containerizer apply -f hello.yaml', 'containerizer apply -f apps/ --dry-run', 'containerizer apply -f hello.yaml -o json'],
  );

  const get = examples(program.command('get').description('List items'), ['containerizer get apps', 'containerizer runs   # run history']);
  examples(
    get
      .command('apps')
      .description('Your apps')
      .action(async (_options, command: Command) => {
        const apps = await allApps(await sessionOf(command));
        printList(globals(command).output, apps, [
          { heading: 'NAME', value: (a) => a.name },
          { heading: 'APP ID', value: (a) => a.appId },
          { heading: 'VERSION', value: (a) => a.version },
          { heading: 'IMAGE', value: (a) => (typeof a.image === 'string' ? a.image : JSON.stringify(a.image)) },
          { heading: 'UPDATED', value: (a) => when(a.updatedAt) },
        ]);
      }),
    ['containerizer get apps', 'containerizer get apps -o yaml'],
  );

  const describe = examples(program.command('describe').description('Show one item in full'), [
    'containerizer describe app hello',
    'containerizer describe run RUN',
  ]);
  examples(
    describe
      .command('app <name>')
      .description('One app (by name or id) and its versions')
      .action(async (name: string, _options, command: Command) => {
        const session = await sessionOf(command);
        const app = await findApp(session, name);
        const versions = unwrap(await session.client.GET('/apps/{appId}/versions', { params: { path: { appId: app.appId } } })).items;
        const { output } = globals(command);
        if (output !== 'table') return printData(output, { ...app, versions });
        printData('yaml', app);
        process.stdout.write('\nVersions:\n');
        printList('table', versions, [
          { heading: 'VERSION', value: (v) => v.version },
          { heading: 'CHANGED', value: (v) => v.changedFields.join(', ') },
          { heading: 'BY', value: (v) => v.updatedBy },
          { heading: 'AT', value: (v) => when(v.updatedAt) },
        ]);
      }),
    ['containerizer describe app hello', 'containerizer describe app hello -o json'],
  );

  const remove = examples(program.command('delete').description('Delete an item'), [
    'containerizer delete app hello',
    'containerizer schedules delete SCHEDULE',
  ]);
  examples(
    remove
      .command('app <name>')
      .description('Delete an app and its schedules (its runs stay in the history)')
      .action(async (name: string, _options, command: Command) => {
        const session = await sessionOf(command);
        const app = await findApp(session, name);
        unwrap(await session.client.DELETE('/apps/{appId}', { params: { path: { appId: app.appId } } }));
        process.stderr.write(`app ${name} deleted\n`);
      }),
    ['containerizer delete app hello'],
  );
}

/** Registers `describe run` etc. on the same parents: the program's `get`/`describe`/`delete` commands. */
export function parentCommand(program: Command, name: string): Command {
  const found = program.commands.find((c) => c.name() === name);
  if (!found) throw new Error(`no command ${name}`);
  return found;
}
