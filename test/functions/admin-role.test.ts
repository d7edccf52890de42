/**
 * Where the admin role comes from (issue 14), on the real store (dynalite): an account id in
 * ADMIN_USER_IDS or the operator's grant, never an address someone registered; ADMIN_EMAILS does
 * nothing for built-in accounts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type EmbeddedDynamo } from '../../local/store/dynalite.js';
import { AuthService, TOKEN_LIFETIMES } from '../../shared/services/auth.js';
import { SignInGuard } from '../../shared/services/sign-in-guard.js';
import { DEFAULT_LIMITS } from '../../shared/settings.js';
import { CounterStore } from '../../shared/store/counter-store.js';
import { UserStore } from '../../shared/store/user-store.js';
import { PASSWORD } from '../support/fixtures.js';

describe('the admin role of built-in accounts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'containerizer-admin-'));
  let store: EmbeddedDynamo;
  const BOSS = 'boss@example.com';

  /** The auth service as a deployment with these admins configures it. */
  const authWith = (admins: { adminUserIds?: string[]; adminEmails?: string[] }) =>
    new AuthService(
      new UserStore(store.db),
      {
        secret: new TextEncoder().encode('s'.repeat(32)),
        issuer: 'test',
        audience: 'test',
        ...TOKEN_LIFETIMES,
        adminUserIds: admins.adminUserIds ?? [],
        adminEmails: admins.adminEmails ?? [],
      },
      new SignInGuard(new CounterStore(store.db), DEFAULT_LIMITS, { open: true, emailDomains: [], inviteCodes: [] }),
    );
  const roleOf = async (auth: AuthService) => (await auth.verify((await auth.login(BOSS, PASSWORD, '127.0.0.1')).accessToken)).role;

  beforeAll(async () => {
    store = await startDynalite(join(dir, 'dynamodb'), 'containerizer');
  });
  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('comes from the account id or the operator, never from the registered address', async () => {
    const named = authWith({ adminEmails: [BOSS] });
    const user = await named.register(BOSS, PASSWORD, '127.0.0.1');
    expect(user.role).toBe('user');
    expect(await roleOf(named)).toBe('user');
    expect(await roleOf(authWith({ adminUserIds: [user.userId] }))).toBe('admin');

    expect((await named.setAdmin('Boss@Example.com', true)).role).toBe('admin');
    expect(await roleOf(named)).toBe('admin');
    expect((await named.setAdmin(BOSS, false)).role).toBe('user');
    expect(await roleOf(named)).toBe('user');
    await expect(named.setAdmin('nobody@example.com', true)).rejects.toMatchObject({ status: 404 });
  });
});
