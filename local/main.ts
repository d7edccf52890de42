/** `npm start`: dev mode on http://127.0.0.1:3000 (see local/config.ts for the settings). */
import { logger } from '../shared/logger.js';
import { loadConfig, type LocalConfig } from './config.js';
import { startServer } from './server.js';

// A last line of defence: every background path catches its own failures, but a promise
// rejection one of them missed must not take every user's runs down with it (Node's default
// for an unhandled rejection is to exit).
process.on('unhandledRejection', (reason) => logger.error('unhandled promise rejection; the server goes on', { error: reason as Error }));

const server = await startServer(configOrExit());
logger.info(`Containerizer dev mode listening on ${server.url} (OpenAPI: ${server.url}/openapi.json)`, { url: server.url });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().finally(() => process.exit(0));
  });
}

/** The settings; on a bad one (a ConfigurationError naming the variables), a structured log line and exit status 1. */
function configOrExit(): LocalConfig {
  try {
    return loadConfig();
  } catch (err) {
    logger.error('invalid configuration', err as Error);
    process.exit(1);
  }
}
