/**
 * The settings both compositions read from their environment (dev mode: local/config.ts;
 * cloud: shared/cloud-config.ts), with their types and defaults, parsed here once so that both
 * accept and refuse the same values with the same errors. Nothing here imports a service, so
 * the CDK app (infra/) can read settings without loading one. Where the signing key comes from differs (a kept file, Secrets
 * Manager); how long it must be does not.
 */
import { ENV, type EnvName } from './env.js';
import { ConfigurationError, envReader, type Env } from './env-reader.js';
import { SEVERITIES, type Severity } from './image-scan.js';
import { logger } from './logger.js';
import type { ResultLimits } from './rules/result-rules.js';
import { DEFAULT_PRICE_REGION, pricingOf, type FargatePrice, type Pricing } from './rules/cost-rules.js';

/** The built-in accounts' tokens and who is an admin (services/auth.ts). */
export interface AuthConfig {
  /** HS256 signing key (at least 32 bytes). */
  secret: Uint8Array;
  issuer: string;
  audience: string;
  /** Access token lifetime, s. */
  accessTokenTtlSeconds: number;
  /** Refresh token lifetime, s. */
  refreshTokenTtlSeconds: number;
  /**
   * Admins by account id: a built-in account's userId (a ULID the platform assigned; nobody chooses it) or `oidc:<sub>`.
   * Roles are decided when a token is issued, so a change applies at the next sign-in or refresh.
   */
  adminUserIds: string[];
  /**
   * Admins by e-mail, for the OpenID provider's tokens only, and only with `email_verified: true`: a built-in account's
   * address is whatever its registrant typed, so it never makes an admin (issue 14).
   */
  adminEmails: string[];
  /** An external OpenID provider whose access tokens are accepted too. */
  oidc?: { jwksUrl: string; issuer: string; audience: string };
}

/** Token lifetimes (s) both backends use: short access tokens, month-long rotating refresh tokens. */
export const TOKEN_LIFETIMES = { accessTokenTtlSeconds: 900, refreshTokenTtlSeconds: 30 * 86_400 } as const;

/** Sign-in limits: counts per window; the windows are services/sign-in-guard.ts's MINUTE_MS, HOUR_MS and LOCKOUT_WINDOW_MS. */
export interface SignInLimits {
  /** Login attempts per minute, per client address and per account. */
  loginAttemptsPerMinute: number;
  /** Failed logins of one account within LOCKOUT_WINDOW_MS after which it is locked until that window ends. */
  loginFailuresBeforeLockout: number;
  /** Registrations per hour, per client address and per e-mail. */
  registrationsPerHour: number;
  /** Refreshes per minute, per client address and per account. */
  refreshesPerMinute: number;
}

/** Who may register: nobody (`open` false), only these e-mail domains (when any), only with one of these invite codes (when any). */
export interface RegistrationPolicy {
  open: boolean;
  emailDomains: string[];
  inviteCodes: string[];
}

/** The deployment's cost settings (readCostSettings). */
export interface CostSettings {
  pricing: Pricing;
  /** USD an owner's finished runs may cost in one UTC month before new runs are refused (402); undefined: no budget. */
  monthlyBudgetUsd?: number;
}

/** Deployment settings: the scan policy and the images apps may name. */
export interface ImagePolicy {
  /** Runs of built images with findings at or above this severity end FAILED before starting; none: no policy. */
  scanThreshold?: Severity;
  /** Image strings an app may name must start with one of these; empty: any. Built images are always allowed. */
  allowedImagePrefixes: readonly string[];
  /** The cloud's image repositories (`<registry>/<name>`, IMAGE_REPOSITORY_URI): the platform's, never named as strings (platformImageOf). */
  platformRepositories?: readonly string[];
}
import { FINAL_INDEX_STEP, isIndexStep } from './table-indexes.js';
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from './rules/alert-rules.js';
import { CLOUD_WEBHOOK_POLICY, DEV_WEBHOOK_POLICY, type WebhookUrlPolicy } from './webhooks/url-guard.js';

/** How a deployment alerts (readAlertSettings); dev mode adds the outbox's wake-up (services/alert-hooks.ts). */
export interface AlertSettings {
  /** Where webhooks may point (url-guard.ts: the cloud's, or dev mode's with loopback). */
  urlPolicy: WebhookUrlPolicy;
  /** Seconds before each retry of a failed delivery (attempt 2, 3, …). */
  retrySchedule: readonly number[];
  /** True where terminal runs are observed in process (dev mode); the cloud's alert function observes EventBridge's events instead. */
  observeRuns: boolean;
}

/** `iss` and `aud` of the tokens the built-in accounts issue. */
export type TokenClaims = Pick<AuthConfig, 'issuer' | 'audience'>;

/** Everything of AuthConfig but the signing key; `claims` is absent when not needed (see readAuthSettings). */
export type AuthSettings = Omit<AuthConfig, 'secret' | 'issuer' | 'audience'> & { claims?: TokenClaims };

/** The variables that configure an external OpenID provider: all of them, or none. */
const OIDC_VARIABLES = [ENV.OIDC_JWKS_URL, ENV.OIDC_ISSUER, ENV.OIDC_AUDIENCE] as const;

/** HS256 keys must be at least as long as the hash output, 256 bits (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

/**
 * Admin account ids (ADMIN_USER_IDS), admin e-mails for verified OpenID tokens (ADMIN_EMAILS, lower-cased), the external OpenID provider (OIDC_*), the token
 * lifetimes (TOKEN_LIFETIMES, s) and the built-in tokens' claims (JWT_ISSUER, JWT_AUDIENCE).
 * @param claims when JWT_ISSUER or JWT_AUDIENCE is unset: take these defaults (dev mode); or
 *   'required': fail (the api function); or 'unused': leave `claims` out (functions that never
 *   issue or verify built-in tokens).
 * @throws ConfigurationError naming the variables: some but not all OIDC_* set, or a required claim unset.
 */
export function readAuthSettings(env: Env, claims: TokenClaims | 'required'): AuthSettings & { claims: TokenClaims };
export function readAuthSettings(env: Env, claims: 'unused'): AuthSettings;
export function readAuthSettings(env: Env, claims: TokenClaims | 'required' | 'unused'): AuthSettings {
  const read = envReader(env);
  const adminEmails = read.list(ENV.ADMIN_EMAILS).map((email) => email.toLowerCase());
  const oidc = oidcSettings(env);
  // Before issue 14 these addresses made built-in accounts admins: say so to a deployment that still relies on it.
  if (adminEmails.length > 0 && !oidc)
    logger.warn(
      `${ENV.ADMIN_EMAILS} makes no admin without an OpenID provider (only its tokens with email_verified true count): use ${ENV.ADMIN_USER_IDS} or npm run admin -- grant <email>`,
    );
  return {
    ...TOKEN_LIFETIMES,
    adminUserIds: read.list(ENV.ADMIN_USER_IDS),
    adminEmails,
    oidc,
    ...(claims !== 'unused' && {
      claims:
        claims === 'required'
          ? { issuer: read.required(ENV.JWT_ISSUER), audience: read.required(ENV.JWT_AUDIENCE) }
          : { issuer: read.optional(ENV.JWT_ISSUER) ?? claims.issuer, audience: read.optional(ENV.JWT_AUDIENCE) ?? claims.audience },
    }),
  };
}

/**
 * The HS256 key of the built-in accounts' tokens, from its text.
 * @param source the variables the secret came from, for the error message.
 * @throws ConfigurationError when shorter than MIN_SECRET_BYTES (UTF-8).
 */
export function signingKey(secret: string, source: readonly EnvName[]): Uint8Array {
  const key = new TextEncoder().encode(secret);
  if (key.length < MIN_SECRET_BYTES) throw new ConfigurationError(source, `the JWT secret (${source.join(' or ')}) must be at least ${MIN_SECRET_BYTES} bytes`);
  return key;
}

function oidcSettings(env: Env): AuthSettings['oidc'] {
  const read = envReader(env);
  const missing = OIDC_VARIABLES.filter((name) => !read.optional(name));
  if (missing.length === OIDC_VARIABLES.length) return undefined;
  if (missing.length > 0) {
    throw new ConfigurationError(
      missing,
      `${missing.join(', ')} not set: an external OpenID provider needs all of ${OIDC_VARIABLES.join(', ')}, or none of them`,
    );
  }
  return { jwksUrl: read.required(ENV.OIDC_JWKS_URL), issuer: read.required(ENV.OIDC_ISSUER), audience: read.required(ENV.OIDC_AUDIENCE) };
}

/** Per-user quotas and the sign-in abuse limits (counts; windows are fixed in services/sign-in-guard.ts). */
export interface LimitSettings {
  /** Most apps a user may have; one more is a 409. */
  maxAppsPerUser: number;
  /** Most runs a user may have active at once; one more is a 429. */
  maxActiveRunsPerUser: number;
  /** Most images a user may have; one more is a 409. */
  maxImagesPerUser: number;
  /** Most builds a user may have queued or building at once; one more is a 429. */
  maxConcurrentBuildsPerUser: number;
  /** s a run may take to start before it ends FAILED (RUN_START_TIMEOUT_SECONDS); its timeoutSeconds counts from its start. */
  runStartTimeoutSeconds: number;
  signIn: SignInLimits;
  registration: RegistrationPolicy;
  /** What one run may post as results. */
  results: ResultLimits;
}

/** The defaults of LimitSettings: generous for a person, small for a script. */
export const DEFAULT_LIMITS = {
  maxAppsPerUser: 100,
  maxActiveRunsPerUser: 20,
  maxImagesPerUser: 50,
  maxConcurrentBuildsPerUser: 3,
  loginAttemptsPerMinute: 20,
  loginFailuresBeforeLockout: 10,
  registrationsPerHour: 20,
  refreshesPerMinute: 30,
  resultPostsPerRun: 100,
  resultPostsPerMinute: 30,
  metricsPerResult: 100,
  // Beyond LAUNCH_RETRY's schedule of deferred launches (about 28 min), within AWS Batch's range for a job's time to start (600 to 86,400 s).
  runStartTimeoutSeconds: 1800,
} as const;

/**
 * The quotas and sign-in limits from MAX_APPS_PER_USER, MAX_ACTIVE_RUNS_PER_USER, MAX_IMAGES_PER_USER, MAX_CONCURRENT_BUILDS_PER_USER,
 * LOGIN_ATTEMPTS_PER_MINUTE, LOGIN_FAILURES_BEFORE_LOCKOUT, REGISTRATIONS_PER_HOUR,
 * REFRESHES_PER_MINUTE, RESULT_POSTS_PER_RUN, RESULT_POSTS_PER_MINUTE, METRICS_PER_RESULT, REGISTRATION,
 * REGISTRATION_EMAIL_DOMAINS and REGISTRATION_INVITE_CODES (DEFAULT_LIMITS when unset; registration open to anyone).
 * @throws ConfigurationError naming the variable when a count is not a whole number ≥ 1, or REGISTRATION is neither open nor closed.
 */
export function readLimitSettings(env: Env): LimitSettings {
  const read = envReader(env);
  return {
    maxAppsPerUser: read.positiveInt(ENV.MAX_APPS_PER_USER, DEFAULT_LIMITS.maxAppsPerUser),
    maxActiveRunsPerUser: read.positiveInt(ENV.MAX_ACTIVE_RUNS_PER_USER, DEFAULT_LIMITS.maxActiveRunsPerUser),
    maxImagesPerUser: read.positiveInt(ENV.MAX_IMAGES_PER_USER, DEFAULT_LIMITS.maxImagesPerUser),
    maxConcurrentBuildsPerUser: read.positiveInt(ENV.MAX_CONCURRENT_BUILDS_PER_USER, DEFAULT_LIMITS.maxConcurrentBuildsPerUser),
    runStartTimeoutSeconds: read.positiveInt(ENV.RUN_START_TIMEOUT_SECONDS, DEFAULT_LIMITS.runStartTimeoutSeconds),
    signIn: {
      loginAttemptsPerMinute: read.positiveInt(ENV.LOGIN_ATTEMPTS_PER_MINUTE, DEFAULT_LIMITS.loginAttemptsPerMinute),
      loginFailuresBeforeLockout: read.positiveInt(ENV.LOGIN_FAILURES_BEFORE_LOCKOUT, DEFAULT_LIMITS.loginFailuresBeforeLockout),
      registrationsPerHour: read.positiveInt(ENV.REGISTRATIONS_PER_HOUR, DEFAULT_LIMITS.registrationsPerHour),
      refreshesPerMinute: read.positiveInt(ENV.REFRESHES_PER_MINUTE, DEFAULT_LIMITS.refreshesPerMinute),
    },
    results: {
      postsPerRun: read.positiveInt(ENV.RESULT_POSTS_PER_RUN, DEFAULT_LIMITS.resultPostsPerRun),
      postsPerMinute: read.positiveInt(ENV.RESULT_POSTS_PER_MINUTE, DEFAULT_LIMITS.resultPostsPerMinute),
      metricsPerResult: read.positiveInt(ENV.METRICS_PER_RESULT, DEFAULT_LIMITS.metricsPerResult),
    },
    registration: {
      open: read.oneOf(ENV.REGISTRATION, ['open', 'closed'], 'open') === 'open',
      emailDomains: read.list(ENV.REGISTRATION_EMAIL_DOMAINS).map((domain) => domain.toLowerCase()),
      inviteCodes: read.list(ENV.REGISTRATION_INVITE_CODES),
    },
  };
}

/**
 * The image policy of a deployment: SCAN_SEVERITY_THRESHOLD (one of shared/image-scan.ts's
 * SEVERITIES; unset: no policy), ALLOWED_IMAGE_PREFIXES (comma-separated; unset: any image) and the
 * platform's own image repository (IMAGE_REPOSITORY_URI, where the functions have it).
 * @throws ConfigurationError naming SCAN_SEVERITY_THRESHOLD when it is not a severity.
 */
export function readImagePolicy(env: Env): ImagePolicy {
  const read = envReader(env);
  const threshold = read.optional(ENV.SCAN_SEVERITY_THRESHOLD);
  return {
    scanThreshold: threshold === undefined ? undefined : read.oneOf(ENV.SCAN_SEVERITY_THRESHOLD, SEVERITIES),
    allowedImagePrefixes: read.list(ENV.ALLOWED_IMAGE_PREFIXES),
    platformRepositories: read.list(ENV.IMAGE_REPOSITORY_URI),
  };
}

/**
 * The origins whose pages may call the API from a browser (CORS_ALLOWED_ORIGINS): each an
 * origin as a browser sends it in `Origin` (RFC 6454: scheme, host, port; no path).
 * @throws ConfigurationError naming CORS_ALLOWED_ORIGINS when an entry is not such an origin.
 */
export function readCorsOrigins(env: Env): string[] {
  return envReader(env)
    .list(ENV.CORS_ALLOWED_ORIGINS)
    .map((entry) => {
      let origin: string | undefined;
      try {
        origin = new URL(entry).origin;
      } catch {
        origin = undefined;
      }
      if (!origin || origin === 'null' || origin !== entry.replace(/\/$/, '')) {
        throw new ConfigurationError(
          [ENV.CORS_ALLOWED_ORIGINS],
          `CORS_ALLOWED_ORIGINS entries must be origins such as https://console.example.com, not ${JSON.stringify(entry)}`,
        );
      }
      return origin;
    });
}

/**
 * The prices runs are costed at and the owner's monthly budget: COST_REGION (default: AWS_REGION in
 * the cloud; us-east-1 for dev mode's estimate), the overrides FARGATE_PRICE_VCPU_HOUR and
 * FARGATE_PRICE_GB_HOUR (USD, for every architecture), MONTHLY_BUDGET_USD (unset: none). Each run
 * is priced at its own architecture (Run.architecture).
 * @param mode `estimate` (dev mode: what the run would cost on Fargate) or `cloud`.
 * @throws ConfigurationError naming the variable when a price or budget is not a positive number.
 */
export function readCostSettings(env: Env, mode: 'cloud' | 'estimate'): CostSettings {
  const read = envReader(env);
  const region = read.optional(ENV.COST_REGION) ?? (mode === 'cloud' ? read.optional(ENV.AWS_REGION) : undefined) ?? DEFAULT_PRICE_REGION;
  const override: Partial<FargatePrice> = {
    ...(read.optional(ENV.FARGATE_PRICE_VCPU_HOUR) && { vcpuHour: read.positive(ENV.FARGATE_PRICE_VCPU_HOUR, 0) }),
    ...(read.optional(ENV.FARGATE_PRICE_GB_HOUR) && { gbHour: read.positive(ENV.FARGATE_PRICE_GB_HOUR, 0) }),
  };
  const budget = read.optional(ENV.MONTHLY_BUDGET_USD);
  return {
    pricing: pricingOf(region, { override, estimate: mode === 'estimate' }),
    monthlyBudgetUsd: budget === undefined ? undefined : read.positive(ENV.MONTHLY_BUDGET_USD, 0),
  };
}

/**
 * The step of the table's index upgrade (TABLE_INDEX_STEP; shared/table-indexes.ts), FINAL_INDEX_STEP when unset.
 * @throws ConfigurationError when it is not a step of the upgrade (0 … FINAL_INDEX_STEP).
 */
export function readTableIndexStep(env: Env): number {
  const step = envReader(env).wholeNumber(ENV.TABLE_INDEX_STEP, FINAL_INDEX_STEP);
  if (!isIndexStep(step))
    throw new ConfigurationError([ENV.TABLE_INDEX_STEP], `${ENV.TABLE_INDEX_STEP} must be a step from 0 to ${FINAL_INDEX_STEP}, not ${step}`);
  return step;
}

/**
 * How the deployment alerts: the webhook URL policy (the cloud: https to public addresses only;
 * dev mode: loopback and http too), the retry schedule (ALERT_RETRY_SECONDS), and whether
 * terminal runs are observed in process (dev mode) or by the cloud's alert function.
 * @throws ConfigurationError when ALERT_RETRY_SECONDS holds anything but whole numbers of seconds.
 */
export function readAlertSettings(env: Env, mode: 'cloud' | 'dev'): AlertSettings {
  const retries = envReader(env).list(ENV.ALERT_RETRY_SECONDS);
  if (retries.some((value) => !/^\d+$/.test(value)))
    throw new ConfigurationError([ENV.ALERT_RETRY_SECONDS], `${ENV.ALERT_RETRY_SECONDS} must be whole numbers of seconds, comma-separated`);
  return {
    urlPolicy: mode === 'cloud' ? CLOUD_WEBHOOK_POLICY : DEV_WEBHOOK_POLICY,
    retrySchedule: retries.length ? retries.map(Number) : DEFAULT_RETRY_SCHEDULE_SECONDS,
    observeRuns: mode === 'dev',
  };
}
