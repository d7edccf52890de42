/**
 * `run --follow` and `logs -f`: a run's log streamed live, stdout lines to stdout and stderr
 * lines to stderr, then the run's outcome as the exit code. Ctrl-C asks whether to stop the run
 * (or stops it with --stop-on-interrupt, or leaves it running when no terminal can answer).
 */
import confirm from '@inquirer/confirm';
import { unwrap, type Schemas, type Session } from './client.js';
import { followLog, type LogLine } from './follow.js';
import { EXIT, runExitCode } from './exit-codes.js';
import { paint, printData, type OutputFormat } from './output.js';

type Run = Schemas['Run'];

/** The main container's name: its lines are printed bare, a sidecar's with its name. */
const MAIN_CONTAINER = 'app';

/** Writes one log line where it belongs. */
export function writeLine(line: LogLine): void {
  const prefix = line.container && line.container !== MAIN_CONTAINER ? paint(`[${line.container}] `, 'gray', process.stderr) : '';
  (line.stream === 'stderr' ? process.stderr : process.stdout).write(`${prefix}${line.message}\n`);
}

/** The query of a run's log follow. */
export function logQuery(options: { startTime?: number; container?: string }): string {
  const query = new URLSearchParams();
  if (options.startTime !== undefined) query.set('startTime', String(options.startTime));
  if (options.container) query.set('container', options.container);
  const text = query.toString();
  return text ? `?${text}` : '';
}

/** How Ctrl-C is handled while following. */
export interface InterruptPolicy {
  /** Stop the run without asking (scripts). */
  stopOnInterrupt?: boolean;
}

/**
 * Follows the run's log until it ends and returns the exit code for its outcome (exit-codes.ts),
 * or EXIT.INTERRUPTED when the user left it running.
 */
export async function followRun(session: Session, run: Run, options: InterruptPolicy & { startTime?: number; container?: string }): Promise<number> {
  const leave = new AbortController();
  let held: LogLine[] | undefined;
  const print = (line: LogLine) => (held ? held.push(line) : writeLine(line));
  let asking = false;
  const onInterrupt = async () => {
    if (asking || leave.signal.aborted) return leave.abort(); // a second Ctrl-C leaves at once
    if (options.stopOnInterrupt) return void (await stopRun(session, run.runId));
    if (!process.stdin.isTTY) return leave.abort();
    asking = true;
    held = [];
    try {
      const stop = await confirm({ message: `Stop run ${run.runId}?`, default: false }, { output: process.stderr, clearPromptOnDone: true });
      if (stop) await stopRun(session, run.runId);
      else leave.abort();
    } catch {
      leave.abort(); // Ctrl-C at the prompt: leave
    } finally {
      asking = false;
      const lines = held;
      held = undefined;
      lines.forEach(writeLine);
    }
  };
  process.on('SIGINT', onInterrupt);
  try {
    const end = await followLog(session, `/runs/${run.runId}/logs${logQuery(options)}`, print, leave.signal);
    if (!end) {
      process.stderr.write(`run ${run.runId} goes on; follow it again with: containerizer logs ${run.runId} -f\n`);
      return EXIT.INTERRUPTED;
    }
    const final = unwrap(await session.client.GET('/runs/{runId}', { params: { path: { runId: run.runId } } }));
    reportOutcome(final);
    return runExitCode(final);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

async function stopRun(session: Session, runId: string): Promise<void> {
  process.stderr.write(`stopping run ${runId}…\n`);
  unwrap(await session.client.POST('/runs/{runId}/stop', { params: { path: { runId } }, body: {} }));
}

/** Says on stderr how a run ended when that is not a plain exit (a script reads the exit code). */
export function reportOutcome(run: Run): void {
  // A job that exited on its own has said what it had to; its exit code is the CLI's.
  if (run.status === 'SUCCEEDED' || (run.status === 'FAILED' && run.exitCode !== undefined)) return;
  const reason = run.stoppedReason ? `: ${run.stoppedReason}` : '';
  process.stderr.write(paint(`run ${run.runId} ${run.status}${reason}`, run.status === 'STOPPED' ? 'yellow' : 'red', process.stderr) + '\n');
}

/** Polls the run until it is over (--wait): 250 ms at first, up to 2 s. */
export async function waitForRun(session: Session, runId: string): Promise<Run> {
  let delay = 250;
  for (;;) {
    const run = unwrap(await session.client.GET('/runs/{runId}', { params: { path: { runId } } }));
    if (['SUCCEEDED', 'FAILED', 'STOPPED', 'TIMED_OUT'].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2000);
  }
}

/**
 * What `run` and `runs replay` do once the API has answered with the new run: print its id (or the
 * run as data) and return; or, with --follow, stream its output; or, with --wait, poll until it ends.
 * Sets process.exitCode to the job's (exit-codes.ts): 125 when the launch failed.
 */
export async function finishStartedRun(
  session: Session,
  run: Run,
  options: InterruptPolicy & { wait?: boolean; follow?: boolean; output: OutputFormat; label: string },
): Promise<void> {
  const { output } = options;
  if (!options.wait && !options.follow) {
    if (output === 'table') process.stdout.write(`${run.runId}\n`);
    else printData(output, run);
    return;
  }
  if (run.status === 'FAILED' && run.exitCode === undefined) {
    reportOutcome(run);
    process.exitCode = EXIT.LAUNCH_FAILED;
    return;
  }
  if (options.follow) {
    process.stderr.write(`${options.label}\n`);
    process.exitCode = await followRun(session, run, { stopOnInterrupt: options.stopOnInterrupt });
    return;
  }
  const final = await waitForRun(session, run.runId);
  if (output === 'table') reportOutcome(final);
  else printData(output, final);
  process.exitCode = runExitCode(final);
}
