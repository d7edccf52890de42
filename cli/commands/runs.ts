/** run, runs, describe run, logs, stop, kill, results. */
import { Option, type Command } from 'commander';
import { unwrap, type Schemas, type Session } from '../client.js';
import { examples, findApp, globals, sessionOf } from '../context.js';
import { CliError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { duration, parseSince, printData, printList, status, when, type Column } from '../output.js';
import { finishStartedRun, followRun, writeLine } from '../run-follow.js';
import { parentCommand } from './apps.js';
import { runCostText } from './costs.js';

type Run = Schemas['Run'];
const RUN_STATUSES = ['PENDING', 'PROVISIONING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT'];

/** `--env K=V` values collected into an object. */
function collectEnv(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const equals = value.indexOf('=');
  if (equals <= 0) throw new CliError(`--env takes KEY=VALUE, not "${value}"`, EXIT.USAGE);
  return { ...previous, [value.slice(0, equals)]: value.slice(equals + 1) };
}

const EXIT_CODES_HELP = `
Exit codes (with --wait or --follow):
  the job's own exit code   when it ran and exited (0 when it SUCCEEDED)
  124                       the run TIMED_OUT (as GNU timeout)
  125                       the run never started: its launch failed (as docker run)
  130                       Ctrl-C: you left, the run goes on
  137 / 143                 the run was killed / stopped (128 + SIGKILL / SIGTERM)
  1                         the API refused the request (the reason is shown)`;

async function getRun(session: Session, runId: string): Promise<Run> {
  return unwrap(await session.client.GET('/runs/{runId}', { params: { path: { runId } } }));
}

/** The columns of a run in `runs` and `runs get` (with runColumnsOf, the ARRAY column when one is in an array job). */
export const runColumns: Column<Run>[] = [
  { heading: 'RUN ID', value: (r: Run) => r.runId },
  { heading: 'APP', value: (r: Run) => r.appName },
  { heading: 'STATUS', value: (r: Run) => status(r.status) },
  { heading: 'EXIT', value: (r: Run) => r.exitCode },
  { heading: 'TRIGGER', value: (r: Run) => r.trigger },
  { heading: 'CREATED', value: (r: Run) => when(r.createdAt) },
  { heading: 'DURATION', value: (r: Run) => duration(r.durationMs) },
  { heading: 'COST', value: runCostText },
];

/** A run's place in an array job: a child's `index I of SIZE`, a parent's `array of SIZE`; undefined for any other run. */
function arrayPlace(run: Run): string | undefined {
  const array = run.arrayProperties;
  if (!array) return undefined;
  return array.index === undefined ? `array of ${array.size}` : `index ${array.index} of ${array.size}`;
}

/**
 * The columns for `runs`: runColumns, and after APP an ARRAY column when one of them belongs to an array job (a listing
 * shows an array's children beside their parent, each child's RUN ID `<parentRunId>-<index>`).
 */
export function runColumnsOf(runs: Run[]): Column<Run>[] {
  if (!runs.some((run) => run.arrayProperties)) return runColumns;
  const app = runColumns.findIndex((column) => column.heading === 'APP');
  return [...runColumns.slice(0, app + 1), { heading: 'ARRAY', value: arrayPlace }, ...runColumns.slice(app + 1)];
}

export function runCommands(program: Command): void {
  examples(
    program
      .command('run <app> [command...]')
      .description("Start a run of the app; with --follow, stream its output and exit with the job's exit code (like docker run)")
      .option('-e, --env <KEY=VALUE>', 'set a variable for this run (repeatable)', collectEnv)
      .addOption(new Option('-w, --wait', 'wait for the run to end, then exit with its exit code').conflicts('follow'))
      .option('-f, --follow', "stream the run's stdout to stdout and stderr to stderr until it ends")
      .option('--stop-on-interrupt', 'on Ctrl-C stop the run without asking (scripts)')
      .addOption(
        new Option('--array-size <n>', 'an array job of n children (2–10,000), each given CONTAINERIZER_ARRAY_INDEX').argParser(Number).conflicts('follow'),
      )
      .option('--parallelism <p>', 'with --array-size: children running at once at most', (v) => Number(v))
      .addHelpText('after', EXIT_CODES_HELP)
      .action(
        async (
          appName: string,
          commandArgs: string[],
          options: { env?: Record<string, string>; wait?: boolean; follow?: boolean; stopOnInterrupt?: boolean; arraySize?: number; parallelism?: number },
          command: Command,
        ) => {
          const session = await sessionOf(command);
          const app = await findApp(session, appName);
          const body = {
            ...(commandArgs.length > 0 && { command: commandArgs }),
            ...(options.env && { env: options.env }),
            ...(options.arraySize !== undefined && { arrayProperties: { size: options.arraySize } }),
            ...(options.parallelism !== undefined && { parallelism: options.parallelism }),
          };
          const run = unwrap(await session.client.POST('/apps/{appId}/runs', { params: { path: { appId: app.appId } }, body }));
          await finishStartedRun(session, run, { ...options, output: globals(command).output, label: `run ${run.runId}` });
        },
      ),
    [
      'containerizer run hello --follow',
      "containerizer run hello --env WHO=you --follow -- sh -c 'echo hi $WHO; exit 3'   # exits 3",
      'containerizer run nightly --wait && echo done',
      'containerizer run nightly          # prints the run id and returns at once',
      'containerizer run shard --array-size 100 --parallelism 10 --wait   # 100 children, 10 at a time',
    ],
  );

  examples(
    program
      .command('runs')
      .description("Run history, newest first; an array job's children that have been created are listed beside their parent (ARRAY)")
      .option('--app <name>', "only this app's runs")
      .addOption(new Option('--status <status>', 'only runs in this status').choices(RUN_STATUSES))
      .option('--since <time>', 'only runs created since: 10m, 2h, 7d, or an ISO 8601 time')
      .option('--limit <n>', 'at most this many runs', (v) => Number(v), 20)
      .action(async (options: { app?: string; status?: Run['status']; since?: string; limit: number }, command: Command) => {
        const session = await sessionOf(command);
        const appId = options.app ? (await findApp(session, options.app)).appId : undefined;
        const from = options.since ? new Date(parseSince(options.since)).toISOString() : undefined;
        const runs: Run[] = [];
        let cursor: string | undefined;
        do {
          const query = {
            limit: Math.min(100, options.limit - runs.length),
            ...(appId && { appId }),
            ...(options.status && { status: options.status }),
            ...(from && { from }),
            ...(cursor && { cursor }),
          };
          const page = unwrap(await session.client.GET('/runs', { params: { query } }));
          runs.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor && runs.length < options.limit);
        printList(globals(command).output, runs, runColumnsOf(runs));
      }),
    ['containerizer runs', 'containerizer runs --app hello --status FAILED --since 1d', 'containerizer runs -o json'],
  );

  examples(
    program
      .command('children <runId>')
      .description("An array job's children by index (retries after their index), with their status and exit code")
      .option('--limit <n>', 'at most this many children', (v) => Number(v), 1000)
      .action(async (runId: string, options: { limit: number }, command: Command) => {
        const session = await sessionOf(command);
        const children: Run[] = [];
        let cursor: string | undefined;
        do {
          const query = { limit: Math.min(1000, options.limit - children.length), ...(cursor && { cursor }) };
          const page = unwrap(await session.client.GET('/runs/{runId}/children', { params: { path: { runId }, query } }));
          children.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor && children.length < options.limit);
        printList(globals(command).output, children, [
          { heading: 'INDEX', value: (r: Run) => r.arrayProperties?.index },
          { heading: 'ATTEMPT', value: (r: Run) => r.attempt },
          ...runColumns.filter((column) => column.heading !== 'APP' && column.heading !== 'TRIGGER'),
        ]);
      }),
    ['containerizer children 01J9Z3Y6W8Q2T5V7X9B1C3D5F7', 'containerizer children RUN -o json'],
  );

  examples(
    parentCommand(program, 'describe')
      .command('run <runId>')
      .description('One run and its history: every status it went through, with time, reason and exit code')
      .action(async (runId: string, _options, command: Command) => {
        const session = await sessionOf(command);
        const run = await getRun(session, runId);
        const { history } = unwrap(await session.client.GET('/runs/{runId}/history', { params: { path: { runId } } }));
        const { output } = globals(command);
        if (output !== 'table') return printData(output, { ...run, history });
        printData('yaml', run);
        if (run.cost) process.stdout.write(`\nCost: ${runCostText(run)}${run.cost.estimate ? ' (what it would cost on Fargate)' : ''}\n`);
        process.stdout.write('\nHistory:\n');
        printList('table', history, [
          { heading: 'STATUS', value: (h) => status(h.status) },
          { heading: 'AT', value: (h) => when(h.at) },
          { heading: 'EXIT', value: (h) => h.exitCode },
          { heading: 'REASON', value: (h) => h.reason },
        ]);
      }),
    ['containerizer describe run 01J9Z3Y6W8Q2T5V7X9B1C3D5F7'],
  );

  examples(
    program
      .command('logs <runId>')
      .description("A run's log: stdout lines to stdout, stderr lines to stderr")
      .option('-f, --follow', 'follow it live until the run ends, then exit with its exit code')
      .option('--since <time>', 'only lines since: 10m, 2h, or an ISO 8601 time')
      .option('--container <name>', "only this container's lines (the main one is app)")
      .option('--stop-on-interrupt', 'with -f: on Ctrl-C stop the run without asking')
      .action(async (runId: string, options: { follow?: boolean; since?: string; container?: string; stopOnInterrupt?: boolean }, command: Command) => {
        const session = await sessionOf(command);
        const run = await getRun(session, runId);
        const startTime = options.since ? parseSince(options.since) : undefined;
        if (options.follow) {
          process.exitCode = await followRun(session, run, { startTime, container: options.container, stopOnInterrupt: options.stopOnInterrupt });
          return;
        }
        const { output } = globals(command);
        const lines = [];
        let cursor: string | undefined;
        for (;;) {
          const query = {
            limit: 10_000,
            ...(cursor ? { cursor } : startTime !== undefined && { startTime }),
            ...(options.container && { container: options.container }),
          };
          // The route also answers text/event-stream; this request asks for (and gets) a JSON page.
          const page = unwrap(await session.client.GET('/runs/{runId}/logs', { params: { path: { runId }, query } })) as Schemas['LogPage'];
          if (output === 'table') page.events.forEach(writeLine);
          else lines.push(...page.events);
          if (page.nextCursor === cursor || (page.events.length === 0 && !options.container)) break;
          cursor = page.nextCursor;
        }
        if (output !== 'table') printData(output, lines);
      }),
    ['containerizer logs 01J9Z3Y6W8Q2T5V7X9B1C3D5F7', 'containerizer logs 01J9Z3Y6W8Q2T5V7X9B1C3D5F7 -f --since 10m', 'containerizer logs RUN --container db'],
  );

  examples(
    program
      .command('stop <runId>')
      .description('Stop a run: SIGTERM, then SIGKILL after the grace period; it ends STOPPED')
      .option('--grace <seconds>', 'seconds between SIGTERM and SIGKILL (default 10)', (v) => Number(v))
      .action(async (runId: string, options: { grace?: number }, command: Command) => {
        const session = await sessionOf(command);
        const body = options.grace === undefined ? {} : { graceSeconds: options.grace };
        const run = unwrap(await session.client.POST('/runs/{runId}/stop', { params: { path: { runId } }, body }));
        process.stderr.write(`stopping run ${run.runId} (${run.status})\n`);
      }),
    ['containerizer stop RUN', 'containerizer stop RUN --grace 30'],
  );

  examples(
    program
      .command('kill <runId>')
      .description('Kill a run now (SIGKILL); it ends STOPPED')
      .action(async (runId: string, _options, command: Command) => {
        const session = await sessionOf(command);
        const run = unwrap(await session.client.POST('/runs/{runId}/kill', { params: { path: { runId } } }));
        process.stderr.write(`killed run ${run.runId}\n`);
      }),
    ['containerizer kill RUN'],
  );

  examples(
    program
      .command('results <runId>')
      .description('The result the job posted (its numeric fields are metrics)')
      .action(async (runId: string, _options, command: Command) => {
        const run = await getRun(await sessionOf(command), runId);
        if (!run.result) throw new CliError(`run ${runId} has posted no result`);
        const { output } = globals(command);
        printData(output === 'table' ? 'yaml' : output, { runId, resultAt: run.resultAt, result: run.result });
      }),
    ['containerizer results RUN', 'containerizer results RUN -o json | jq .result'],
  );
}
