/**
 * The secret items, all under the secret's partition key `SECRET#<ownerId>#<name>`: the secret
 * (its metadata, in its owner's listing), its versions (each with where its value is kept: dev
 * mode's sealed value, the cloud's Secrets Manager version) and the apps that reference it. No
 * item holds a plaintext value. Also the one write secrets make on a run item: the versions it received.
 */
import { DeleteCommand, GetCommand, paginateQuery, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Secret, SecretVersions } from '../secret-schemas.js';
import { children, childrenQuery, indexAttributes, indexKeys, keys, KEY, partitionQuery } from '../table.js';
import { conditionHeld, countAll, fromItem, queryAll, queryPage, type Db, type Page } from './db.js';

/** One version of a secret: `stored` is what the vault returned for it (SecretVault.put), never the plaintext. */
export interface SecretVersionItem {
  name: string;
  ownerId: string;
  version: number;
  stored: string;
  createdAt: string;
}

export class SecretStore {
  constructor(private readonly db: Db) {}

  /** Writes a new secret. Returns false when the owner has one of that name. */
  insert(secret: Secret): Promise<boolean> {
    const item = { ...keys.secret(secret.ownerId, secret.name), ...indexAttributes(secret.name, indexKeys.secretsOfOwner(secret.ownerId)), ...secret };
    return conditionHeld(this.put(item, `attribute_not_exists(${KEY.pk})`));
  }

  /**
   * Moves the secret to `secret.version` with where that version's value is kept (`stored`), on condition
   * that it is at `expectedVersion`. Returns false when it is not (or is gone).
   */
  advance(secret: Secret & { stored: string }, expectedVersion: number): Promise<boolean> {
    return conditionHeld(
      this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.secret(secret.ownerId, secret.name),
          UpdateExpression: 'SET #version = :version, updatedAt = :at, updatedBy = :by, #stored = :stored',
          ConditionExpression: `attribute_exists(${KEY.pk}) AND #version = :expected`,
          ExpressionAttributeNames: { '#version': 'version', '#stored': 'stored' },
          ExpressionAttributeValues: {
            ':version': secret.version,
            ':at': secret.updatedAt,
            ':by': secret.updatedBy,
            ':stored': secret.stored,
            ':expected': expectedVersion,
          },
        }),
      ),
    );
  }

  async get(ownerId: string, name: string): Promise<Secret | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.secret(ownerId, name), ConsistentRead: true }));
    return out.Item ? fromItem<Secret>(out.Item) : undefined;
  }

  /** One page of the owner's secrets, by name. @throws ClientError 400 for a foreign cursor. */
  listPage(ownerId: string, limit: number, cursor?: string): Promise<Page<Secret>> {
    return queryPage<Secret>(this.db, { ...partitionQuery(indexKeys.secretsOfOwner(ownerId)), Limit: limit }, cursor);
  }

  countOfOwner(ownerId: string): Promise<number> {
    return countAll(this.db, partitionQuery(indexKeys.secretsOfOwner(ownerId)));
  }

  /** Writes (or overwrites: a crash left one above the secret's version) a version item. */
  async putVersion(item: SecretVersionItem): Promise<void> {
    await this.put({ ...keys.secretVersion(item.ownerId, item.name, item.version), ...item });
  }

  async getVersion(ownerId: string, name: string, version: number): Promise<SecretVersionItem | undefined> {
    const key = keys.secretVersion(ownerId, name, version);
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: key, ConsistentRead: true }));
    return out.Item ? fromItem<SecretVersionItem>(out.Item) : undefined;
  }

  /** Removes the secret, on condition that it is at `expectedVersion`, then its version items and use claims. Returns false when it moved. */
  async delete(ownerId: string, name: string, expectedVersion: number): Promise<boolean> {
    const removed = await conditionHeld(
      this.db.doc.send(
        new DeleteCommand({
          TableName: this.db.tableName,
          Key: keys.secret(ownerId, name),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      ),
    );
    if (!removed) return false;
    for (const under of [children.versionsOfSecret(ownerId, name), children.usesOfSecret(ownerId, name)]) {
      const pages = paginateQuery(
        { client: this.db.doc },
        { TableName: this.db.tableName, ...childrenQuery(under), ProjectionExpression: `${KEY.pk}, ${KEY.sk}` },
      );
      for await (const page of pages) {
        for (const key of page.Items ?? [])
          await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: { [KEY.pk]: key[KEY.pk], [KEY.sk]: key[KEY.sk] } }));
      }
    }
    return true;
  }

  /** Records that the app references the secret (idempotent). */
  async putUse(ownerId: string, name: string, appId: string): Promise<void> {
    await this.put({ ...keys.secretUse(ownerId, name, appId), appId });
  }

  /** The apps that claimed the secret (some may no longer reference it: the caller checks each). */
  async uses(ownerId: string, name: string): Promise<string[]> {
    return (await queryAll<{ appId: string }>(this.db, childrenQuery(children.usesOfSecret(ownerId, name)))).map((use) => use.appId);
  }

  async deleteUse(ownerId: string, name: string, appId: string): Promise<void> {
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.secretUse(ownerId, name, appId) }));
  }

  /**
   * Records on the run item which secret versions it receives, unless it has them already (a relaunch or
   * retry keeps the first). Returns the versions the run holds after the write.
   */
  async pinRunVersions(runId: string, versions: SecretVersions): Promise<SecretVersions> {
    const out = await this.db.doc.send(
      new UpdateCommand({
        TableName: this.db.tableName,
        Key: keys.run(runId),
        UpdateExpression: 'SET secretVersions = if_not_exists(secretVersions, :versions)',
        ConditionExpression: `attribute_exists(${KEY.pk})`,
        ExpressionAttributeValues: { ':versions': versions },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return (out.Attributes?.secretVersions as SecretVersions | undefined) ?? versions;
  }

  private put(item: Record<string, unknown>, condition?: string) {
    return this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: item, ...(condition && { ConditionExpression: condition }) }));
  }
}
