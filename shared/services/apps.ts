/**
 * Apps: create, read, update (every update is a new version), delete.
 *
 * Without transactions (dynalite has none), each change is a claim, then its application,
 * written so that a crash between the two heals on the next attempt:
 * - a name is claimed with a conditional put on its own item; a claim whose app does not
 *   carry that name (a crash left it) is taken over;
 * - a version item is written before the app item moves to it; the app item's conditional
 *   update on `version` is what makes the change, so a stray version item above the current
 *   version is overwritten by the next update and never listed.
 */
import { ulid } from 'ulid';
import { FARGATE_SIZES, type App, type AppVersion, type Principal } from '../domain.js';
import { badRequest, conflict, notFound, preconditionFailed } from '../errors.js';
import { APP_FIELDS, type AppCreate, type AppPatch, type VersionDiff } from '../schemas.js';
import type { Page } from '../store/db.js';
import type { AppStore } from '../store/app-store.js';
import { isId } from '../ids.js';
import { canAccess } from './access.js';
import { checkScript } from '../rules/script-rules.js';
import { versionDiff } from './version-diff.js';
import { checkContainers } from '../rules/container-rules.js';
import { checkAppSecrets } from '../rules/secret-rules.js';

/** @throws ClientError 400 when Fargate has no task size with this cpu (vCPU) and memory (MiB). */
export function checkTaskSize(cpu: number, memoryMiB: number): void {
  const allowed = FARGATE_SIZES.get(cpu);
  if (allowed && !allowed.includes(memoryMiB)) {
    throw badRequest(`Fargate does not offer ${memoryMiB} MiB with ${cpu} vCPU`, [
      { field: 'memoryMiB', message: `with cpu ${cpu}, memoryMiB must be one of ${allowed.join(', ')}` },
    ]);
  }
}

/** What must happen before an app goes (its schedules stop firing); throwing keeps the app. */
export type BeforeAppDelete = (principal: Principal, appId: string) => Promise<void>;

/**
 * Checks the secrets an app references (SecretService.checkAppSecrets: they exist and are the owner's) and claims
 * them for the app, before the app is written with them; throwing refuses the change.
 */
export type CheckAppSecrets = (app: Pick<App, 'appId' | 'ownerId' | 'secrets'>) => Promise<void>;

/** Checks the images an app names (main and sidecars) before the app is written with them (ImageService.checkAppImage); throwing refuses the change. */
export type CheckAppImage = (principal: Principal, app: Pick<App, 'appId' | 'image' | 'sidecars'>) => Promise<void>;

export class AppService {
  constructor(
    private readonly store: AppStore,
    private readonly hooks: { beforeDelete?: BeforeAppDelete; checkImage?: CheckAppImage; checkSecrets?: CheckAppSecrets } = {},
    /** Most apps one owner may have (settings' MAX_APPS_PER_USER). */
    private readonly maxAppsPerUser = Infinity,
  ) {}

  /**
   * @throws ClientError 400 (task size; containers: container-rules; image not allowed; a script with a command, or too
   *   large), 409 (name taken by another of the owner's apps, maxAppsPerUser reached, or a built image without a BUILT build).
   */
  async create(principal: Principal, input: AppCreate): Promise<App> {
    checkTaskSize(input.cpu, input.memoryMiB);
    checkScript(input);
    checkContainers(input);
    checkAppSecrets(input.secrets, input.env);
    if ((await this.store.countOfOwner(principal.userId)) >= this.maxAppsPerUser) throw this.quotaReached();
    const now = new Date().toISOString();
    const app: App = { ...input, appId: ulid(), ownerId: principal.userId, version: 1, createdAt: now, updatedAt: now, updatedBy: principal.userId };
    await this.hooks.checkImage?.(principal, app);
    if (app.secrets) await this.hooks.checkSecrets?.(app);
    await this.claimName(app.ownerId, app.name, app.appId);
    await this.store.putVersion({ ...app, changedFields: APP_FIELDS.filter((f) => app[f] !== undefined) });
    if (!(await this.store.putApp(app))) throw conflict(`app ${app.appId} exists already`);
    // Counted again after the write, so that concurrent creates cannot all slip under the quota: each that finds it exceeded backs out.
    if ((await this.store.countOfOwner(app.ownerId)) > this.maxAppsPerUser) {
      await this.store.deleteApp(app.appId);
      await this.store.releaseName(app.ownerId, app.name, app.appId);
      throw this.quotaReached();
    }
    return app;
  }

  private quotaReached() {
    return conflict(`you have ${this.maxAppsPerUser} apps, the most one user may have; delete one first`);
  }

  /** The caller's apps (admins: every app), oldest first. @throws ClientError 400 for a foreign cursor. */
  list(principal: Principal, cursor?: string, limit = 50): Promise<Page<App>> {
    return this.store.listPage(principal.role === 'admin' ? undefined : principal.userId, limit, cursor);
  }

  /** @throws ClientError 404 when the app does not exist or is not the caller's (or `appId` is no id). */
  async get(principal: Principal, appId: string): Promise<App> {
    const app = isId(appId) ? await this.store.getApp(appId) : undefined;
    if (!app || !canAccess(principal, app.ownerId)) throw notFound('app', appId);
    return app;
  }

  /** One version of an app as it was (runs launch from these). @throws ClientError 404. */
  async getVersion(appId: string, version: number): Promise<AppVersion> {
    const found = await this.store.getVersion(appId, version);
    if (!found) throw notFound('app version', `${appId}@${version}`);
    return found;
  }

  /** Every version of the app, oldest first. @throws ClientError 404. */
  async versions(principal: Principal, appId: string): Promise<AppVersion[]> {
    const app = await this.get(principal, appId);
    return (await this.store.versions(appId)).filter((v) => v.version <= app.version);
  }

  /**
   * What `version` changed against `against` (versions of the caller's app): see versionDiff.
   * @throws ClientError 404 when the app or either version does not exist.
   */
  async diff(principal: Principal, appId: string, version: number, against: number): Promise<VersionDiff> {
    const app = await this.get(principal, appId);
    const [to, from] = [version, against].map((n) =>
      n >= 1 && n <= app.version ? this.getVersion(appId, n) : Promise.reject(notFound('app version', `${appId}@${n}`)),
    );
    return versionDiff(await to!, await from!);
  }

  /**
   * Applies a partial change as a new version. `expectedVersion` (from If-Match or the body)
   * makes it conditional.
   * @throws ClientError 400, 404, 409 (name taken; a built image without a BUILT build), 412 (the app moved past expectedVersion).
   */
  async update(principal: Principal, appId: string, patch: AppPatch, expectedVersion?: number): Promise<App> {
    const current = await this.get(principal, appId);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw preconditionFailed(`app ${appId} is at version ${current.version}, not ${expectedVersion}`);
    }
    const { version: _, script, ...rest } = patch;
    // `script: null` removes the script; stored apps have no null fields.
    const changes = { ...rest, ...(script !== undefined && { script: script ?? undefined }) };
    const changedFields = APP_FIELDS.filter((f) => f in changes && JSON.stringify(changes[f]) !== JSON.stringify(current[f]));
    if (changedFields.length === 0) return current;
    const next: App = {
      ...current,
      ...changes,
      version: current.version + 1,
      updatedAt: new Date().toISOString(),
      updatedBy: principal.userId,
    };
    checkTaskSize(next.cpu, next.memoryMiB);
    checkScript(next);
    if (changedFields.includes('image') || changedFields.includes('sidecars')) await this.hooks.checkImage?.(principal, next);
    checkContainers(next);
    checkAppSecrets(next.secrets, next.env);
    if ((changedFields.includes('secrets') || changedFields.includes('env')) && next.secrets) await this.hooks.checkSecrets?.(next);
    if (next.name !== current.name) await this.claimName(next.ownerId, next.name, appId);
    await this.store.putVersion({ ...next, changedFields });
    if (!(await this.store.putApp(next, current.version))) throw preconditionFailed(`app ${appId} was changed by someone else; read it again`);
    if (next.name !== current.name) await this.store.releaseName(next.ownerId, current.name, appId);
    return next;
  }

  /**
   * Deletes the app after its `beforeDelete` hook (the platform's: delete its schedules);
   * its versions and runs stay as history. @throws ClientError 404.
   */
  async delete(principal: Principal, appId: string): Promise<App> {
    const app = await this.get(principal, appId);
    await this.hooks.beforeDelete?.(principal, appId);
    await this.store.deleteApp(appId);
    await this.store.releaseName(app.ownerId, app.name, appId);
    return app;
  }

  /** @throws ClientError 409 when another of the owner's apps carries the name. */
  private async claimName(ownerId: string, name: string, appId: string): Promise<void> {
    if (await this.store.claimName(ownerId, name, appId)) return;
    const holderId = String(await this.store.nameHolder(ownerId, name));
    const holder = await this.store.getApp(holderId);
    if (holder?.name === name) throw conflict(`you have an app named "${name}" already (${holderId})`);
    // A crash left this claim behind: take it over, unless someone else just did.
    if (!(await this.store.takeOverName(ownerId, name, appId, holderId))) throw conflict(`the name "${name}" was just taken`);
  }
}
