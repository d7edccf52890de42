/**
 * Reading the platform's environment variables (names: shared/env.ts): an environment, the
 * error that names a missing or malformed variable, and the reader both config readers use
 * (local/config.ts, shared/cloud-config.ts) and shared/settings.ts's shared settings.
 */
import type { EnvName } from './env.js';

/** An environment: `process.env`, or an explicit object (tests build platforms from one). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A variable is missing or malformed; `variables` names the ones at fault. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
  constructor(
    readonly variables: readonly EnvName[],
    message: string,
  ) {
    super(message);
  }
}

/** Reads variables of one environment; an empty value counts as unset. */
export interface EnvReader {
  /** @throws ConfigurationError "environment variable NAME is not set" */
  required(name: EnvName): string;
  /** The value, or undefined when unset or empty. */
  optional(name: EnvName): string | undefined;
  /**
   * A comma-separated value's entries, trimmed, empty ones dropped; [] when unset, unless `required`.
   * @throws ConfigurationError "environment variable NAME is not set" when `required` and there is no entry.
   */
  list(name: EnvName, options?: { required: boolean }): string[];
  /**
   * A whole number ≥ 1; `fallback` when unset.
   * @throws ConfigurationError "NAME must be a whole number ≥ 1, not "x""
   */
  positiveInt(name: EnvName, fallback: number): number;
  /**
   * One of `values`; `fallback` when unset (required when there is none).
   * @throws ConfigurationError "NAME must be A or B, not "x""
   */
  oneOf<const T extends string>(name: EnvName, values: readonly T[], fallback?: T): T;
  /**
   * A number > 0; `fallback` when unset.
   * @throws ConfigurationError "NAME must be a positive number, not "x""
   */
  positive(name: EnvName, fallback: number): number;
  /**
   * A whole number ≥ 0; `fallback` when unset.
   * @throws ConfigurationError "NAME must be a whole number ≥ 0, not "x""
   */
  wholeNumber(name: EnvName, fallback: number): number;
}

/** The reader of `env`; every error it throws names the variable. */
export function envReader(env: Env): EnvReader {
  const optional = (name: EnvName) => env[name] || undefined;
  const required = (name: EnvName) => optional(name) ?? fail(name, `environment variable ${name} is not set`);
  return {
    required,
    optional,
    list(name, options) {
      const entries = (optional(name) ?? '')
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      return entries.length > 0 || !options?.required ? entries : fail(name, `environment variable ${name} is not set`);
    },
    positiveInt(name, fallback) {
      const value = optional(name);
      if (value === undefined) return fallback;
      const n = Number(value);
      return Number.isSafeInteger(n) && n >= 1 ? n : fail(name, `${name} must be a whole number ≥ 1, not ${JSON.stringify(value)}`);
    },
    oneOf<const T extends string>(name: EnvName, values: readonly T[], fallback?: T): T {
      const value = fallback === undefined ? required(name) : (optional(name) ?? fallback);
      if (!(values as readonly string[]).includes(value)) fail(name, `${name} must be ${values.join(' or ')}, not ${JSON.stringify(value)}`);
      return value as T;
    },
    positive(name, fallback) {
      const raw = optional(name);
      if (raw === undefined) return fallback;
      const value = Number(raw);
      return Number.isFinite(value) && value > 0 ? value : fail(name, `${name} must be a positive number, not ${JSON.stringify(raw)}`);
    },
    wholeNumber(name, fallback) {
      const text = optional(name);
      if (text === undefined) return fallback;
      return /^\d+$/.test(text) ? Number(text) : fail(name, `${name} must be a whole number ≥ 0, not ${JSON.stringify(text)}`);
    },
  };
}

function fail(name: EnvName, message: string): never {
  throw new ConfigurationError([name], message);
}
