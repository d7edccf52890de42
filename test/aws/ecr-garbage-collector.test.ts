/**
 * The cloud's garbage collector against an ECR mock that refuses what ECR refuses (BatchDeleteImage
 * with more than 100 ids; DescribeImages pages of at most 1,000): builds beyond each image's newest
 * three go unless an app or a recent run uses them (by reference or digest); nothing else is touched.
 */
import { BatchDeleteImageCommand, DescribeImagesCommand, ECRClient, InvalidParameterException, type ImageDetail } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ecrImageTag } from '../../shared/aws/build-events.js';
import { EcrGarbageCollector, KEPT_BUILDS } from '../../shared/aws/ecr-garbage-collector.js';
import { CLIENT_CONFIG } from './fixtures.js';

const REPOSITORY_URI = '111122223333.dkr.ecr.us-east-1.amazonaws.com/containerizer-images';
const IMAGE_A = '01HZX3K4M5N6P7Q8R9S0T1V2WA';
const IMAGE_B = '01HZX3K4M5N6P7Q8R9S0T1V2WB';
const ecr = mockClient(ECRClient);
let stored: ImageDetail[];

const detail = (tag: string, n: number): ImageDetail => ({ imageTags: [tag], imageDigest: `sha256:${String(n).padStart(64, '0')}`, imageSizeInBytes: 1000 });

beforeEach(() => {
  ecr.reset();
  stored = [
    ...Array.from({ length: 250 }, (_, i) => detail(ecrImageTag(IMAGE_A, i + 1), i + 1)),
    detail(ecrImageTag(IMAGE_B, 1), 1001),
    detail(ecrImageTag(IMAGE_B, 2), 1002),
    detail('latest', 2000),
  ];
  ecr.on(DescribeImagesCommand).callsFake((input: { maxResults?: number; nextToken?: string }) => {
    if ((input.maxResults ?? 100) > 1000) throw new InvalidParameterException({ message: 'maxResults: 1 to 1000', $metadata: {} });
    const from = Number(input.nextToken ?? 0);
    const to = from + (input.maxResults ?? 100);
    return { imageDetails: stored.slice(from, to), nextToken: to < stored.length ? String(to) : undefined };
  });
  ecr.on(BatchDeleteImageCommand).callsFake((input: { imageIds: { imageTag?: string }[] }) => {
    if (input.imageIds.length < 1 || input.imageIds.length > 100) throw new InvalidParameterException({ message: 'imageIds: 1 to 100 items', $metadata: {} });
    const tags = new Set(input.imageIds.map((id) => id.imageTag));
    stored = stored.filter((d) => !d.imageTags!.some((tag) => tags.has(tag)));
    return { imageIds: input.imageIds, failures: [] };
  });
});
afterAll(() => ecr.restore());

describe('EcrGarbageCollector', () => {
  it("deletes builds beyond each image's newest three that no app or recent run uses, in batches of at most 100", async () => {
    const gc = new EcrGarbageCollector({ ecr: new ECRClient(CLIENT_CONFIG), repositoryUri: REPOSITORY_URI });
    const inUse = new Set([`${REPOSITORY_URI}:${ecrImageTag(IMAGE_A, 5)}`, `sha256:${String(7).padStart(64, '0')}`]);
    const report = await gc.collect(inUse);
    expect(report.removed).toHaveLength(250 - KEPT_BUILDS - 2);
    expect(report.bytesFreed).toBe(1000 * (250 - KEPT_BUILDS - 2));
    expect(ecr.commandCalls(BatchDeleteImageCommand).map((c) => c.args[0].input.imageIds!.length)).toEqual([100, 100, 45]);
    expect(stored.map((d) => d.imageTags![0]).sort()).toEqual(
      [5, 7, 248, 249, 250]
        .map((n) => ecrImageTag(IMAGE_A, n))
        .concat(ecrImageTag(IMAGE_B, 1), ecrImageTag(IMAGE_B, 2), 'latest')
        .sort(),
    );
    // A second pass finds nothing more.
    expect((await gc.collect(inUse)).removed).toEqual([]);
  });
});
