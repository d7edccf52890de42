/** The CLI's pure rules, without a server: every command's --help has examples; a run's outcome maps to a documented exit code. */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { EXIT, runExitCode } from '../../cli/exit-codes.js';
import { buildProgram } from '../../cli/main.js';
import { parseSince } from '../../cli/output.js';

function allCommands(command: Command): Command[] {
  return [command, ...command.commands.flatMap(allCommands)];
}

describe('containerizer --help', () => {
  it('shows examples on every command', () => {
    const commands = allCommands(buildProgram());
    expect(commands.length).toBeGreaterThan(25);
    for (const command of commands) {
      let text = '';
      command.configureOutput({ writeOut: (s) => (text += s) });
      command.outputHelp();
      expect(text, command.name()).toMatch(/Examples:\n  \$ .*containerizer/);
    }
  });
});

describe('exit codes', () => {
  it("are the job's own when it exited, and the peers' codes for the platform's outcomes", () => {
    expect(runExitCode({ status: 'SUCCEEDED', exitCode: 0 })).toBe(0);
    expect(runExitCode({ status: 'FAILED', exitCode: 3 })).toBe(3);
    expect(runExitCode({ status: 'FAILED', exitCode: 0 })).toBe(EXIT.ERROR);
    expect(runExitCode({ status: 'FAILED' })).toBe(EXIT.LAUNCH_FAILED);
    expect(runExitCode({ status: 'TIMED_OUT', exitCode: 137 })).toBe(124);
    expect(runExitCode({ status: 'STOPPED', exitCode: 143 })).toBe(143);
    expect(runExitCode({ status: 'STOPPED', exitCode: 137 })).toBe(137);
    expect(runExitCode({ status: 'STOPPED' })).toBe(143);
  });

  it('--since takes a duration back from now or an ISO time, and refuses anything else as bad usage', () => {
    expect(parseSince('10m', 1_000_000)).toBe(400_000);
    expect(parseSince('2026-01-01T00:00:00Z')).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(() => parseSince('yesterday')).toThrow(expect.objectContaining({ exitCode: EXIT.USAGE }));
  });
});
