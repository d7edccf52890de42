/**
 * Runs a buildspec (version 0.2) the way CodeBuild runs it, as far as a buildspec can tell:
 * the phases in order, each command in a new `bash -c` that inherits only the exported
 * environment and the working directory the previous command left (CodeBuild keeps no bash
 * arrays or other shell state between commands: aws/aws-cdk#26694), post_build after a failed
 * build with CODEBUILD_BUILD_SUCCEEDING=0, and `env.exported-variables` read at the end.
 * `docker` and `aws` are fakes on PATH that record their arguments, so nothing is built or pulled.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The part of a buildspec this runner reads. */
export interface Buildspec {
  version: string;
  env?: { shell?: string; 'exported-variables'?: string[] };
  phases: Partial<Record<'install' | 'pre_build' | 'build' | 'post_build', { commands: string[] }>>;
}

/** What a run did: each fake `docker`/`aws` call's argv (in order), whether the build phase succeeded, and the exported variables' values. */
export interface BuildspecRun {
  calls: string[][];
  succeeded: boolean;
  exported: Record<string, string | undefined>;
  /** Every command's stderr, for a failing test's message. */
  stderr: string;
}

const FAKE = `#!/usr/bin/env node
const { appendFileSync } = require('node:fs');
const argv = [require('node:path').basename(process.argv[1]), ...process.argv.slice(2)];
appendFileSync(process.env.FAKE_CALLS, JSON.stringify(argv) + '\\n');
if (argv[0] === 'aws') process.stdout.write('token');
if (argv[0] === 'docker' && argv[1] === 'inspect') process.stdout.write(argv[argv.length - 1].replace(/:[^:/]*$/, '') + '@sha256:' + 'ab'.repeat(32) + '\\n');
`;

/**
 * Runs `buildspec` in a scratch directory holding `source` (file name → bytes: what CodeBuild
 * downloads as the source), with `env` as the build's environment variables.
 */
export function runBuildspec(buildspec: Buildspec, source: Record<string, Buffer | string>, env: Record<string, string>): BuildspecRun {
  const root = mkdtempSync(join(tmpdir(), 'containerizer-codebuild-'));
  try {
    const bin = join(root, 'bin');
    const src = join(root, 'src');
    mkdirSync(bin);
    mkdirSync(src);
    for (const tool of ['docker', 'aws']) {
      writeFileSync(join(bin, tool), FAKE);
      chmodSync(join(bin, tool), 0o755);
    }
    for (const [name, content] of Object.entries(source)) writeFileSync(join(src, name), content);
    const calls = join(root, 'calls');
    writeFileSync(calls, '');
    const state = { env: join(root, 'env.sh'), pwd: join(root, 'pwd') };
    writeFileSync(state.pwd, src);
    // The first command's environment: the build's variables, exported.
    const base = { PATH: `${bin}:${process.env.PATH}`, HOME: root, FAKE_CALLS: calls, CODEBUILD_SRC_DIR: src, CODEBUILD_BUILD_SUCCEEDING: '1', ...env };
    writeFileSync(
      state.env,
      Object.entries(base)
        .map(([name, value]) => `export ${name}=${shellQuote(value)}\n`)
        .join(''),
    );

    let stderr = '';
    let succeeded = true;
    const run = (command: string): boolean => {
      // Only the exported environment and the directory survive the command (bash's `export -p` and `pwd`).
      const script = [
        `source ${shellQuote(state.env)}`,
        `cd "$(cat ${shellQuote(state.pwd)})"`,
        `trap 'export -p > ${shellQuote(state.env)}; pwd > ${shellQuote(state.pwd)}' EXIT`,
        command,
      ].join('\n');
      const out = spawnSync('bash', ['-c', script], { env: {}, encoding: 'utf8' });
      stderr += out.stderr;
      return out.status === 0;
    };
    const setSucceeding = (value: string) => writeFileSync(state.env, `${readFileSync(state.env, 'utf8')}export CODEBUILD_BUILD_SUCCEEDING=${value}\n`);
    for (const phase of ['install', 'pre_build', 'build'] as const) {
      for (const command of buildspec.phases[phase]?.commands ?? []) {
        if (!succeeded) break;
        if (!run(command)) {
          succeeded = false;
          setSucceeding('0');
        }
      }
    }
    // post_build runs whether or not the build succeeded.
    for (const command of buildspec.phases.post_build?.commands ?? []) if (!run(command)) break;

    const exportedEnv = spawnSync('bash', ['-c', `source ${shellQuote(state.env)}; env -0`], { env: {}, encoding: 'utf8' }).stdout;
    const values = new Map(exportedEnv.split('\0').map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
    return {
      calls: readFileSync(calls, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as string[]),
      succeeded,
      exported: Object.fromEntries((buildspec.env?.['exported-variables'] ?? []).map((name) => [name, values.get(name)])),
      stderr,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
