/** The CodeBuild builder: the exact StartBuild request, throttling as a 503, and discard within BatchDeleteImage's 100 ids. */
import { CodeBuildClient, CodeBuildServiceException, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { BatchDeleteImageCommand, DescribeImagesCommand, ECRClient, InvalidParameterException } from '@aws-sdk/client-ecr';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { BUILD_ENV, ecrImageTag } from '../../shared/aws/build-events.js';
import { CodeBuildImageBuilder } from '../../shared/aws/codebuild-image-builder.js';
import { CodeBuildLogs } from '../../shared/aws/codebuild-logs.js';
import { contextFromFiles } from '../../shared/build-context.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { PROJECT, REPOSITORY, REPOSITORY_URI, codeBuildId } from './build-event-fixtures.js';
import { CLIENT_CONFIG } from './fixtures.js';

const IMAGE_ID = '01J0000000000000000000IMG1';
const OTHER_ID = '01J0000000000000000000IMG2';
const codebuild = mockClient(CodeBuildClient);
const ecr = mockClient(ECRClient);
const builder = new CodeBuildImageBuilder({
  codebuild: new CodeBuildClient(CLIENT_CONFIG),
  ecr: new ECRClient(CLIENT_CONFIG),
  logs: new CodeBuildLogs({ logs: new CloudWatchLogsClient(CLIENT_CONFIG), logGroupName: '/containerizer/builds' }),
  projectName: PROJECT,
  bucketName: 'contexts-bucket',
  repositoryUri: REPOSITORY_URI,
});
afterEach(() => {
  codebuild.reset();
  ecr.reset();
});

/** As ECR refuses a BatchDeleteImage naming more than 100 image ids (ECR API Reference, BatchDeleteImage: imageIds 1–100 items). */
function refuseOversizedBatches() {
  ecr.on(BatchDeleteImageCommand).callsFake((input: { imageIds: unknown[] }) => {
    if (input.imageIds.length < 1 || input.imageIds.length > 100) throw new InvalidParameterException({ message: 'imageIds: 1 to 100 items', $metadata: {} });
    return { imageIds: input.imageIds, failures: [] };
  });
}

describe('CodeBuildImageBuilder', () => {
  it("starts the project on the version's context folder, the build's identity in its environment, idempotently", async () => {
    codebuild.on(StartBuildCommand).resolves({ build: { id: codeBuildId('b1') } });
    const ref = await builder.build({
      imageId: IMAGE_ID,
      ownerId: 'U1',
      buildNumber: 3,
      contextVersion: 2,
      context: contextFromFiles({}, 'FROM x AS base\nFROM base\nFROM public.ecr.aws/docker/library/busybox\n'),
      buildArgs: { A: '1' },
    });
    expect(ref).toBe(codeBuildId('b1'));
    expect(codebuild.commandCalls(StartBuildCommand).map((c) => c.args[0].input)).toEqual([
      {
        projectName: PROJECT,
        sourceTypeOverride: 'S3',
        sourceLocationOverride: `contexts-bucket/contexts/${IMAGE_ID}/2/`,
        environmentVariablesOverride: [
          { name: BUILD_ENV.imageId, value: IMAGE_ID, type: 'PLAINTEXT' },
          { name: BUILD_ENV.buildNumber, value: '3', type: 'PLAINTEXT' },
          { name: BUILD_ENV.imageRef, value: `${REPOSITORY_URI}:${ecrImageTag(IMAGE_ID, 3)}`, type: 'PLAINTEXT' },
          { name: BUILD_ENV.buildArgs, value: '{"A":"1"}', type: 'PLAINTEXT' },
          // Docker Hub's only: pulled through the project's cache when it has one.
          { name: BUILD_ENV.baseImages, value: 'library/x:latest', type: 'PLAINTEXT' },
        ],
        idempotencyToken: `${IMAGE_ID}-3`,
      },
    ]);
  });

  it('turns throttling into a 503 and an answer without a build into an error', async () => {
    codebuild
      .on(StartBuildCommand)
      .rejects(new CodeBuildServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' }));
    const request = { imageId: IMAGE_ID, ownerId: 'U1', buildNumber: 1, contextVersion: 1, context: contextFromFiles({}, 'FROM x\n') };
    await expect(builder.build(request)).rejects.toBeInstanceOf(ServiceUnavailableError);
    codebuild.on(StartBuildCommand).resolves({});
    await expect(builder.build(request)).rejects.toThrow(/started no build/);
  });

  it("deletes this image's tags only, every page of them, in batches of at most 100", async () => {
    const details = (imageId: string, from: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({ imageTags: [ecrImageTag(imageId, from + i)], imageDigest: `sha256:${imageId}${from + i}` }));
    ecr
      .on(DescribeImagesCommand, { repositoryName: REPOSITORY, nextToken: undefined })
      .resolves({ imageDetails: [...details(IMAGE_ID, 1, 150), ...details(OTHER_ID, 1, 5), { imageTags: ['latest'] }], nextToken: 'p2' })
      .on(DescribeImagesCommand, { repositoryName: REPOSITORY, nextToken: 'p2' })
      .resolves({ imageDetails: details(IMAGE_ID, 151, 60) });
    refuseOversizedBatches();
    await builder.discard(IMAGE_ID);
    expect(ecr.commandCalls(DescribeImagesCommand)[0]!.args[0].input).toEqual({
      repositoryName: REPOSITORY,
      filter: { tagStatus: 'TAGGED' },
      maxResults: 1000,
    });
    const batches = ecr.commandCalls(BatchDeleteImageCommand).map((c) => c.args[0].input.imageIds!);
    expect(batches.map((b) => b.length)).toEqual([100, 100, 10]);
    expect(batches.flat().map((id) => id.imageTag)).toEqual(Array.from({ length: 210 }, (_, i) => ecrImageTag(IMAGE_ID, i + 1)));
  });

  it('accepts images already gone and reports any other failure', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: [ecrImageTag(IMAGE_ID, 1)] }, { imageTags: [ecrImageTag(IMAGE_ID, 2)] }] });
    ecr
      .on(BatchDeleteImageCommand)
      .resolves({ failures: [{ imageId: { imageTag: ecrImageTag(IMAGE_ID, 1) }, failureCode: 'ImageNotFound', failureReason: 'gone' }] });
    await builder.discard(IMAGE_ID);
    ecr
      .on(BatchDeleteImageCommand)
      .resolves({ failures: [{ imageId: { imageTag: ecrImageTag(IMAGE_ID, 2) }, failureCode: 'KmsError', failureReason: 'denied' }] });
    await expect(builder.discard(IMAGE_ID)).rejects.toThrow(/KmsError/);
  });
});
