/** runs get (one run, with its cost) and runs replay (a new run with exactly what an old one ran, POST /runs/{runId}/replay). */
import { Option, type Command } from 'commander';
import { unwrap } from '../client.js';
import { examples, globals, sessionOf } from '../context.js';
import { printData, printList } from '../output.js';
import { finishStartedRun } from '../run-follow.js';
import { parentCommand } from './apps.js';
import { runCostText } from './costs.js';
import { runColumnsOf } from './runs.js';

const HELP = `
The replay runs the image digest the old run recorded (not its tag, which may have moved), its
command or script, env and sidecars. Refused when that digest is gone (410), when the old run
never started (409), or past your monthly budget (402).

Exit codes (with --wait or --follow): as for run (see containerizer run --help): the job's own
exit code, 124 TIMED_OUT, 125 launch failed, 130 Ctrl-C, 137 / 143 killed / stopped.`;

/** Registers `runs get` and `runs replay` under the `runs` command (runCommands). */
export function runSubcommands(program: Command): void {
  const runs = parentCommand(program, 'runs');
  examples(
    runs
      .command('get <runId>')
      .description('One run: its status, exit code, duration and cost (dev mode: what it would cost on Fargate); describe run adds its history')
      .action(async (runId: string, _options, command: Command) => {
        const session = await sessionOf(command);
        const run = unwrap(await session.client.GET('/runs/{runId}', { params: { path: { runId } } }));
        const { output } = globals(command);
        if (output !== 'table') return printData(output, run);
        printList('table', [run], runColumnsOf([run]));
        if (run.cost?.estimate) process.stderr.write(`~ dev mode: ${runCostText(run)} is what the run would cost on Fargate\n`);
      }),
    ['containerizer runs get 01J9Z3Y6W8Q2T5V7X9B1C3D5F7', 'containerizer runs get RUN -o json | jq .cost.totalUsd'],
  );

  examples(
    runs
      .command('replay <runId>')
      .description("Start a new run with exactly what this run ran; with --follow, stream its output and exit with the job's exit code")
      .addOption(new Option('-w, --wait', 'wait for the replay to end, then exit with its exit code').conflicts('follow'))
      .option('-f, --follow', "stream the replay's stdout to stdout and stderr to stderr until it ends")
      .option('--stop-on-interrupt', 'on Ctrl-C stop the replay without asking (scripts)')
      .addHelpText('after', HELP)
      .action(async (runId: string, options: { wait?: boolean; follow?: boolean; stopOnInterrupt?: boolean }, command: Command) => {
        const session = await sessionOf(command);
        const run = unwrap(await session.client.POST('/runs/{runId}/replay', { params: { path: { runId } } }));
        const label = `run ${run.runId} (replay of ${runId})`;
        await finishStartedRun(session, run, { ...options, output: globals(command).output, label });
      }),
    ['containerizer runs replay 01J9Z3Y6W8Q2T5V7X9B1C3D5F7 --follow', 'containerizer runs replay RUN   # prints the new run id'],
  );
}
