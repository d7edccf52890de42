/**
 * The cloud's ContextStore: each version of an image's build context as ONE tar object,
 * `contexts/<imageId>/<version>/context.tar`, in the images bucket. CodeBuild takes the version's
 * folder as its S3 source and the buildspec unpacks the tar (infra/images.ts). One object rather
 * than one per file: a single PutObject makes a version appear whole or not at all, it keeps what
 * S3 objects cannot (executable modes, symbolic links), one request instead of up to 1000, and it is
 * read back through the same validation as an upload (contextFromArchive), as dev mode does.
 */
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { contextFromArchive, contextTar, type ContextEntry } from '../build-context.js';
import type { ContextStore } from '../ports.js';
import { AwsOperationError, unlessThrottled } from './errors.js';

/** Where build contexts live in the bucket (the api's S3 rights stop at this prefix). */
export const CONTEXT_PREFIX = 'contexts/';

/** The object of each version, in the version's folder. */
export const CONTEXT_OBJECT = 'context.tar';

/** Keys one DeleteObjects request may name (1000; AWS docs, S3 API Reference, DeleteObjects). */
export const DELETE_OBJECTS_MAX_KEYS = 1000;

/** The folder of one version, `contexts/<imageId>/<version>/`: CodeBuild's sourceLocationOverride is `<bucket>/<folder>`. @throws Error for an id or version that is not one. */
export function contextFolder(imageId: string, version: number): string {
  return `${imageFolder(imageId)}${checkedVersion(version)}/`;
}

const S3 = 'S3';

/** Build contexts in the images bucket (see the file's comment); every method throws ServiceUnavailableError when S3 throttles. */
export class S3ContextStore implements ContextStore {
  constructor(private readonly options: { s3: S3Client; bucketName: string }) {}

  /** Writes the version's tar in one PutObject. @throws ServiceUnavailableError when S3 throttles. */
  async put(imageId: string, version: number, context: readonly ContextEntry[]): Promise<void> {
    const body = await bytesOf(contextTar(context));
    await unlessThrottled(
      S3,
      this.options.s3.send(
        new PutObjectCommand({ Bucket: this.options.bucketName, Key: objectKey(imageId, version), Body: body, ContentType: 'application/x-tar' }),
      ),
    );
  }

  /** Reads the version back through contextFromArchive. @throws Error when it is not kept; ServiceUnavailableError when S3 throttles. */
  async get(imageId: string, version: number): Promise<ContextEntry[]> {
    const key = objectKey(imageId, version);
    try {
      const out = await unlessThrottled(S3, this.options.s3.send(new GetObjectCommand({ Bucket: this.options.bucketName, Key: key })));
      if (!out.Body) throw new AwsOperationError('GetObject', `s3://${this.options.bucketName}/${key} has no body`);
      return await contextFromArchive(out.Body as AsyncIterable<Uint8Array>);
    } catch (err) {
      if (err instanceof NoSuchKey) throw new Error(`the context of image ${imageId} version ${version} is not kept`, { cause: err });
      throw err;
    }
  }

  /**
   * Deletes every object under the image's folder: ListObjectsV2 page by page, each page's keys in
   * DeleteObjects calls of at most DELETE_OBJECTS_MAX_KEYS. Idempotent.
   * @throws AwsOperationError naming the keys S3 could not delete; ServiceUnavailableError when S3 throttles.
   */
  async removeAll(imageId: string): Promise<void> {
    const Bucket = this.options.bucketName;
    let ContinuationToken: string | undefined;
    do {
      const page = await unlessThrottled(S3, this.options.s3.send(new ListObjectsV2Command({ Bucket, Prefix: imageFolder(imageId), ContinuationToken })));
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      for (let i = 0; i < keys.length; i += DELETE_OBJECTS_MAX_KEYS) {
        const out = await unlessThrottled(
          S3,
          this.options.s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.slice(i, i + DELETE_OBJECTS_MAX_KEYS), Quiet: true } })),
        );
        if (out.Errors?.length) {
          throw new AwsOperationError('DeleteObjects', out.Errors.map((e) => `${e.Key}: ${e.Code} ${e.Message ?? ''}`.trim()).join('; '));
        }
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }
}

function imageFolder(imageId: string): string {
  // The id becomes part of a key: nothing that could reach another image's folder.
  if (!/^[A-Za-z0-9_-]+$/.test(imageId)) throw new Error(`invalid image id "${imageId}"`);
  return `${CONTEXT_PREFIX}${imageId}/`;
}

function checkedVersion(version: number): number {
  if (!Number.isSafeInteger(version) || version < 1) throw new Error(`invalid context version ${version}`);
  return version;
}

function objectKey(imageId: string, version: number): string {
  return `${contextFolder(imageId, version)}${CONTEXT_OBJECT}`;
}

async function bytesOf(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}
