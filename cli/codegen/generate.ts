/**
 * Generates cli/api-types.ts, the CLI's typed view of the API, from the API's own OpenAPI
 * document (openapi-typescript; the client is openapi-fetch). `npm run cli:types` writes it;
 * with `--check` it writes nothing and exits 1 when the committed file is stale
 * (test/cli/api-types.test.ts runs that).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { register } from 'node:module';
import { fileURLToPath } from 'node:url';
import { openApiDocument } from './document.js';

const TARGET = fileURLToPath(new URL('../api-types.ts', import.meta.url));
const HEADER = '// Generated from GET /openapi.json by `npm run cli:types` (cli/codegen/generate.ts). Do not edit.\n\n';

/** The file's text for the current document. */
export async function generatedTypes(): Promise<string> {
  register('./typescript5-hook.mjs', import.meta.url);
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const ast = await openapiTS(JSON.stringify(await openApiDocument()), { alphabetize: true });
  const text = HEADER + astToString(ast);
  const prettier = await import('prettier');
  return prettier.format(text, { ...(await prettier.resolveConfig(TARGET)), filepath: TARGET });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = await generatedTypes();
  if (process.argv.includes('--check')) {
    const current = await readFile(TARGET, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write('cli/api-types.ts is stale: run `npm run cli:types`\n');
      process.exit(1);
    }
  } else {
    await writeFile(TARGET, text);
  }
}
