/**
 * The cloud's SecretVault: each secret is one AWS Secrets Manager secret named
 * `<SECRETS_PREFIX>/<owner>/<name>`, each of its versions one Secrets Manager version. A version item
 * keeps the secret's ARN and the version's VersionId, and a run's task definition names exactly that
 * version in its main container's `secrets`: `valueFrom` = `<arn>:<json-key>:<version-stage>:<version-id>`
 * with only the version id set (AWS docs, "Retrieve Secrets Manager secrets through environment
 * variables"; Fargate platform 1.4.0 or later). ECS reads it with the task EXECUTION role at task start.
 *
 * Why Secrets Manager and not Parameter Store SecureString (free in its standard tier, 4 KB values): an
 * ECS task definition can pin a version of a Secrets Manager secret only (aws/containers-roadmap#636),
 * and a run must receive the version it recorded. Cost: $0.40 per secret per month and $0.05 per 10,000
 * API calls (AWS Secrets Manager pricing), e.g. 100 secrets ≈ $40/month.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { ServiceUnavailableError } from '../errors.js';
import type { RunLaunch } from '../ports.js';
import type { LaunchSecret, SecretKey, SecretVault, StoredSecretVersion } from '../secret-vault.js';

/** What a version item keeps in the cloud (as JSON): the secret's ARN and the version's id. */
interface SecretsManagerVersion {
  arn: string;
  versionId: string;
}

/** Characters a Secrets Manager name may hold (AWS API reference, CreateSecret `Name`). */
const NAME_CHARS = /^[A-Za-z0-9/_+=.@-]+$/;

/** The tag naming the owner on each secret the platform makes. */
export const SECRET_OWNER_TAG = 'containerizer:ownerId';

/**
 * The part of a Secrets Manager name for an owner: the owner id when Secrets Manager takes its
 * characters (ULIDs do), else a SHA-256 of it (an OpenID subject may hold `|` or `:`).
 */
export function ownerPart(ownerId: string): string {
  return NAME_CHARS.test(ownerId) && !ownerId.includes('/') ? ownerId : `h-${createHash('sha256').update(ownerId).digest('hex').slice(0, 40)}`;
}

/** The ECS `valueFrom` of one version: the ARN, no JSON key, no stage, the version id. */
export function versionValueFrom(version: SecretsManagerVersion): string {
  return `${version.arn}:::${version.versionId}`;
}

export class SecretsManagerVault implements SecretVault {
  constructor(
    private readonly client: SecretsManagerClient,
    /** SECRETS_PREFIX; none: this function writes no secrets (it still launches and masks the versions items name). */
    private readonly prefix: string | undefined,
  ) {}

  /** `<prefix>/<owner>/<name>`. @throws ServiceUnavailableError without a prefix. */
  secretName(key: SecretKey): string {
    if (!this.prefix) throw new ServiceUnavailableError('this function keeps no secrets (SECRETS_PREFIX is not set)');
    return `${this.prefix.replace(/\/+$/, '')}/${ownerPart(key.ownerId)}/${key.name}`;
  }

  /**
   * Version 1 creates the Secrets Manager secret (or, when one is left by a crash or a delete still under
   * way, puts a value into it); later versions put a value. ClientRequestToken is a fresh UUID: it becomes
   * the VersionId, so the SDK's retries of one call make one version.
   */
  async put(key: SecretKey, version: number, value: string): Promise<string> {
    const name = this.secretName(key);
    const token = randomUUID();
    if (version === 1) {
      try {
        const out = await this.client.send(
          new CreateSecretCommand({
            Name: name,
            SecretString: value,
            ClientRequestToken: token,
            Description: `Containerizer secret ${key.name}`,
            Tags: [{ Key: SECRET_OWNER_TAG, Value: key.ownerId }],
          }),
        );
        return stored({ arn: out.ARN!, versionId: out.VersionId ?? token });
      } catch (err) {
        if (!(err instanceof ResourceExistsException)) throw err;
      }
    }
    try {
      const out = await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: token }));
      return stored({ arn: out.ARN!, versionId: out.VersionId ?? token });
    } catch (err) {
      if (err instanceof ResourceNotFoundException && version > 1) return this.put(key, 1, value);
      throw err;
    }
  }

  /** Deletes the Secrets Manager secret at once (no recovery window: the platform keeps no deleted secret). */
  async remove(key: SecretKey): Promise<void> {
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: this.secretName(key), ForceDeleteWithoutRecovery: true }));
    } catch (err) {
      if (!(err instanceof ResourceNotFoundException)) throw err;
    }
  }

  /** The versions as the task definition's `secrets` (app.secretRefs): ECS fetches them at task start. */
  async inject(launch: RunLaunch, secrets: readonly LaunchSecret[]): Promise<RunLaunch> {
    const secretRefs = secrets.map((secret) => ({ name: secret.env, valueFrom: versionValueFrom(parse(secret)) }));
    return { ...launch, app: { ...launch.app, secretRefs } };
  }

  async reveal(version: StoredSecretVersion): Promise<string> {
    const { arn, versionId } = parse(version);
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: versionId }));
    return out.SecretString ?? '';
  }
}

function stored(version: SecretsManagerVersion): string {
  return JSON.stringify(version);
}

/** @throws Error when the version item was not written by this vault. */
function parse(version: StoredSecretVersion): SecretsManagerVersion {
  const parsed = JSON.parse(version.stored) as Partial<SecretsManagerVersion>;
  if (typeof parsed.arn !== 'string' || typeof parsed.versionId !== 'string')
    throw new Error(`secret ${version.name} version ${version.version} names no Secrets Manager version`);
  return { arn: parsed.arn, versionId: parsed.versionId };
}
