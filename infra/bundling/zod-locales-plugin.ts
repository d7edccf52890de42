import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

/** zod-locales-en.ts, which re-exports only English. */
const ENGLISH_ONLY = fileURLToPath(new URL('./zod-locales-en.ts', import.meta.url));

/**
 * An esbuild plugin that bundles zod's English messages without its ~60 other locales (~190 KiB).
 * zod re-exports them (`export * as locales from "../locales/index.js"` in v4/classic/external.js
 * and v4/core/index.js), and @hono/zod-openapi's extendZodWithOpenApi(z) uses that namespace
 * object as a whole, so esbuild keeps every locale; the import is relative, so `alias` cannot
 * redirect it. Only that import, from inside zod, is replaced.
 */
export const zodEnglishOnly: Plugin = {
  name: 'zod-english-only',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.c?js$/ }, ({ importer }) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(importer) ? { path: ENGLISH_ONLY } : undefined,
    );
  },
};
