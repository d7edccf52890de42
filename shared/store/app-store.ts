/**
 * The app items: the app (in its owner's listing and the all-apps listing), its versions
 * (under the app's partition key, never listed past the app's version) and the per-owner
 * name claims. Conditional-write failures come back as `false`.
 */
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { App, AppVersion } from '../domain.js';
import { children, childrenQuery, indexAttributes, indexKeys, keys, KEY, partitionQuery } from '../table.js';
import { conditionHeld, countAll, fromItem, queryAll, queryPage, type Db, type Page } from './db.js';

export class AppStore {
  constructor(private readonly db: Db) {}

  /**
   * Writes the app item: a new one (`expectedVersion` undefined; refused if it exists) or the
   * next version of one stored at `expectedVersion`. Returns false when that condition fails.
   */
  putApp(app: App, expectedVersion?: number): Promise<boolean> {
    const item = { ...keys.app(app.appId), ...indexAttributes(app.appId, indexKeys.appsOfOwner(app.ownerId), indexKeys.allApps()), ...app };
    const condition =
      expectedVersion === undefined
        ? { ConditionExpression: `attribute_not_exists(${KEY.pk})` }
        : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } };
    return conditionHeld(this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: item, ...condition })));
  }

  async getApp(appId: string): Promise<App | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.app(appId) }));
    return out.Item ? fromItem<App>(out.Item) : undefined;
  }

  async deleteApp(appId: string): Promise<void> {
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.app(appId) }));
  }

  /** One page of the owner's apps (`ownerId` undefined: every app), oldest first. @throws ClientError 400 for a foreign cursor. */
  listPage(ownerId: string | undefined, limit: number, cursor?: string): Promise<Page<App>> {
    const partition = ownerId === undefined ? indexKeys.allApps() : indexKeys.appsOfOwner(ownerId);
    return queryPage<App>(this.db, { ...partitionQuery(partition), Limit: limit }, cursor);
  }

  /** How many apps the owner has (a counting Query on the owner's partition). */
  countOfOwner(ownerId: string): Promise<number> {
    return countAll(this.db, partitionQuery(indexKeys.appsOfOwner(ownerId)));
  }

  /** Writes (or overwrites) a version item. */
  async putVersion(version: AppVersion): Promise<void> {
    await this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: { ...keys.appVersion(version.appId, version.version), ...version } }));
  }

  async getVersion(appId: string, version: number): Promise<AppVersion | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.appVersion(appId, version) }));
    return out.Item ? fromItem<AppVersion>(out.Item) : undefined;
  }

  /** Every version item of an app, oldest first (including any a crash left above the app's version). */
  versions(appId: string): Promise<AppVersion[]> {
    return queryAll<AppVersion>(this.db, childrenQuery(children.versionsOfApp(appId)));
  }

  /** Claims an owner's app name for `appId` if it is free or already this app's. Returns false when another app holds it. */
  claimName(ownerId: string, name: string, appId: string): Promise<boolean> {
    return this.putName(ownerId, name, appId, `attribute_not_exists(${KEY.pk}) OR appId = :me`, { ':me': appId });
  }

  /** Moves a name's claim from `holderId` to `appId`. Returns false when the claim no longer is holderId's. */
  takeOverName(ownerId: string, name: string, appId: string, holderId: string): Promise<boolean> {
    return this.putName(ownerId, name, appId, 'appId = :holder', { ':holder': holderId });
  }

  /** The app that holds a name's claim, if any. */
  async nameHolder(ownerId: string, name: string): Promise<string | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.appName(ownerId, name) }));
    return out.Item ? String(out.Item.appId) : undefined;
  }

  /** Drops a name's claim if `appId` holds it. */
  async releaseName(ownerId: string, name: string, appId: string): Promise<void> {
    await conditionHeld(
      this.db.doc.send(
        new DeleteCommand({
          TableName: this.db.tableName,
          Key: keys.appName(ownerId, name),
          ConditionExpression: 'appId = :me',
          ExpressionAttributeValues: { ':me': appId },
        }),
      ),
    );
  }

  private putName(ownerId: string, name: string, appId: string, condition: string, values: Record<string, unknown>): Promise<boolean> {
    return conditionHeld(
      this.db.doc.send(
        new PutCommand({
          TableName: this.db.tableName,
          Item: { ...keys.appName(ownerId, name), appId },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }
}
