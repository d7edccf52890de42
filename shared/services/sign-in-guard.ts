/**
 * What stands between a guessing script and the built-in accounts (OWASP Authentication and
 * Credential Stuffing cheat sheets): fixed-window rate limits on login, registration and
 * refresh, by client address and by account; a lockout of an account after repeated failed
 * sign-ins (failures count for unknown e-mails too, so a lockout tells nothing about which
 * accounts exist); and who may register at all. Counts live in DynamoDB (CounterStore), so
 * every Lambda instance and process shares them. A refusal is a 429 with Retry-After (s).
 */
import { forbidden, tooManyRequests } from '../errors.js';
import type { CounterStore, CounterWindow } from '../store/counter-store.js';
import type { RegistrationPolicy, SignInLimits } from '../settings.js';

export type { RegistrationPolicy, SignInLimits };

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** The window failed logins are counted in, ms; a locked account opens again when it ends. */
export const LOCKOUT_WINDOW_MS = 15 * MINUTE_MS;

/** The fixed window of length `windowMs` (ms) holding `now` (epoch ms): its start, the s until it ends, and its item's TTL (epoch s). */
export function fixedWindow(now: number, windowMs: number): { windowStart: number; retryAfterSeconds: number; expiresAt: number } {
  const windowStart = Math.floor(now / windowMs) * windowMs;
  return { windowStart, retryAfterSeconds: Math.ceil((windowStart + windowMs - now) / 1000), expiresAt: Math.ceil((windowStart + windowMs) / 1000) + 60 };
}

/** The address a request came from, when the runtime knows it (counted as `unknown` otherwise). */
export type ClientAddress = string | undefined;

export class SignInGuard {
  constructor(
    private readonly counters: CounterStore,
    private readonly limits: SignInLimits,
    private readonly registration: RegistrationPolicy,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Before a login is checked. @throws ClientError 429 (rate or lockout, with Retry-After). */
  async beforeLogin(email: string, address: ClientAddress): Promise<void> {
    const { loginAttemptsPerMinute, loginFailuresBeforeLockout } = this.limits;
    await this.take(`login:address:${address ?? 'unknown'}`, MINUTE_MS, loginAttemptsPerMinute, 'sign-in attempts from your address');
    await this.take(`login:account:${email}`, MINUTE_MS, loginAttemptsPerMinute, 'sign-in attempts for this account');
    const failures = this.window(`login-failures:${email}`, LOCKOUT_WINDOW_MS);
    if ((await this.counters.count(failures)) >= loginFailuresBeforeLockout) {
      throw tooManyRequests(
        `this account is locked after ${loginFailuresBeforeLockout} failed sign-ins; try again in ${failures.retryAfterSeconds} s`,
        failures.retryAfterSeconds,
      );
    }
  }

  /** Counts a failed login towards the account's lockout. */
  async loginFailed(email: string): Promise<void> {
    await this.counters.hit(this.window(`login-failures:${email}`, LOCKOUT_WINDOW_MS));
  }

  /**
   * Before an account is created: the registration policy, then the rate limits.
   * @throws ClientError 403 (registration closed, e-mail domain or invite code not accepted), 429 (with Retry-After).
   */
  async beforeRegister(email: string, address: ClientAddress, inviteCode?: string): Promise<void> {
    const { open, emailDomains, inviteCodes } = this.registration;
    if (!open) throw forbidden('registration is closed on this deployment');
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (emailDomains.length > 0 && !emailDomains.includes(domain)) throw forbidden(`registration is open to e-mails of ${emailDomains.join(', ')} only`);
    if (inviteCodes.length > 0 && !(inviteCode !== undefined && inviteCodes.includes(inviteCode))) throw forbidden('registration needs a valid inviteCode');
    const { registrationsPerHour } = this.limits;
    await this.take(`register:address:${address ?? 'unknown'}`, HOUR_MS, registrationsPerHour, 'registrations from your address');
    await this.take(`register:account:${email}`, HOUR_MS, registrationsPerHour, 'registrations of this e-mail');
  }

  /** Before a refresh token is looked at. @throws ClientError 429 (with Retry-After). */
  async beforeRefresh(address: ClientAddress): Promise<void> {
    await this.take(`refresh:address:${address ?? 'unknown'}`, MINUTE_MS, this.limits.refreshesPerMinute, 'token refreshes from your address');
  }

  /** Once the refresh token names its account. @throws ClientError 429 (with Retry-After). */
  async refreshOf(userId: string): Promise<void> {
    await this.take(`refresh:account:${userId}`, MINUTE_MS, this.limits.refreshesPerMinute, 'token refreshes for this account');
  }

  /** Counts one against `name`'s window. @throws ClientError 429 when `max` are counted already. */
  private async take(name: string, windowMs: number, max: number, what: string): Promise<void> {
    const window = this.window(name, windowMs);
    if ((await this.counters.hitUnder(window, max)) === undefined) {
      throw tooManyRequests(
        `too many ${what}: at most ${max} per ${windowMs / MINUTE_MS} min; try again in ${window.retryAfterSeconds} s`,
        window.retryAfterSeconds,
      );
    }
  }

  private window(name: string, windowMs: number): CounterWindow & { retryAfterSeconds: number } {
    return { name, ...fixedWindow(this.clock(), windowMs) };
  }
}
