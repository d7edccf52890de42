/**
 * Secrets: an owner's named values, write-only through the API (a response holds a secret's name,
 * version and times, never its value), versioned (every PUT adds one), referenced by apps by env
 * name, handed to a run's main container at launch and masked in the run's logs.
 *
 * The secret item is the commit point of every change: it holds where its current version's value is
 * kept (`stored`, what the vault returned: never the plaintext), and moves by one conditional write.
 * Before it moves on, the version it leaves is copied to its own version item (idempotent), so a run
 * pinned to an older version can still launch it; a crash leaves at most a value in the vault that no
 * item names, overwritten or removed with the secret.
 */
import type { App, Principal, Run } from '../domain.js';
import { badRequest, conflict, notFound, ServiceUnavailableError } from '../errors.js';
import { logger } from '../logger.js';
import { MAX_SECRETS_PER_OWNER, secretMasker, type Masker } from '../rules/secret-rules.js';
import type { Secret, SecretCreate, SecretVersions } from '../secret-schemas.js';
import type { LaunchSecret, SecretKey, SecretVault, StoredSecretVersion } from '../secret-vault.js';
import type { AppStore } from '../store/app-store.js';
import type { Page } from '../store/db.js';
import type { SecretStore } from '../store/secret-store.js';

/** The secret item: the API's Secret and where its current version's value is kept. */
type SecretItem = Secret & { stored?: string };

/**
 * How long (ms) a value read to mask logs is remembered by the process: a follow reads a page every
 * second or so, and each read would otherwise cost a GetSecretValue ($0.05 per 10,000) per secret.
 * Versions never change, so a remembered value is never stale; it is only forgotten.
 */
const MASK_CACHE_MS = 60_000;
/** Values remembered at most (the oldest is forgotten first). */
const MASK_CACHE_ENTRIES = 1000;

/** The apps that reference a secret, as a 409 names them. */
export interface SecretUser {
  appId: string;
  name: string;
}

export class SecretService {
  /** Values read for masking, by `owner\nname\nversion`, with when they are forgotten (epoch ms). In memory only. */
  private readonly revealed = new Map<string, { value: string; until: number }>();

  constructor(
    private readonly store: SecretStore,
    private readonly apps: AppStore,
    /** Where values are kept; none: this deployment keeps no secrets (writes answer 503, launches of apps with secrets fail). */
    private readonly vault?: SecretVault,
    /** Most secrets one owner may keep. */
    private readonly maxPerOwner = MAX_SECRETS_PER_OWNER,
  ) {}

  /**
   * Creates the caller's secret at version 1.
   * @throws ClientError 409 when the caller has a secret of that name, or maxPerOwner secrets; 503 without a vault.
   */
  async create(principal: Principal, input: SecretCreate): Promise<Secret> {
    const vault = this.requireVault();
    const ownerId = principal.userId;
    if (await this.store.get(ownerId, input.name)) throw conflict(`you have a secret named "${input.name}" already; PUT /secrets/${input.name} adds a version`);
    if ((await this.store.countOfOwner(ownerId)) >= this.maxPerOwner) throw conflict(`you have ${this.maxPerOwner} secrets, the most one user may keep`);
    const now = new Date().toISOString();
    const stored = await vault.put({ ownerId, name: input.name }, 1, input.value);
    const secret: SecretItem = { name: input.name, ownerId, version: 1, createdAt: now, updatedAt: now, updatedBy: principal.userId, stored };
    if (!(await this.store.insert(secret))) throw conflict(`you have a secret named "${input.name}" already`);
    return publicOf(secret);
  }

  /** The caller's secrets by name (never their values). @throws ClientError 400 for a foreign cursor. */
  async list(principal: Principal, cursor?: string, limit = 50): Promise<Page<Secret>> {
    const page = await this.store.listPage(principal.userId, limit, cursor);
    return { ...page, items: page.items.map(publicOf) };
  }

  /** @throws ClientError 404 when the caller has no secret of that name. */
  async get(principal: Principal, name: string): Promise<Secret> {
    return publicOf(await this.item(principal.userId, name));
  }

  /**
   * Writes a new version of the caller's secret; runs created from now on receive it, runs created
   * before keep the version they recorded.
   * @throws ClientError 404, 409 when another change of it came first; 503 without a vault.
   */
  async update(principal: Principal, name: string, value: string): Promise<Secret> {
    const vault = this.requireVault();
    const current = await this.item(principal.userId, name);
    await this.keepVersion(current);
    const version = current.version + 1;
    const stored = await vault.put(current, version, value);
    const next: SecretItem & { stored: string } = { ...current, version, updatedAt: new Date().toISOString(), updatedBy: principal.userId, stored };
    if (!(await this.store.advance(next, current.version))) throw conflict(`secret ${name} was changed by someone else meanwhile; read it and try again`);
    return publicOf(next);
  }

  /**
   * Deletes the caller's secret with every version, unless an app references it.
   * @throws ClientError 404; 409 naming the apps that reference it, or when it changed meanwhile.
   */
  async delete(principal: Principal, name: string): Promise<void> {
    const secret = await this.item(principal.userId, name);
    const users = await this.users(secret);
    if (users.length > 0) {
      const named = users.map((app) => `${app.name} (${app.appId})`).join(', ');
      throw conflict(`secret ${name} is referenced by ${users.length === 1 ? 'app' : 'apps'} ${named}: remove it from their secrets first`);
    }
    if (!(await this.store.delete(secret.ownerId, name, secret.version))) throw conflict(`secret ${name} was changed meanwhile; try again`);
    await this.vault?.remove(secret);
  }

  /**
   * The app's check of its secrets (AppService's checkSecrets hook): each is claimed for the app, then
   * must exist among its owner's.
   * @throws ClientError 400 naming `secrets.<ENV>` for each secret the owner does not have.
   */
  async checkAppSecrets(app: Pick<App, 'appId' | 'ownerId' | 'secrets'>): Promise<void> {
    const entries = Object.entries(app.secrets ?? {});
    const names = [...new Set(entries.map(([, name]) => name))];
    // Claimed first, so that a delete that starts now sees the claim.
    await Promise.all(names.map((name) => this.store.putUse(app.ownerId, name, app.appId)));
    const found = new Set((await Promise.all(names.map((name) => this.store.get(app.ownerId, name)))).filter((s) => s).map((s) => s!.name));
    const errors = entries
      .filter(([, name]) => !found.has(name))
      .map(([env, name]) => ({ field: `secrets.${env}`, message: `you have no secret named "${name}"` }));
    if (errors.length > 0) throw badRequest(`unknown secrets: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
  }

  /**
   * The secret versions a run's main container receives: the ones the run recorded (a relaunch, a
   * retry), else each secret's current version, recorded on the run first (its `secretVersions`).
   * @throws Error naming a secret or version that no longer exists (the launch fails with it).
   */
  async forLaunch(run: Run): Promise<LaunchSecret[]> {
    const refs = Object.entries(run.secrets ?? {});
    if (refs.length === 0) return [];
    let pinned = run.secretVersions;
    if (!pinned || refs.some(([env]) => !pinned![env])) {
      const current: SecretVersions = {};
      for (const [env, name] of refs) {
        const secret = await this.store.get(run.ownerId, name);
        if (!secret) throw new Error(`secret ${name} (${env}) does not exist: it was deleted after the app referenced it`);
        current[env] = { name, version: secret.version };
      }
      pinned = await this.store.pinRunVersions(run.runId, { ...current, ...pinned });
    }
    return Promise.all(
      Object.entries(pinned).map(async ([env, { name, version }]) => ({ env, ...(await this.stored({ ownerId: run.ownerId, name }, version)) })),
    );
  }

  /**
   * A masker of the run's output: replaces the values of the secret versions the run received with
   * `***` (rules/secret-rules.ts secretMasker). A version that cannot be read is logged and not masked.
   */
  async maskerOf(run: Pick<Run, 'runId' | 'ownerId' | 'secretVersions'>): Promise<Masker> {
    const versions = Object.values(run.secretVersions ?? {});
    if (versions.length === 0 || !this.vault) return secretMasker([]);
    const vault = this.vault;
    const values = await Promise.all(
      versions.map(async ({ name, version }) => {
        const key = `${run.ownerId}\n${name}\n${version}`;
        const cached = this.revealed.get(key);
        if (cached && cached.until > Date.now()) return cached.value;
        try {
          const value = await vault.reveal(await this.stored({ ownerId: run.ownerId, name }, version));
          this.revealed.delete(key);
          this.revealed.set(key, { value, until: Date.now() + MASK_CACHE_MS });
          if (this.revealed.size > MASK_CACHE_ENTRIES) this.revealed.delete(this.revealed.keys().next().value!);
          return value;
        } catch (err) {
          logger.warn('cannot read a secret version to mask it', { runId: run.runId, name, version, error: err as Error });
          return undefined;
        }
      }),
    );
    return secretMasker(values.filter((v): v is string => v !== undefined));
  }

  /** The apps that reference the secret now; claims of apps that no longer do (or are gone) are dropped. */
  private async users(secret: Secret): Promise<SecretUser[]> {
    const users: SecretUser[] = [];
    for (const appId of await this.store.uses(secret.ownerId, secret.name)) {
      const app = await this.apps.getApp(appId);
      if (app && Object.values(app.secrets ?? {}).includes(secret.name)) users.push({ appId, name: app.name });
      else await this.store.deleteUse(secret.ownerId, secret.name, appId);
    }
    return users;
  }

  /** Where a version's value is kept: on the secret item for its current version, else on the version's item. */
  private async stored(key: SecretKey, version: number): Promise<StoredSecretVersion> {
    const secret = (await this.store.get(key.ownerId, key.name)) as SecretItem | undefined;
    if (secret?.version === version && secret.stored) return { ...key, version, stored: secret.stored };
    const item = await this.store.getVersion(key.ownerId, key.name, version);
    if (!item) throw new Error(`secret ${key.name} has no version ${version} any more (the secret was deleted?)`);
    return { ...key, version, stored: item.stored };
  }

  /** Copies the secret's current version to its version item (idempotent), before the secret moves on. */
  private async keepVersion(secret: SecretItem): Promise<void> {
    if (!secret.stored) return;
    await this.store.putVersion({ ownerId: secret.ownerId, name: secret.name, version: secret.version, stored: secret.stored, createdAt: secret.updatedAt });
  }

  private async item(ownerId: string, name: string): Promise<SecretItem> {
    const secret = await this.store.get(ownerId, name);
    if (!secret) throw notFound('secret', name);
    return secret;
  }

  private requireVault(): SecretVault {
    if (!this.vault) throw new ServiceUnavailableError('this deployment keeps no secrets (no secret store is configured)');
    return this.vault;
  }
}

/** The secret as the API shows it: without where its value is kept. */
function publicOf(secret: SecretItem): Secret {
  const { stored: _stored, ...rest } = secret;
  return rest;
}
