/**
 * Dev mode's SecretVault: each value sealed with the secrets key (secret-cipher.ts, key-file.ts); the
 * sealed value is what the version item keeps. At launch the values are opened and put in the job's
 * env, which the Docker runtime sets on the main container when it creates it: nowhere else.
 */
import type { RunLaunch } from '../../shared/ports.js';
import type { LaunchSecret, SecretKey, SecretVault, StoredSecretVersion } from '../../shared/secret-vault.js';
import { open, seal } from './secret-cipher.js';

/** The additional authenticated data of a version: its identity. */
const aadOf = (key: SecretKey, version: number) => `${key.ownerId}\n${key.name}\n${version}`;

export class LocalSecretVault implements SecretVault {
  constructor(private readonly key: Buffer) {}

  async put(key: SecretKey, version: number, value: string): Promise<string> {
    return seal(this.key, value, aadOf(key, version));
  }

  /** The sealed values live on the version items, which the store removes. */
  async remove(): Promise<void> {}

  async inject(launch: RunLaunch, secrets: readonly LaunchSecret[]): Promise<RunLaunch> {
    if (secrets.length === 0) return launch;
    const values = Object.fromEntries(await Promise.all(secrets.map(async (secret) => [secret.env, await this.reveal(secret)] as const)));
    // The platform's own variables still win (they are CONTAINERIZER_ names, which no secret may take).
    return { ...launch, jobEnv: { ...values, ...launch.jobEnv } };
  }

  async reveal(version: StoredSecretVersion): Promise<string> {
    try {
      return open(this.key, version.stored, aadOf(version, version.version));
    } catch (err) {
      throw new Error(
        `secret ${version.name} version ${version.version} cannot be opened with this secrets key (SECRETS_KEY or DATA_DIR/secrets.key changed?)`,
        {
          cause: err,
        },
      );
    }
  }
}
