import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** A top-level string constant of a schemas module: `const _h = "http";` (no escapes). */
const STRING_CONST = /^const (_\w+) = "([^"\\]*)";$/gm;

/** A computed object key naming one: `{ [_h]: … }`. */
const COMPUTED_KEY = /\[(_\w+)\]:/g;

/**
 * An esbuild plugin that lets esbuild drop the unused operation and shape schemas of the AWS
 * SDK v3 clients (and of the nested clients of the credential providers). Each client's `dist-es/schemas/schemas_0.js` declares every schema of the
 * service, and their traits use computed keys naming string constants (`{ [_h]: ["PUT", "/"] }`);
 * esbuild must assume a computed key may run code (a `toString`), so it keeps every schema and
 * everything they name (S3 alone: ~70 KiB). The keys are rewritten to the constants' string
 * literals, the same object, so unused schemas are side-effect free and tree-shaken.
 */
export const awsSdkSchemasTreeShaking: Plugin = {
  name: 'aws-sdk-schemas-tree-shaking',
  setup(build) {
    build.onLoad(
      { filter: /[\\/]node_modules[\\/]@aws-sdk[\\/](?:client-[^\\/]+|nested-clients)[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/ },
      async ({ path }) => {
        const source = await readFile(path, 'utf8');
        const strings = new Map([...source.matchAll(STRING_CONST)].map((m) => [m[1]!, m[2]!]));
        const contents = source.replace(COMPUTED_KEY, (key, name: string) => (strings.has(name) ? `${JSON.stringify(strings.get(name))}:` : key));
        return { contents, loader: 'js' };
      },
    );
  },
};
