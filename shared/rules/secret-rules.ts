/**
 * The rules of secrets, pure: what a secret's name and value may be, how an app references
 * secrets by env name, and how a secret's value is masked in what the API returns.
 *
 * Limits come from the cloud store (AWS Secrets Manager, chosen because ECS pins a secret's version in
 * a task definition only for Secrets Manager: AWS docs, "Retrieve Secrets Manager secrets through
 * environment variables", https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html;
 * Parameter Store has no versioned `valueFrom`, aws/containers-roadmap#636) and hold in dev mode too.
 */
import { badRequest, type FieldError } from '../errors.js';
import { JOB_ENV } from '../job-env.js';

/**
 * A secret's value: at most 65,536 bytes (UTF-8), Secrets Manager's SecretString limit (AWS docs,
 * "AWS Secrets Manager quotas": secret value size 65,536 bytes), and not empty.
 */
export const MAX_SECRET_VALUE_BYTES = 65_536;

/**
 * A secret's name: 1-128 letters, digits, `-`, `_` or `.`, starting with a letter or digit. It becomes
 * the last part of the Secrets Manager name `<prefix>/<owner>/<name>` (up to 512 characters of ASCII
 * letters, digits and `/_+=.@-`: AWS API reference, CreateSecret `Name`), with room for the prefix.
 */
export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
export const SECRET_NAME_RULE = '1-128 letters, digits, -, _ or ., starting with a letter or digit';

/** An env name a secret is given as: POSIX's portable names (letters, digits, `_`, not starting with a digit), as the app's env. */
export const SECRET_ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Secrets one app may reference (each is one `secrets` entry of its task definition's main container). */
export const MAX_SECRETS_PER_APP = 50;

/** Secrets one owner may keep (each costs $0.40 a month in the cloud). */
export const MAX_SECRETS_PER_OWNER = 100;

/** What a secret's value is replaced with in logs the API returns. */
export const SECRET_MASK = '***';

/**
 * Values shorter than this are not masked: masking "a" or "1" in every log line would mangle the
 * output while hiding nothing (GitHub Actions does not mask values shorter than 4 characters either).
 */
export const MIN_MASKED_CHARS = 4;

/** The env names the platform sets itself (shared/job-env.ts), which an app's secret may not take. */
const RESERVED_ENV: ReadonlySet<string> = new Set(Object.values(JOB_ENV));

/** UTF-8 bytes of a value; over MAX_SECRET_VALUE_BYTES is refused. */
export function secretValueErrors(value: string): FieldError[] {
  if (value.length === 0) return [{ field: 'value', message: 'must not be empty' }];
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_SECRET_VALUE_BYTES) return [{ field: 'value', message: `is ${bytes} bytes; at most ${MAX_SECRET_VALUE_BYTES} (UTF-8)` }];
  return [];
}

/**
 * What is wrong with an app's `secrets` (env name → secret name) beside its `env`: env names that are
 * not portable, the platform's own (CONTAINERIZER_…), or also keys of `env`; secret names that break the
 * name rule; more than MAX_SECRETS_PER_APP. Each error names `secrets.<ENV>`. Whether the secrets exist
 * is the service's check.
 */
export function appSecretErrors(secrets: Readonly<Record<string, string>>, env: Readonly<Record<string, string>> = {}): FieldError[] {
  const errors: FieldError[] = [];
  const entries = Object.entries(secrets);
  if (entries.length > MAX_SECRETS_PER_APP) errors.push({ field: 'secrets', message: `at most ${MAX_SECRETS_PER_APP} secrets per app` });
  for (const [envName, name] of entries) {
    const field = `secrets.${envName}`;
    if (!SECRET_ENV_NAME.test(envName)) errors.push({ field, message: 'env names are letters, digits and _, not starting with a digit' });
    else if (RESERVED_ENV.has(envName) || envName.startsWith('CONTAINERIZER_')) errors.push({ field, message: 'CONTAINERIZER_ names are the platform’s' });
    else if (Object.hasOwn(env, envName)) errors.push({ field, message: `also a key of env: an env name is either a value or a secret` });
    if (!SECRET_NAME.test(name)) errors.push({ field, message: `secret names are ${SECRET_NAME_RULE}` });
  }
  return errors;
}

/** @throws ClientError 400 listing appSecretErrors. */
export function checkAppSecrets(secrets: Readonly<Record<string, string>> | undefined, env?: Readonly<Record<string, string>>): void {
  const errors = appSecretErrors(secrets ?? {}, env);
  if (errors.length > 0) throw badRequest(`invalid secrets: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
}

/**
 * `text` with every occurrence of each value replaced by SECRET_MASK, longest values first (so that a
 * value containing another is masked whole). Values shorter than MIN_MASKED_CHARS are left alone.
 */
export function maskSecrets(text: string, values: readonly string[]): string {
  let masked = text;
  for (const value of maskable(values)) if (masked.includes(value)) masked = masked.split(value).join(SECRET_MASK);
  return masked;
}

/**
 * The strings maskSecrets replaces, longest first, without duplicates: each value, and each line of a
 * value of several lines (a log line holds one line of a PEM key at most).
 */
export function maskable(values: readonly string[]): string[] {
  const parts = values.flatMap((value) => [value, ...value.split(/\r?\n/)].map((part) => part.trim()));
  return [...new Set(parts.filter((part) => part.length >= MIN_MASKED_CHARS))].sort((a, b) => b.length - a.length);
}
