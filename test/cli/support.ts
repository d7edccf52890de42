/** Test support: the real CLI (bin/containerizer.js) as a child process, with its own config directory. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '../../bin/containerizer.js');

/** A CLI process under way: its output so far, and its end. */
export interface CliProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when `text` has appeared on stderr (or stdout with `stream`); rejects when the process exits first. */
  waitFor(text: string | RegExp, stream?: 'stdout' | 'stderr'): Promise<void>;
  done: Promise<CliResult>;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh config directory (XDG_CONFIG_HOME) for one user of the CLI. */
export function configHome(): string {
  return mkdtempSync(join(tmpdir(), 'containerizer-cli-'));
}

/** Starts `containerizer ...args` with `env` over a clean environment (no CONTAINERIZER_* of the caller's). */
export function startCli(args: string[], options: { env: Record<string, string>; input?: string }): CliProcess {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('CONTAINERIZER_')));
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...base, NO_COLOR: '1', ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const changed = () => listeners.forEach((l) => l());
  child.stdout!.on('data', (d) => ((stdout += d), changed()));
  child.stderr!.on('data', (d) => ((stderr += d), changed()));
  child.stdin!.end(options.input ?? '');
  const done = new Promise<CliResult>((resolve) => child.once('close', (code) => (changed(), resolve({ code, stdout, stderr }))));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    waitFor(text, stream = 'stderr') {
      return new Promise((resolve, reject) => {
        const check = () => {
          const out = stream === 'stdout' ? stdout : stderr;
          if (typeof text === 'string' ? out.includes(text) : text.test(out)) {
            listeners.delete(check);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            listeners.delete(check);
            reject(new Error(`the CLI exited before printing ${text}:\n${stdout}\n${stderr}`));
          }
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs `containerizer ...args` to its end. */
export function cli(args: string[], options: { env: Record<string, string>; input?: string }): Promise<CliResult> {
  return startCli(args, options).done;
}
