/**
 * Dev mode's secrets key, kept apart from the database: SECRETS_KEY (base64 of 32 bytes) when set,
 * else the file `secrets.key` in DATA_DIR, beside (not inside) the dynalite directory, created with
 * mode 0600 on first use. A copy of the dynalite directory alone opens no secret.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KEY_BYTES } from './secret-cipher.js';

/** The key file's name under DATA_DIR. */
export const KEY_FILE = 'secrets.key';

/**
 * The key: `fromEnv` (base64) when given, else the key file's, made first when there is none.
 * @throws Error when either is not 32 bytes.
 */
export async function loadSecretsKey(dataDir: string, fromEnv?: string): Promise<Buffer> {
  if (fromEnv) return checked(Buffer.from(fromEnv, 'base64'), 'SECRETS_KEY');
  const path = join(dataDir, KEY_FILE);
  await mkdir(dataDir, { recursive: true });
  try {
    // `wx`: only the first of two concurrent starts writes; the other reads what it wrote.
    await writeFile(path, randomBytes(KEY_BYTES).toString('base64'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // A file made before, or under a wider umask: the key is the owner's alone.
  await chmod(path, 0o600);
  return checked(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64'), path);
}

function checked(key: Buffer, source: string): Buffer {
  if (key.length !== KEY_BYTES) throw new Error(`${source}: a secrets key is ${KEY_BYTES} bytes, base64-encoded; this one is ${key.length}`);
  return key;
}
