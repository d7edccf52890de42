/** The S3 context store: one tar per version under contexts/<imageId>/<version>/, read back validated, removed in DeleteObjects batches S3 accepts. */
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { S3ContextStore, contextFolder } from '../../shared/aws/s3-context-store.js';
import { contextFromFiles } from '../../shared/build-context.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { CLIENT_CONFIG } from './fixtures.js';

const IMAGE_ID = '01J0000000000000000000IMG1';
const BUCKET = 'containerizer-contexts';
const mock = mockClient(S3Client);
const store = new S3ContextStore({ s3: new S3Client(CLIENT_CONFIG), bucketName: BUCKET });
afterEach(() => mock.reset());

/** As S3 refuses a DeleteObjects request naming more than 1000 keys (S3 API Reference, DeleteObjects): MalformedXML. */
function refuseOversizedDeletes() {
  mock.on(DeleteObjectsCommand).callsFake((input: { Delete: { Objects: unknown[] } }) => {
    if (input.Delete.Objects.length > 1000 || input.Delete.Objects.length === 0) {
      throw new S3ServiceException({
        name: 'MalformedXML',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'The XML you provided was not well-formed',
      });
    }
    return { Deleted: input.Delete.Objects };
  });
}

describe('S3ContextStore', () => {
  it('puts a version as one tar object in its folder and reads the same entries back', async () => {
    const context = contextFromFiles({ 'run.sh': { base64: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'), executable: true } }, 'FROM busybox\n');
    mock.on(PutObjectCommand).resolves({});
    await store.put(IMAGE_ID, 2, context);
    const put = mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ Bucket: BUCKET, Key: `contexts/${IMAGE_ID}/2/context.tar`, ContentType: 'application/x-tar' });
    expect(contextFolder(IMAGE_ID, 2)).toBe(`contexts/${IMAGE_ID}/2/`);

    mock.on(GetObjectCommand, { Bucket: BUCKET, Key: `contexts/${IMAGE_ID}/2/context.tar` }).resolves({ Body: Readable.from([put.Body as Buffer]) as never });
    expect(await store.get(IMAGE_ID, 2)).toEqual(context);
  });

  it('says a version is not kept, refuses ids that could leave the folder, and turns throttling into a 503', async () => {
    mock.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    await expect(store.get(IMAGE_ID, 9)).rejects.toThrow(/image .* version 9 is not kept/);
    await expect(store.get('../other', 1)).rejects.toThrow(/invalid image id/);
    mock
      .on(PutObjectCommand)
      .rejects(new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: { httpStatusCode: 503 }, message: 'Please reduce your request rate.' }));
    await expect(store.put(IMAGE_ID, 1, contextFromFiles({}, 'FROM busybox\n'))).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('removes every object of the image, page by page, at most 1000 keys per DeleteObjects', async () => {
    const keys = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ Key: `contexts/${IMAGE_ID}/${from + i}/context.tar` }));
    mock
      .on(ListObjectsV2Command, { Bucket: BUCKET, Prefix: `contexts/${IMAGE_ID}/`, ContinuationToken: undefined })
      .resolves({ Contents: keys(1, 1000), IsTruncated: true, NextContinuationToken: 't2' })
      .on(ListObjectsV2Command, { Bucket: BUCKET, Prefix: `contexts/${IMAGE_ID}/`, ContinuationToken: 't2' })
      .resolves({ Contents: keys(1001, 1001), IsTruncated: false });
    refuseOversizedDeletes();
    await store.removeAll(IMAGE_ID);
    const deletes = mock.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete!.Objects!);
    expect(deletes.map((d) => d.length)).toEqual([1000, 1000, 1]);
    expect(deletes.flat()).toEqual([...keys(1, 1000), ...keys(1001, 1001)]);
    expect(mock.commandCalls(DeleteObjectsCommand).every((c) => c.args[0].input.Bucket === BUCKET && c.args[0].input.Delete!.Quiet)).toBe(true);
  });

  it('does nothing for an image without contexts, and reports the keys S3 could not delete', async () => {
    mock.on(ListObjectsV2Command).resolves({ KeyCount: 0, IsTruncated: false });
    refuseOversizedDeletes();
    await store.removeAll(IMAGE_ID);
    expect(mock.commandCalls(DeleteObjectsCommand)).toHaveLength(0);

    mock.on(ListObjectsV2Command).resolves({ Contents: [{ Key: `contexts/${IMAGE_ID}/1/context.tar` }], IsTruncated: false });
    mock.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: `contexts/${IMAGE_ID}/1/context.tar`, Code: 'AccessDenied', Message: 'Access Denied' }] });
    await expect(store.removeAll(IMAGE_ID)).rejects.toThrow(/context.tar: AccessDenied/);
  });
});
