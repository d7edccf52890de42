/**
 * The port of secret values: where a backend keeps them and how it hands them to a task. Dev mode
 * seals each value (AES-256-GCM) and the table keeps the ciphertext; the cloud keeps each value as a
 * version of a Secrets Manager secret and the task definition names it. The platform's items never
 * hold a plaintext value either way.
 */
import type { RunLaunch } from './ports.js';

/** Which secret: its owner and name. */
export interface SecretKey {
  ownerId: string;
  name: string;
}

/** One version of a secret as its version item records it: `stored` is what SecretVault.put returned. */
export interface StoredSecretVersion extends SecretKey {
  version: number;
  stored: string;
}

/** A version handed to a run's main container under the env name `env`. */
export interface LaunchSecret extends StoredSecretVersion {
  env: string;
}

export interface SecretVault {
  /**
   * Keeps `value` as version `version` of the secret; returns what the version item stores to find it
   * again (dev: the sealed value; cloud: the Secrets Manager ARN and version id), never the plaintext.
   */
  put(key: SecretKey, version: number, value: string): Promise<string>;
  /** Removes every version of the secret. Idempotent. */
  remove(key: SecretKey): Promise<void>;
  /**
   * The launch with these secrets added to its main container, in the backend's way (dev: the values
   * in `jobEnv`, put on the container at create; cloud: `app.secretRefs`, read by ECS at task start).
   * @throws Error when a version cannot be read (the run fails to launch, saying which secret).
   */
  inject(launch: RunLaunch, secrets: readonly LaunchSecret[]): Promise<RunLaunch>;
  /** The plaintext of a version, for masking it in what the API returns; never stored or returned. */
  reveal(version: StoredSecretVersion): Promise<string>;
}
