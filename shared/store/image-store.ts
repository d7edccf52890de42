/**
 * The image items, all under the image's partition key: the image (in its owner's listing and
 * the all-images listing), its versions, its builds, and the apps that name it. Builds move
 * forward only: each status change is one UpdateItem conditioned on the stored status's rank,
 * as runs' are, and an unsettled build sits in the sparse `active` index. At most one build
 * of an image is under way: the image item's `activeBuild` is claimed conditionally, and a
 * change of what is built is conditioned on its absence.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Build, BuildFields, Image, ImageVersion } from '../image-schemas.js';
import { buildRank } from '../rules/image-rules.js';
import { children, childrenQuery, indexAttributes, indexKeys, INDEXES, keys, KEY, partitionQuery, RUN_ORDER } from '../table.js';
import { conditionHeld, countAll, fromItem, isConditionFailed, queryAll, queryPage, type Db, type Page } from './db.js';

/** Fields a build status change may set besides the status. */
/** The image fields a change rewrites. */
type ImageChange = Pick<Image, 'name' | 'description' | 'files' | 'contextVersion' | 'buildArgs' | 'version' | 'updatedAt' | 'updatedBy'>;

export class ImageStore {
  constructor(private readonly db: Db) {}

  /** Writes a new image. Returns false when one with its id exists. */
  insertImage(image: Image): Promise<boolean> {
    const item = { ...keys.image(image.imageId), ...indexAttributes(image.imageId, indexKeys.imagesOfOwner(image.ownerId), indexKeys.allImages()), ...image };
    return conditionHeld(this.put(item, `attribute_not_exists(${KEY.pk})`));
  }

  async getImage(imageId: string): Promise<Image | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.image(imageId), ConsistentRead: true }));
    return out.Item ? fromItem<Image>(out.Item) : undefined;
  }

  /** How many images the owner has. */
  countOfOwner(ownerId: string): Promise<number> {
    return countAll(this.db, partitionQuery(indexKeys.imagesOfOwner(ownerId)));
  }

  /** One page of the owner's images (`ownerId` undefined: every image), oldest first. @throws ClientError 400 for a foreign cursor. */
  listPage(ownerId: string | undefined, limit: number, cursor?: string): Promise<Page<Image>> {
    const partition = ownerId === undefined ? indexKeys.allImages() : indexKeys.imagesOfOwner(ownerId);
    return queryPage<Image>(this.db, { ...partitionQuery(partition), Limit: limit }, cursor);
  }

  /**
   * Moves the image to its next version, on condition that it is at `expectedVersion` and,
   * with `requireIdle`, that no build is under way. Returns false when the condition fails.
   */
  updateImage(imageId: string, change: ImageChange, expectedVersion: number, requireIdle: boolean): Promise<boolean> {
    const fields = Object.entries(change).filter(([, value]) => value !== undefined);
    const removed = change.description === undefined ? ['description'] : [];
    const names = [...fields.map(([name]) => name), ...removed, 'version'];
    return conditionHeld(
      this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.image(imageId),
          UpdateExpression: `SET ${fields.map(([name]) => `#${name} = :${name}`).join(', ')}${removed.map((name) => ` REMOVE #${name}`).join('')}`,
          ConditionExpression: `attribute_exists(${KEY.pk}) AND #version = :expected${requireIdle ? ' AND attribute_not_exists(activeBuild)' : ''}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
          ExpressionAttributeValues: { ...Object.fromEntries(fields.map(([name, value]) => [`:${name}`, value])), ':expected': expectedVersion },
        }),
      ),
    );
  }

  /** Marks the image as being deleted (`deletingSince`, ISO 8601) unless a build is under way. False when one is. */
  markDeleting(imageId: string, at: string): Promise<boolean> {
    return conditionHeld(
      this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.image(imageId),
          UpdateExpression: 'SET deletingSince = :at',
          ConditionExpression: `attribute_exists(${KEY.pk}) AND attribute_not_exists(activeBuild)`,
          ExpressionAttributeValues: { ':at': at },
        }),
      ),
    );
  }

  /** Takes back markDeleting (the deletion was refused). */
  async unmarkDeleting(imageId: string): Promise<void> {
    await this.db.doc.send(new UpdateCommand({ TableName: this.db.tableName, Key: keys.image(imageId), UpdateExpression: 'REMOVE deletingSince' }));
  }

  /** Deletes the image item. */
  async deleteImage(imageId: string): Promise<void> {
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.image(imageId) }));
  }

  async putVersion(version: ImageVersion): Promise<void> {
    await this.put({ ...keys.imageVersion(version.imageId, version.version), ...version });
  }

  /** Every version item of an image, oldest first (including one a crash left above the image's version). */
  versions(imageId: string): Promise<ImageVersion[]> {
    return queryAll<ImageVersion>(this.db, childrenQuery(children.versionsOfImage(imageId)));
  }

  /**
   * Claims the image for build `number` at `at` (ISO 8601): sets `activeBuild`, `activeSince` and `buildCount`, on condition that
   * no build is under way, the image is not being deleted, the count is `number - 1` and the image is at `version`. False otherwise.
   */
  claimBuild(imageId: string, number: number, version: number, at: string): Promise<boolean> {
    return conditionHeld(
      this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.image(imageId),
          UpdateExpression: 'SET activeBuild = :n, activeSince = :at, buildCount = :n',
          ConditionExpression: 'attribute_not_exists(activeBuild) AND attribute_not_exists(deletingSince) AND buildCount = :previous AND #version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':n': number, ':previous': number - 1, ':version': version, ':at': at },
        }),
      ),
    );
  }

  /** Drops the image's claim by build `number`, if it still holds it. */
  async releaseBuild(imageId: string, number: number): Promise<void> {
    await conditionHeld(
      this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.image(imageId),
          UpdateExpression: 'REMOVE activeBuild, activeSince',
          ConditionExpression: 'activeBuild = :n',
          ExpressionAttributeValues: { ':n': number },
        }),
      ),
    );
  }

  /** Undoes claimBuild of build `number` (it was refused before it started): the claim goes and the count is `number - 1` again. */
  async unclaimBuild(imageId: string, number: number): Promise<void> {
    await conditionHeld(
      this.db.doc.send(
        new UpdateCommand({
          TableName: this.db.tableName,
          Key: keys.image(imageId),
          UpdateExpression: 'SET buildCount = :previous REMOVE activeBuild, activeSince',
          ConditionExpression: 'activeBuild = :n AND buildCount = :n',
          ExpressionAttributeValues: { ':n': number, ':previous': number - 1 },
        }),
      ),
    );
  }

  /** Writes a new build (in the active index). Returns false when the number is taken. */
  insertBuild(build: Build): Promise<boolean> {
    const item = {
      ...keys.build(build.imageId, build.number),
      ...indexAttributes(`${build.imageId}#${build.number}`, indexKeys.activeBuilds()),
      [RUN_ORDER.statusRank]: buildRank(build.status),
      ...build,
    };
    return conditionHeld(this.put(item, `attribute_not_exists(${KEY.pk})`));
  }

  async getBuild(imageId: string, number: number): Promise<Build | undefined> {
    const out = await this.db.doc.send(new GetCommand({ TableName: this.db.tableName, Key: keys.build(imageId, number), ConsistentRead: true }));
    return out.Item ? fromItem<Build>(out.Item) : undefined;
  }

  /** Every build of an image, oldest first. */
  builds(imageId: string): Promise<Build[]> {
    return queryAll<Build>(this.db, childrenQuery(children.buildsOfImage(imageId)));
  }

  /**
   * The one write that changes a build's status: sets it, its rank and `fields`, on condition
   * that the build exists and the new status ranks above the stored one. Returns the build
   * after it, or undefined when the change is stale or repeated.
   */
  transitionBuild(imageId: string, number: number, status: Build['status'], fields: BuildFields): Promise<Build | undefined> {
    const assigned = Object.entries(fields).filter(([, value]) => value !== undefined);
    return this.updateBuild(imageId, number, {
      UpdateExpression: `SET #status = :status, ${RUN_ORDER.statusRank} = :rank${assigned.map(([name]) => `, ${name} = :${name}`).join('')}`,
      ConditionExpression: `attribute_exists(${KEY.pk}) AND ${RUN_ORDER.statusRank} < :rank`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status, ':rank': buildRank(status), ...Object.fromEntries(assigned.map(([name, value]) => [`:${name}`, value])) },
    });
  }

  /** Records the builder's reference of a build. */
  async setBuildRef(imageId: string, number: number, buildRef: string): Promise<Build | undefined> {
    return this.updateBuild(imageId, number, { UpdateExpression: 'SET buildRef = :ref', ExpressionAttributeValues: { ':ref': buildRef } });
  }

  /**
   * Records a scan on a build, unless a more recent scan is recorded (events may come twice or
   * out of order), and `digest` unless the build has one.
   */
  recordScan(imageId: string, number: number, scan: NonNullable<Build['scan']>, digest?: string): Promise<Build | undefined> {
    return this.updateBuild(imageId, number, {
      UpdateExpression: `SET #scan = :scan${digest ? ', digest = if_not_exists(digest, :digest)' : ''}`,
      ConditionExpression: `attribute_exists(${KEY.pk}) AND (attribute_not_exists(#scan) OR #scan.scannedAt < :at)`,
      ExpressionAttributeNames: { '#scan': 'scan' },
      ExpressionAttributeValues: { ':scan': scan, ':at': scan.scannedAt, ...(digest && { ':digest': digest }) },
    });
  }

  /** Takes a settled build out of the sparse `active` index. */
  async leaveActive(imageId: string, number: number): Promise<void> {
    await this.updateBuild(imageId, number, { UpdateExpression: `REMOVE ${INDEXES.active.join(', ')}` });
  }

  /** Every build in the active index. */
  activeBuilds(): Promise<Build[]> {
    return queryAll<Build>(this.db, partitionQuery(indexKeys.activeBuilds()));
  }

  async deleteBuild(imageId: string, number: number): Promise<void> {
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.build(imageId, number) }));
  }

  /** Records that `appId` names the image (written before the app, so a crash leaves a claim, never an unclaimed use). */
  async putUse(imageId: string, appId: string): Promise<void> {
    await this.put({ ...keys.imageUse(imageId, appId), imageId, appId });
  }

  /** The apps that claimed to name the image (a strongly consistent read); a claim may be stale (the app changed or went), so check the app. */
  async uses(imageId: string): Promise<string[]> {
    return (await queryAll<{ appId: string }>(this.db, { ...childrenQuery(children.usesOfImage(imageId)), ConsistentRead: true })).map((u) => u.appId);
  }

  async deleteUse(imageId: string, appId: string): Promise<void> {
    await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.imageUse(imageId, appId) }));
  }

  /** Deletes every version item of the image. */
  async deleteVersions(imageId: string): Promise<void> {
    for (const v of await this.versions(imageId)) {
      await this.db.doc.send(new DeleteCommand({ TableName: this.db.tableName, Key: keys.imageVersion(imageId, v.version) }));
    }
  }

  private put(item: Record<string, unknown>, condition?: string) {
    return this.db.doc.send(new PutCommand({ TableName: this.db.tableName, Item: item, ...(condition && { ConditionExpression: condition }) }));
  }

  private async updateBuild(
    imageId: string,
    number: number,
    input: Pick<UpdateCommand['input'], 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>,
  ): Promise<Build | undefined> {
    try {
      const out = await this.db.doc.send(
        new UpdateCommand({
          ConditionExpression: `attribute_exists(${KEY.pk})`,
          ...input,
          TableName: this.db.tableName,
          Key: keys.build(imageId, number),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem<Build>(out.Attributes!);
    } catch (err) {
      if (isConditionFailed(err)) return undefined;
      throw err;
    }
  }
}
