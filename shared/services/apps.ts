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
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { FARGATE_SIZES, type App, type AppVersion, type Principal } from '../domain.js';
import { badRequest, conflict, notFound, preconditionFailed } from '../errors.js';
import type { AppCreate, AppPatch } from '../schemas.js';
import { keys } from '../table.js';
import { fromItem, isConditionFailed, queryAll, queryPage, type Db, type Page } from '../store/db.js';
import { canAccess } from './access.js';

/** @throws ClientError 400 when Fargate has no task size with this cpu (vCPU) and memory (MiB). */
export function checkTaskSize(cpu: number, memoryMiB: number): void {
  const allowed = FARGATE_SIZES.get(cpu);
  if (allowed && !allowed.includes(memoryMiB)) {
    throw badRequest(`Fargate does not offer ${memoryMiB} MiB with ${cpu} vCPU`, [
      { field: 'memoryMiB', message: `with cpu ${cpu}, memoryMiB must be one of ${allowed.join(', ')}` },
    ]);
  }
}

const EDITABLE = ['name', 'description', 'image', 'command', 'env', 'cpu', 'memoryMiB', 'timeoutSeconds', 'retry'] as const;

export class AppService {
  constructor(private readonly db: Db) {}

  /** @throws ClientError 400 (task size), 409 (name taken by another of the owner's apps). */
  async create(principal: Principal, input: AppCreate): Promise<App> {
    checkTaskSize(input.cpu, input.memoryMiB);
    const now = new Date().toISOString();
    const app: App = { ...input, appId: ulid(), ownerId: principal.userId, version: 1, createdAt: now, updatedAt: now, updatedBy: principal.userId };
    await this.claimName(app.ownerId, app.name, app.appId);
    await this.putVersion({ ...app, changedFields: EDITABLE.filter((f) => app[f] !== undefined) });
    await this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: this.appItem(app), ConditionExpression: 'attribute_not_exists(pk)' }));
    return app;
  }

  /** The caller's apps (admins: every app), oldest first. */
  list(principal: Principal, cursor?: string, limit = 50): Promise<Page<App>> {
    const byOwner = principal.role !== 'admin';
    return queryPage<App>(
      this.db,
      {
        IndexName: byOwner ? 'byParent' : 'byKind',
        KeyConditionExpression: byOwner ? 'gsi1pk = :p' : 'gsi3pk = :p',
        ExpressionAttributeValues: { ':p': byOwner ? `OWNER#${principal.userId}#APPS` : 'APP' },
        Limit: limit,
      },
      cursor,
    );
  }

  /** @throws ClientError 404 when the app does not exist or is not the caller's. */
  async get(principal: Principal, appId: string): Promise<App> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.app(appId) }));
    if (!out.Item || !canAccess(principal, String(out.Item.ownerId))) throw notFound('app', appId);
    return fromItem<App>(out.Item);
  }

  /** One version of an app as it was (runs launch from these). @throws ClientError 404. */
  async getVersion(appId: string, version: number): Promise<AppVersion> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.appVersion(appId, version) }));
    if (!out.Item) throw notFound('app version', `${appId}@${version}`);
    return fromItem<AppVersion>(out.Item);
  }

  /** Every version of the app, oldest first. */
  async versions(principal: Principal, appId: string): Promise<AppVersion[]> {
    const app = await this.get(principal, appId);
    const versions = await queryAll<AppVersion>(this.db, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':pk': keys.app(appId).pk, ':v': 'VERSION#' },
    });
    return versions.filter((v) => v.version <= app.version);
  }

  /**
   * Applies a partial change as a new version. `expectedVersion` (from If-Match or the body)
   * makes it conditional.
   * @throws ClientError 400, 404, 409 (name taken), 412 (the app moved past expectedVersion).
   */
  async update(principal: Principal, appId: string, patch: AppPatch, expectedVersion?: number): Promise<App> {
    const current = await this.get(principal, appId);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw preconditionFailed(`app ${appId} is at version ${current.version}, not ${expectedVersion}`);
    }
    const { version: _, ...changes } = patch;
    const changedFields = EDITABLE.filter((f) => f in changes && JSON.stringify(changes[f]) !== JSON.stringify(current[f]));
    if (changedFields.length === 0) return current;
    const next: App = {
      ...current,
      ...changes,
      version: current.version + 1,
      updatedAt: new Date().toISOString(),
      updatedBy: principal.userId,
    };
    checkTaskSize(next.cpu, next.memoryMiB);
    if (next.name !== current.name) await this.claimName(next.ownerId, next.name, appId);
    await this.putVersion({ ...next, changedFields });
    try {
      await this.db.doc.send(
        new PutCommand({
          TableName: this.db.tableName,
          Item: this.appItem(next),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': current.version },
        }),
      );
    } catch (err) {
      if (isConditionFailed(err)) throw preconditionFailed(`app ${appId} was changed by someone else; read it again`);
      throw err;
    }
    if (next.name !== current.name) await this.releaseName(next.ownerId, current.name, appId);
    return next;
  }

  /** Deletes the app; its versions and runs stay as history. @throws ClientError 404. */
  async delete(principal: Principal, appId: string): Promise<App> {
    const app = await this.get(principal, appId);
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.app(appId) }));
    await this.releaseName(app.ownerId, app.name, appId);
    return app;
  }

  private appItem(app: App) {
    return {
      ...keys.app(app.appId),
      gsi1pk: `OWNER#${app.ownerId}#APPS`,
      gsi1sk: app.appId,
      gsi3pk: 'APP',
      gsi3sk: app.appId,
      ...app,
    };
  }

  private putVersion(version: AppVersion) {
    return this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: { ...keys.appVersion(version.appId, version.version), ...version } }));
  }

  private async claimName(ownerId: string, name: string, appId: string): Promise<void> {
    const key = keys.appName(ownerId, name);
    const claim = (condition: string, values: Record<string, unknown>) =>
      this.db.doc.send(
        new PutCommand({ TableName: this.db.tableName, Item: { ...key, appId }, ConditionExpression: condition, ExpressionAttributeValues: values }),
      );
    try {
      await claim('attribute_not_exists(pk) OR appId = :me', { ':me': appId });
      return;
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    const holder = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: key }));
    const holderId = String(holder.Item?.appId);
    const holderApp = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.app(holderId) }));
    if (holderApp.Item?.name === name) throw conflict(`you have an app named "${name}" already (${holderId})`);
    // A crash left this claim behind: take it over, unless someone else just did.
    try {
      await claim('appId = :holder', { ':holder': holderId });
    } catch (err) {
      if (isConditionFailed(err)) throw conflict(`the name "${name}" was just taken`);
      throw err;
    }
  }

  private async releaseName(ownerId: string, name: string, appId: string): Promise<void> {
    try {
      await this.db.doc.send(
        new DeleteCommand({
          TableName: this.db.tableName,
          Key: keys.appName(ownerId, name),
          ConditionExpression: 'appId = :me',
          ExpressionAttributeValues: { ':me': appId },
        }),
      );
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
  }
}
