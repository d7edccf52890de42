/** `npm start`: dev mode on http://127.0.0.1:3000 (see local/config.ts for the settings). */
import { loadConfig } from './config.js';
import { startServer } from './server.js';

const server = await startServer(loadConfig());
console.log(`Containerizer dev mode listening on ${server.url} (OpenAPI: ${server.url}/openapi.json)`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().finally(() => process.exit(0));
  });
}
