#!/usr/bin/env node
// The `containerizer` command (package.json "bin"): runs the TypeScript CLI through tsx, as
// `npm start` runs the server, so a fresh clone works after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
await main(process.argv);
