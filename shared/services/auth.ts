/**
 * Accounts and tokens. Built-in accounts: scrypt password hashes (node:crypto), HS256 JWTs
 * (jose) carrying iss, aud, sub, iat, exp, jti (RFC 7519), rotating refresh tokens.
 * Optionally, tokens of an external OpenID provider verified through its JWKS.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { SignJWT, jwtVerify, decodeJwt, createRemoteJWKSet, type JWTPayload } from 'jose';
import { ulid } from 'ulid';
import type { Principal, Role, User } from '../domain.js';
import { conflict, notFound, unauthorized } from '../errors.js';
import type { TokenSet } from '../schemas.js';
import type { UserItem, UserStore } from '../store/user-store.js';
import type { ClientAddress, SignInGuard } from './sign-in-guard.js';
import type { AuthConfig } from '../settings.js';

/** The settings' types, where the services' users found them before (shared/settings.ts owns them). */
export type { AuthConfig };
export { TOKEN_LIFETIMES } from '../settings.js';

// OWASP's scrypt baseline (N=2^17, r=8, p=1) is slow for a test suite's many sign-ins;
// N=2^14 is the Node default cost and still a memory-hard hash.
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 64 } as const;
const ALGORITHM = 'HS256';

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, SCRYPT.keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [, n, r, p, salt, hash] = stored.split('$');
  const key = await scrypt(password, Buffer.from(salt!, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(key, Buffer.from(hash!, 'base64'));
}

// Verifying against this hash when the account does not exist keeps login's timing the same.
const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'));

/** Sign-up, sign-in, refresh and token verification. */
export class AuthService {
  private readonly jwks;

  constructor(
    private readonly users: UserStore,
    private readonly config: AuthConfig,
    private readonly guard: SignInGuard,
  ) {
    this.jwks = config.oidc ? createRemoteJWKSet(new URL(config.oidc.jwksUrl)) : undefined;
  }

  /**
   * Creates an account, if the registration policy lets `email` (and `inviteCode`) in.
   * @throws ClientError 403 (registration closed or restricted), 409 (the email is taken), 429 (too many from `address`, with Retry-After).
   */
  async register(email: string, password: string, address: ClientAddress, inviteCode?: string): Promise<User> {
    await this.guard.beforeRegister(email.toLowerCase(), address, inviteCode);
    const user: UserItem = {
      userId: ulid(),
      email: email.toLowerCase(),
      createdAt: new Date().toISOString(),
      passwordHash: await hashPassword(password),
    };
    if (!(await this.users.insertUser(user))) throw conflict(`an account for ${user.email} exists already`);
    return this.publicUser(user);
  }

  /**
   * @throws ClientError 401 for an unknown email or a wrong password (the same answer for both);
   * 429 with Retry-After for too many attempts from `address` or for the account, or while the account is locked after failures.
   */
  async login(email: string, password: string, address: ClientAddress): Promise<TokenSet> {
    const account = email.toLowerCase();
    await this.guard.beforeLogin(account, address);
    const user = await this.findUser(account);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH));
    if (!user || !ok) {
      await this.guard.loginFailed(account);
      throw unauthorized('email or password is wrong');
    }
    return this.issueTokens(user);
  }

  /**
   * Trades a refresh token for a new pair; the old one is spent first (a conditional write),
   * so a token can be used once however many requests race with it.
   * @throws ClientError 401 when the token is invalid, expired or already used; 429 with Retry-After for too many refreshes from `address` or of the account.
   */
  async refresh(refreshToken: string, address: ClientAddress): Promise<TokenSet> {
    await this.guard.beforeRefresh(address);
    const claims = await this.verifyOwn(refreshToken, 'refresh');
    await this.guard.refreshOf(claims.sub!);
    if (!(await this.users.spendRefreshToken(claims.jti!, new Date().toISOString()))) throw unauthorized('refresh token was already used or revoked');
    const user = await this.findUser(String(claims.email));
    if (!user) throw unauthorized('the account no longer exists');
    return this.issueTokens(user);
  }

  /**
   * Verifies a bearer access token: our own (HS256 only) or, when configured, the OpenID
   * provider's (through its JWKS).
   * @throws ClientError 401 saying why the token is not accepted.
   */
  async verify(token: string): Promise<Principal> {
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw unauthorized('bearer token is not a JWT');
    }
    if (this.jwks && this.config.oidc && issuer === this.config.oidc.issuer) {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.config.oidc.issuer,
        audience: this.config.oidc.audience,
        algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      }).catch((err: Error) => {
        throw unauthorized(`token rejected: ${err.message}`);
      });
      const email = typeof payload.email === 'string' ? payload.email.toLowerCase() : undefined;
      const userId = `oidc:${payload.sub}`;
      // The provider vouches for an address only when it says so (OIDC Core §5.1 email_verified); anything else is the user's claim.
      const verifiedAdmin = payload.email_verified === true && email !== undefined && this.config.adminEmails.includes(email);
      return { userId, email, role: verifiedAdmin || this.config.adminUserIds.includes(userId) ? 'admin' : 'user' };
    }
    const claims = await this.verifyOwn(token, 'access');
    return { userId: claims.sub!, email: String(claims.email), role: claims.role === 'admin' ? 'admin' : 'user' };
  }

  private async verifyOwn(token: string, use: 'access' | 'refresh'): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.config.secret, {
      issuer: this.config.issuer,
      audience: this.config.audience,
      algorithms: [ALGORITHM],
      requiredClaims: ['sub', 'jti', 'iat', 'exp'],
    }).catch((err: Error) => {
      throw unauthorized(`token rejected: ${err.message}`);
    });
    if (payload.token_use !== use) throw unauthorized(`expected a${use === 'access' ? 'n access' : ' refresh'} token`);
    return payload;
  }

  private findUser(email: string): Promise<UserItem | undefined> {
    return this.users.getUser(email);
  }

  private async issueTokens(user: UserItem): Promise<TokenSet> {
    const { accessTokenTtlSeconds, refreshTokenTtlSeconds } = this.config;
    const refreshJti = ulid();
    const expiresAt = Math.floor(Date.now() / 1000) + refreshTokenTtlSeconds;
    await this.users.putRefreshToken(refreshJti, user.userId, expiresAt);
    return {
      accessToken: await this.sign(user, 'access', ulid(), accessTokenTtlSeconds),
      refreshToken: await this.sign(user, 'refresh', refreshJti, refreshTokenTtlSeconds),
      tokenType: 'Bearer',
      expiresIn: accessTokenTtlSeconds,
    };
  }

  private sign(user: UserItem, use: 'access' | 'refresh', jti: string, ttlSeconds: number): Promise<string> {
    return new SignJWT({ email: user.email, role: this.roleOf(user), token_use: use })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(this.config.issuer)
      .setAudience(this.config.audience)
      .setSubject(user.userId)
      .setJti(jti)
      .setIssuedAt()
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.config.secret);
  }

  /** The signed-in user's account. @throws ClientError 401 when it no longer exists. */
  async me(principal: Principal): Promise<User> {
    // An OpenID principal's e-mail is the provider's claim: it never opens the built-in account of that address.
    if (principal.userId.startsWith('oidc:')) return { userId: principal.userId, email: principal.email ?? '', role: principal.role, createdAt: '' };
    const user = principal.email ? await this.findUser(principal.email) : undefined;
    if (!user || user.userId !== principal.userId) throw unauthorized('the account no longer exists');
    return this.publicUser(user);
  }

  /**
   * The operator's act (`npm run admin -- grant|revoke <email>`, local/admin.ts): makes an existing
   * built-in account an admin, or no longer one, from its next token on. Returns the account as it is then.
   * @throws ClientError 404 when no account has this e-mail.
   */
  async setAdmin(email: string, admin: boolean): Promise<User> {
    const account = email.toLowerCase();
    const user = await this.users.setAdminGrant(account, admin ? new Date().toISOString() : undefined);
    if (!user) throw notFound('account', account);
    return this.publicUser(user);
  }

  private publicUser({ passwordHash: _, adminGrantedAt: _granted, ...user }: UserItem): User {
    return { ...user, role: this.roleOf({ ...user, adminGrantedAt: _granted }) };
  }

  /** Admin when an operator granted it on the account, or ADMIN_USER_IDS names its id; never from its e-mail alone. */
  private roleOf(user: Pick<UserItem, 'userId' | 'adminGrantedAt'>): Role {
    return user.adminGrantedAt !== undefined || this.config.adminUserIds.includes(user.userId) ? 'admin' : 'user';
  }
}
