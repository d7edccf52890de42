/**
 * The markers of one-time data or trigger migrations that have completed (`keys.migration(name)`),
 * so each runs until it has finished once and then never again.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../table.js';
import type { Db } from './db.js';

export class MigrationStore {
  constructor(private readonly db: Db) {}

  /** True once `markMigrated(name)` was written (a strongly consistent read). */
  async migrated(name: string): Promise<boolean> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.migration(name), ConsistentRead: true }));
    return out.Item !== undefined;
  }

  /** Remembers that the migration `name` has completed, and when. */
  async markMigrated(name: string): Promise<void> {
    await this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: { ...keys.migration(name), at: new Date().toISOString() } }));
  }
}
