/**
 * How every Lambda function is bundled, written once: lambda-code.ts runs this file as a
 * command (`node --import tsx infra/bundling/bundle.ts <entry file> <out dir>`) when CDK stages an
 * asset, and the tests and bench/lambda.ts call bundleFunction, so what they measure is what is
 * deployed.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { ENTRY_POINTS, type EntryPoint } from '../../shared/function-env.js';
import { NODE_MAJOR } from './node-major.js';
import { awsSdkSchemasTreeShaking } from './aws-sdk-schemas-plugin.js';
import { lambdaCredentialsOnly } from './lambda-credentials-plugin.js';
import { zodEnglishOnly } from './zod-locales-plugin.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The bundle's module name: Lambda's handler `index.<export>` loads index.mjs, as ESM for its extension. */
export const BUNDLE_MODULE = 'index';

/** One bundled function: the entry .mjs file, the size in bytes of it and its chunks, and esbuild's metafile (what is in it). */
export interface Bundle {
  file: string;
  bytes: number;
  metafile: Metafile;
}

/**
 * Bundles `entryFile` into `outDir`/index.mjs (with index.mjs.map) and the chunks it imports
 * (chunk-<hash>.mjs: code splitting, so what the function loads with a dynamic import, such as the
 * cloud's image adapters, is neither parsed nor run at a cold start): minified ESM for
 * Node NODE_MAJOR (node-major.ts) with everything bundled, the AWS SDK included so the deployed code runs the SDK version
 * the tests ran; UTF-8 kept as is rather than \uXXXX escapes; a source map without the sources'
 * text (names and positions are enough for stack traces, and --enable-source-maps parses the map
 * at every cold start); the banner that gives CommonJS dependencies inside the ESM bundle their
 * `require`; zod with its English messages only (zod-locales-plugin.ts); the SDK clients' unused
 * schemas tree-shaken (aws-sdk-schemas-plugin.ts); and no credential providers a Lambda function
 * never reaches (lambda-credentials-plugin.ts).
 * Rejects with esbuild's errors when the build fails.
 */
export async function bundle(entryFile: string, outDir: string): Promise<Bundle> {
  const file = join(outDir, `${BUNDLE_MODULE}.mjs`);
  const result = await build({
    entryPoints: [entryFile],
    outdir: outDir,
    entryNames: BUNDLE_MODULE,
    chunkNames: 'chunk-[hash]',
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${NODE_MAJOR}`,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    charset: 'utf8',
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    plugins: [zodEnglishOnly, awsSdkSchemasTreeShaking, lambdaCredentialsOnly],
    metafile: true,
    logLevel: 'warning',
  });
  // Every .mjs written: the entry and its chunks (those only loaded by a dynamic import too), so the budget counts the whole function.
  const bytes = Object.keys(result.metafile.outputs)
    .filter((output) => output.endsWith('.mjs'))
    .reduce((sum, output) => sum + statSync(output).size, 0);
  return { file, bytes, metafile: result.metafile };
}

/** bundle() of an entry point's file (shared/env.ts's ENTRY_POINTS). */
export function bundleFunction(entryPoint: EntryPoint, outDir: string): Promise<Bundle> {
  return bundle(join(REPO_ROOT, ENTRY_POINTS[entryPoint]), outDir);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const [entryFile, outDir] = process.argv.slice(2);
  if (!entryFile || !outDir) throw new Error('usage: bundle.ts <entry file> <out dir>');
  await bundle(entryFile, outDir);
}
