/**
 * Builds and scans whose events were lost, settled by the reconciler's image housekeeping
 * (shared/lambda/image-housekeeping.ts → shared/aws/build-settlement.ts) against dynalite, with
 * CodeBuild and ECR mocked as they answer and refuse (BatchGetBuilds takes at most 100 ids;
 * DescribeImageScanFindings answers ScanNotFoundException for an image never scanned).
 */
import { BatchGetBuildsCommand, CodeBuildClient, InvalidInputException, type BatchGetBuildsCommandInput } from '@aws-sdk/client-codebuild';
import { DescribeImageScanFindingsCommand, ECRClient, ScanNotFoundException } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILD_ENV, ecrImageTag } from '../../shared/aws/build-events.js';
import { BuildSettlement, SCAN_GIVE_UP_MS, SETTLE_AFTER_MS } from '../../shared/aws/build-settlement.js';
import { contextFromFiles } from '../../shared/build-context.js';
import { createCloudPlatform, type CloudPlatform } from '../../shared/cloud-platform.js';
import { ENV } from '../../shared/env.js';
import { buildEventsHandler } from '../../shared/lambda/build-events.js';
import { imageHousekeeping } from '../../shared/lambda/image-housekeeping.js';
import type { ImageService } from '../../shared/services/images.js';
import type { BuildService } from '../../shared/services/builds.js';
import { codeBuildEvent, codeBuildId, REPOSITORY, REPOSITORY_URI } from '../aws/build-event-fixtures.js';
import { CLIENT_CONFIG } from '../aws/fixtures.js';
import { createApp, imageStarter, OWNER, startCloud, type Cloud } from './support.js';

const codebuild = mockClient(CodeBuildClient);
const ecr = mockClient(ECRClient);
let cloud: Cloud;
let platform: CloudPlatform;
let starter: { images: ImageService; builds: BuildService };
let housekeeping: (now?: Date) => Promise<void>;

beforeAll(async () => {
  cloud = await startCloud();
  platform = await cloud.platform();
  ({ starter } = imageStarter(cloud, async ({ imageId, buildNumber }) => codeBuildId(`${imageId}-${buildNumber}`)));
  const buildSettlement = new BuildSettlement({
    codebuild: new CodeBuildClient(CLIENT_CONFIG),
    ecr: new ECRClient(CLIENT_CONFIG),
    findings: { complete: async (_repository, found) => found.scan },
  });
  housekeeping = imageHousekeeping({ builds: platform.builds, garbage: platform.garbage, buildSettlement });
});
afterAll(async () => {
  codebuild.restore();
  ecr.restore();
  await cloud?.close();
});
beforeEach(() => {
  codebuild.reset();
  ecr.reset();
  // As CodeBuild refuses it (AWS CodeBuild API Reference, BatchGetBuilds: ids 1–100 items).
  codebuild.on(BatchGetBuildsCommand).callsFake((input: BatchGetBuildsCommandInput) => {
    if (!input.ids?.length || input.ids.length > 100) throw new InvalidInputException({ message: 'ids: 1 to 100 items', $metadata: {} });
    return { builds: input.ids.flatMap((id) => codeBuildState.get(id) ?? []), buildsNotFound: input.ids.filter((id) => !codeBuildState.has(id)) };
  });
  ecr.on(DescribeImageScanFindingsCommand).rejects(new ScanNotFoundException({ message: 'Image scan does not exist', $metadata: {} }));
});

/** What BatchGetBuilds answers, per CodeBuild build id. */
const codeBuildState = new Map<string, object>();

/** A build started and seen BUILDING through its event; returns its image and CodeBuild id. */
async function buildingBuild() {
  const image = await starter.images.create(OWNER, {
    name: 'report',
    context: contextFromFiles({ Dockerfile: 'FROM public.ecr.aws/docker/library/busybox' }),
    buildArgs: {},
  });
  const build = await starter.builds.startBuild(OWNER, image.imageId);
  await buildEventsHandler(platform)(codeBuildEvent(image.imageId, 1, 'IN_PROGRESS', { time: new Date().toISOString(), uuid: `${image.imageId}-1` }));
  return { imageId: image.imageId, buildRef: build.buildRef!, createdAt: Date.parse(build.createdAt) };
}

/** CodeBuild's own record of a build that succeeded, as BatchGetBuilds returns it. */
function succeeded(imageId: string, buildRef: string) {
  return {
    id: buildRef,
    projectName: 'containerizer-images',
    buildStatus: 'SUCCEEDED',
    startTime: new Date(),
    endTime: new Date(),
    environment: {
      environmentVariables: [
        { name: BUILD_ENV.imageId, value: imageId, type: 'PLAINTEXT' },
        { name: BUILD_ENV.buildNumber, value: '1', type: 'PLAINTEXT' },
        { name: BUILD_ENV.imageRef, value: `${REPOSITORY_URI}:${ecrImageTag(imageId, 1)}`, type: 'PLAINTEXT' },
      ],
    },
    exportedEnvironmentVariables: [{ name: BUILD_ENV.digest, value: 'sha256:feed' }],
    phases: [],
  };
}

describe('settling builds and scans whose events were lost', () => {
  it('asks CodeBuild about a build still BUILDING once it is late, and records how it ended', async () => {
    const { imageId, buildRef, createdAt } = await buildingBuild();
    codeBuildState.set(buildRef, succeeded(imageId, buildRef));
    // Not late yet: nothing is asked.
    await housekeeping(new Date(createdAt + 60_000));
    expect(codebuild.commandCalls(BatchGetBuildsCommand)).toEqual([]);

    await housekeeping(new Date(createdAt + SETTLE_AFTER_MS + 1_000));
    expect(codebuild.commandCalls(BatchGetBuildsCommand).map((c) => c.args[0].input.ids)).toEqual([[buildRef]]);
    expect(await platform.builds.getBuild(OWNER, imageId, 1)).toMatchObject({
      status: 'BUILT',
      imageRef: `${REPOSITORY_URI}:${ecrImageTag(imageId, 1)}`,
      digest: 'sha256:feed',
    });
    // The image may be built again, and an app may name it.
    expect((await platform.images.get(OWNER, imageId)).activeBuild).toBeUndefined();
    await createApp(platform, { image: { imageId } });
  });

  it("records a BUILT build's scan from ECR when its event was lost, so the scan policy can pass it; then stops asking", async () => {
    const { imageId, buildRef } = await buildingBuild();
    const finishedAt = Date.now();
    await buildEventsHandler(platform)(
      codeBuildEvent(imageId, 1, 'SUCCEEDED', { time: new Date(finishedAt).toISOString(), digest: 'sha256:feed', uuid: buildRef.split(':').pop() }),
    );
    expect((await platform.builds.unsettledBuilds()).some((b) => b.imageId === imageId && b.status === 'BUILT')).toBe(true);
    const strict = await createCloudPlatform({ ...cloud.env, [ENV.SCAN_SEVERITY_THRESHOLD]: 'HIGH' });
    const app = await createApp(strict, { image: { imageId } });
    expect(await strict.runs.create(OWNER, app.appId, {})).toMatchObject({ status: 'FAILED', stoppedReason: expect.stringContaining('not been scanned') });

    ecr.on(DescribeImageScanFindingsCommand, { repositoryName: REPOSITORY, imageId: { imageDigest: 'sha256:feed' } }).resolves({
      imageScanStatus: { status: 'COMPLETE' },
      imageScanFindings: { findingSeverityCounts: { LOW: 2 }, imageScanCompletedAt: new Date(finishedAt + 30_000) },
    });
    await housekeeping(new Date(finishedAt + SETTLE_AFTER_MS + 1_000));
    expect((await platform.builds.getBuild(OWNER, imageId, 1)).scan).toMatchObject({ counts: { LOW: 2, CRITICAL: 0 }, scanner: 'ecr' });
    expect((await platform.builds.unsettledBuilds()).some((b) => b.imageId === imageId)).toBe(false);
    expect(await strict.runs.create(OWNER, app.appId, {})).toMatchObject({ status: 'PENDING' });
  });

  it('gives up on a scan ECR never makes after a day (the build stays unscanned), and not before', async () => {
    const { imageId, buildRef } = await buildingBuild();
    const finishedAt = Date.now();
    await buildEventsHandler(platform)(codeBuildEvent(imageId, 1, 'SUCCEEDED', { time: new Date(finishedAt).toISOString(), uuid: buildRef.split(':').pop() }));
    await housekeeping(new Date(finishedAt + SETTLE_AFTER_MS + 1_000));
    expect((await platform.builds.unsettledBuilds()).some((b) => b.imageId === imageId)).toBe(true);
    await housekeeping(new Date(finishedAt + SCAN_GIVE_UP_MS + 1_000));
    expect((await platform.builds.unsettledBuilds()).some((b) => b.imageId === imageId)).toBe(false);
    expect((await platform.builds.getBuild(OWNER, imageId, 1)).scan).toBeUndefined();
  });
});
