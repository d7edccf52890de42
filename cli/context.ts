/** What every command needs: the session of the chosen profile, the output format, and look-ups by name. */
import type { Command } from 'commander';
import { Session, unwrap, type Schemas } from './client.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { OUTPUT_FORMATS, type OutputFormat } from './output.js';
import { resolveTarget } from './profiles.js';

/** The global options (on the program, read from any sub-command). */
export interface GlobalOptions {
  profile?: string;
  output: OutputFormat;
}

/** The global options as `command` sees them. */
export function globals(command: Command): GlobalOptions {
  const options = command.optsWithGlobals() as GlobalOptions;
  if (!OUTPUT_FORMATS.includes(options.output)) throw new CliError(`-o takes ${OUTPUT_FORMATS.join(', ')}, not "${options.output}"`, EXIT.USAGE);
  return options;
}

/** The session of the command's profile. */
export async function sessionOf(command: Command): Promise<Session> {
  return new Session(await resolveTarget(globals(command).profile));
}

/** Every app of the caller, following the pages. */
export async function allApps(session: Session): Promise<Schemas['App'][]> {
  const apps: Schemas['App'][] = [];
  let cursor: string | undefined;
  do {
    const page = unwrap(await session.client.GET('/apps', { params: { query: { limit: 100, ...(cursor && { cursor }) } } }));
    apps.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return apps;
}

/** A ULID, as the API's ids are. */
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;

/** The app named `nameOrId` (or with that id); a CliError when there is none. */
export async function findApp(session: Session, nameOrId: string): Promise<Schemas['App']> {
  const found = (await allApps(session)).find((app) => app.name === nameOrId || (ULID.test(nameOrId) && app.appId === nameOrId));
  if (!found) throw new CliError(`no app named "${nameOrId}" (see: containerizer get apps)`);
  return found;
}

/** Adds the same examples block to a command's --help. */
export function examples(command: Command, lines: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`);
}
