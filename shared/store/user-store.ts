/**
 * The built-in accounts' items: the account (keyed by its lower-cased e-mail, with its scrypt
 * password hash and the operator's admin grant) and the refresh tokens issued to it (keyed by
 * the token's jti, spent once, expired by DynamoDB's TTL). Conditional-write failures come back
 * as `false` / undefined.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { User } from '../domain.js';
import { keys, KEY, TTL_ATTRIBUTE } from '../table.js';
import { conditionHeld, fromItem, isConditionFailed, type Db } from './db.js';

/** The stored account: no role, which follows the configuration and the operator's grant (AuthService.roleOf). */
export interface UserItem extends Omit<User, 'role'> {
  passwordHash: string;
  /** When an operator made the account an admin (`npm run admin -- grant`, ISO 8601); absent: not granted. */
  adminGrantedAt?: string;
}

export class UserStore {
  constructor(private readonly db: Db) {}

  /** Writes a new account; false when one with its e-mail exists already. */
  insertUser(user: UserItem): Promise<boolean> {
    return conditionHeld(
      this.db.doc.send(
        new PutCommand({
          TableName: this.db.tableName,
          Item: { ...keys.user(user.email), ...user },
          ConditionExpression: `attribute_not_exists(${KEY.pk})`,
        }),
      ),
    );
  }

  /** The account of a lower-cased e-mail, if there is one. */
  async getUser(email: string): Promise<UserItem | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.user(email) }));
    return out.Item ? fromItem<UserItem>(out.Item) : undefined;
  }

  /**
   * Sets the operator's admin grant of an account (`grantedAt`, ISO 8601) or removes it (undefined).
   * Returns the account after the change, or undefined when no account has this e-mail.
   */
  async setAdminGrant(email: string, grantedAt: string | undefined): Promise<UserItem | undefined> {
    try {
      const out = await this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.user(email),
          UpdateExpression: grantedAt ? 'SET adminGrantedAt = :now' : 'REMOVE adminGrantedAt',
          ConditionExpression: `attribute_exists(${KEY.pk})`,
          ...(grantedAt && { ExpressionAttributeValues: { ':now': grantedAt } }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem<UserItem>(out.Attributes!);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }

  /** Records a refresh token issued to `userId`, kept until `expiresAt` (epoch s, the TTL attribute). */
  async putRefreshToken(jti: string, userId: string, expiresAt: number): Promise<void> {
    await this.db.doc.send(
      new PutCommand({
        TableName: this.db.tableName,
        Item: { ...keys.refreshToken(jti), userId, [TTL_ATTRIBUTE]: expiresAt },
      }),
    );
  }

  /** Spends a refresh token at `at` (ISO 8601): one conditional write, so it is spent once however many requests race. False when unknown or spent. */
  spendRefreshToken(jti: string, at: string): Promise<boolean> {
    return conditionHeld(
      this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.refreshToken(jti),
          UpdateExpression: 'SET usedAt = :now',
          ConditionExpression: `attribute_exists(${KEY.pk}) AND attribute_not_exists(usedAt)`,
          ExpressionAttributeValues: { ':now': at },
        }),
      ),
    );
  }
}
