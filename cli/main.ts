/**
 * The `containerizer` command: the platform's client for people and scripts (bin/containerizer.js
 * runs it). Every failure is one clear message on stderr and a documented exit code (exit-codes.ts),
 * never a stack trace.
 */
import { Command, CommanderError, Option } from 'commander';
import { appCommands } from './commands/apps.js';
import { authCommands } from './commands/auth.js';
import { completionCommand } from './commands/completion.js';
import { costCommands } from './commands/costs.js';
import { imageCommands } from './commands/images.js';
import { runCommands } from './commands/runs.js';
import { runSubcommands } from './commands/runs-subcommands.js';
import { scheduleCommands } from './commands/schedules.js';
import { secretCommands } from './commands/secrets.js';
import { alertCommands } from './commands/alerts.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { OUTPUT_FORMATS, paint } from './output.js';

/** The program with every command. */
export function buildProgram(): Command {
  const program = new Command('containerizer')
    .description('Run containerized jobs: apps, runs, logs, schedules and images of a Containerizer API')
    .option('--profile <name>', 'the profile (deployment) to use (default: $CONTAINERIZER_PROFILE, else default)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Environment: CONTAINERIZER_API and CONTAINERIZER_TOKEN (CI: no login), CONTAINERIZER_PROFILE, NO_COLOR.
Credentials: $XDG_CONFIG_HOME/containerizer/credentials.json (default ~/.config/…), owner-only.

Examples:
  $ containerizer login --email me@example.com
  $ containerizer apply -f hello.yaml
  $ containerizer run hello --follow`,
    );
  authCommands(program);
  appCommands(program);
  runCommands(program);
  runSubcommands(program);
  costCommands(program);
  scheduleCommands(program);
  imageCommands(program);
  secretCommands(program);
  alertCommands(program);
  completionCommand(program);
  // Usage errors exit 2 (as getopt tools do), every command included.
  const exitOverride = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(exitOverride);
  };
  exitOverride(program);
  return program;
}

/** Runs the CLI with `argv` (process.argv) and sets the exit code. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = report(err);
  }
}

/** Shows a failure as one message and returns its exit code. */
function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has printed its message already; help and --version are not failures.
    return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  const message = err instanceof CliError ? err.message : err instanceof Error ? err.message : String(err);
  process.stderr.write(`${paint('error:', 'red', process.stderr)} ${message}\n`);
  return err instanceof CliError ? err.exitCode : EXIT.ERROR;
}
