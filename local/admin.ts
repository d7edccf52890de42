/**
 * The operator's command for the admin role in dev mode (issue 14: the role comes from an act
 * nobody can claim by registering an address):
 *
 *   npm run admin -- grant <email>    make the existing account an admin (from its next sign-in or refresh)
 *   npm run admin -- revoke <email>   take it back
 *
 * It acts on DATA_DIR's store (.data by default): through the running server's dynalite when
 * there is one (local/store/dynalite.ts endpointFileOf), else by opening the store itself.
 * Exit status: 0 done, 1 no such account or another failure, 2 usage.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ClientError } from '../shared/errors.js';
import { AuthService } from '../shared/services/auth.js';
import { SignInGuard } from '../shared/services/sign-in-guard.js';
import { CounterStore } from '../shared/store/counter-store.js';
import { UserStore } from '../shared/store/user-store.js';
import { createDb, type Db } from '../shared/store/db.js';
import { loadConfig } from './config.js';
import { endpointFileOf, startDynalite } from './store/dynalite.js';
import { TABLE_NAME } from './server.js';

const USAGE = 'usage: npm run admin -- grant|revoke <email>';

/** The data dir's store: the running server's, or one opened here. */
async function openStore(path: string): Promise<{ db: Db; close(): Promise<void> }> {
  const endpoint = await readFile(endpointFileOf(path), 'utf8').catch(() => undefined);
  if (endpoint) {
    const db = createDb(TABLE_NAME, { endpoint: endpoint.trim(), region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      await db.doc.send(new GetCommand({ TableName: TABLE_NAME, Key: { pk: 'HEALTH', sk: 'HEALTH' } }));
      return { db, close: async () => db.doc.destroy() };
    } catch {
      // A server that died without removing its endpoint file: the store is free to open.
      db.doc.destroy();
    }
  }
  return startDynalite(path, TABLE_NAME);
}

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true });
  const [action, email, ...extra] = positionals;
  if ((action !== 'grant' && action !== 'revoke') || !email || extra.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const store = await openStore(join(config.dataDir, 'dynamodb'));
  try {
    const auth = new AuthService(
      new UserStore(store.db),
      config.auth,
      new SignInGuard(new CounterStore(store.db), config.limits.signIn, config.limits.registration),
    );
    const user = await auth.setAdmin(email, action === 'grant');
    console.log(`${user.email} (${user.userId}) is ${user.role === 'admin' ? 'an admin' : 'no longer an admin'} from its next sign-in or token refresh`);
    return 0;
  } catch (err) {
    console.error(err instanceof ClientError ? `${err.message}: register the account first` : String(err));
    return 1;
  } finally {
    await store.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
