import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, type ILocalBundling } from 'aws-cdk-lib';
import { Code, Runtime } from 'aws-cdk-lib/aws-lambda';
import { ENTRY_POINTS, type EntryPoint } from '../../shared/function-env.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUNDLE_COMMAND = fileURLToPath(new URL('./bundle.ts', import.meta.url));

/**
 * Bundles one entry file into CDK's asset output directory with bundle.ts, in a child node
 * process: tryBundle must return synchronously, and esbuild runs plugins only in its async API.
 * Its fields are what CDK's asset cache keys on, so functions sharing an entry file share one bundle.
 */
class LocalBundling implements ILocalBundling {
  constructor(readonly entryFile: string) {}

  /** Throws (failing the synth) with esbuild's errors on stderr when the build fails; never defers to Docker. */
  tryBundle(outputDir: string): boolean {
    execFileSync(process.execPath, ['--import', 'tsx', BUNDLE_COMMAND, this.entryFile, outputDir], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    return true;
  }
}

/**
 * The code of an entry point's function (shared/env.ts's ENTRY_POINTS): bundle.ts's index.mjs and
 * its source map, bundled locally at synth (skipped, as for any asset, for stacks outside
 * `aws:cdk:bundling-stacks`). The asset is hashed by its output, as NodejsFunction's is, so the
 * repository is never fingerprinted.
 */
export function bundledCode(entryPoint: EntryPoint): Code {
  return Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type, never run: local bundling always succeeds or throws.
      image: Runtime.NODEJS_24_X.bundlingImage,
      local: new LocalBundling(join(REPO_ROOT, ENTRY_POINTS[entryPoint])),
    },
  });
}
