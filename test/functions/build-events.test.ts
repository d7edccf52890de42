/**
 * The build-events function against dynalite: CodeBuild build state changes and ECR scans,
 * duplicated and out of order, move builds forward only; a run of a built image records its
 * reference and digest, and the scan policy refuses it before any task starts.
 */
import { RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contextFromFiles } from '../../shared/build-context.js';
import { ecrImageTag } from '../../shared/aws/build-events.js';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import { createCloudPlatform } from '../../shared/cloud-platform.js';
import { ENV } from '../../shared/env.js';
import type { AppCreate } from '../../shared/schemas.js';
import { ServiceUnavailableError } from '../../shared/errors.js';
import { buildEventsHandler, type BuildEvent } from '../../shared/lambda/build-events.js';
import type { ImageService } from '../../shared/services/images.js';
import type { BuildService } from '../../shared/services/builds.js';
import type { ImageStore } from '../../shared/store/image-store.js';
import { codeBuildEvent, codeBuildId, ecrScanEvent, inspectorScanEvent, REPOSITORY_URI } from '../aws/build-event-fixtures.js';
import { createApp, imageStarter, OWNER, startCloud, type Cloud } from './support.js';

let cloud: Cloud;
let platform: CloudPlatform;
let handler: (event: BuildEvent) => Promise<void>;
/** Starts builds as the (pending) CodeBuild adapter would: builds are started here, their events delivered by the test. */
let starter: { images: ImageService; builds: BuildService };
let started: string[];
let images: ImageStore;

beforeAll(async () => {
  cloud = await startCloud();
  platform = await cloud.platform();
  handler = buildEventsHandler(platform);
  ({ starter, images } = imageStarter(
    cloud,
    async ({ imageId, buildNumber }) => (started.push(`${imageId}/${buildNumber}`), codeBuildId(`uuid-${buildNumber}`)),
  ));
});
afterAll(() => cloud?.close());
beforeEach(() => {
  started = [];
  cloud.ecs.resetHistory();
});

async function queuedBuild() {
  const image = await starter.images.create(OWNER, {
    name: 'report',
    context: contextFromFiles({ Dockerfile: 'FROM public.ecr.aws/docker/library/busybox' }),
    buildArgs: {},
  });
  const build = await starter.builds.startBuild(OWNER, image.imageId);
  expect(build).toMatchObject({ status: 'QUEUED', number: 1, buildRef: codeBuildId('uuid-1') });
  return image.imageId;
}

async function deliver(...events: BuildEvent[]): Promise<void> {
  for (const event of events) await handler(event);
}

describe('build-events', () => {
  it('takes a build through BUILDING to BUILT once; duplicates change nothing; the image is free to change again', async () => {
    const imageId = await queuedBuild();
    const building = codeBuildEvent(imageId, 1, 'IN_PROGRESS', { time: '2030-01-01T00:00:01Z' });
    const built = codeBuildEvent(imageId, 1, 'SUCCEEDED', { time: '2030-01-01T00:01:31Z', digest: 'sha256:aaa' });
    await deliver(building, building, built, built, building);
    expect(await platform.builds.getBuild(OWNER, imageId, 1)).toMatchObject({
      status: 'BUILT',
      startedAt: '2030-01-01T00:00:01.000Z',
      finishedAt: '2030-01-01T00:01:31.000Z',
      durationMs: 90_000,
      imageRef: `${REPOSITORY_URI}:${ecrImageTag(imageId, 1)}`,
      digest: 'sha256:aaa',
    });
    expect((await platform.images.get(OWNER, imageId)).activeBuild).toBeUndefined();
    // Without an image backend (no context is written), so a deployment without builds can still change the rest.
    expect(await platform.images.update(OWNER, imageId, { buildArgs: { V: '2' } })).toMatchObject({ version: 2, contextVersion: 1 });
  });

  it('keeps the first final status: a FAILED after BUILT (or the reverse) changes nothing', async () => {
    const imageId = await queuedBuild();
    const phases = [{ 'phase-type': 'BUILD', 'phase-status': 'FAILED', 'phase-context': ['COMMAND_EXECUTION_ERROR: exit status 1'] }];
    await deliver(codeBuildEvent(imageId, 1, 'FAILED', { phases }), codeBuildEvent(imageId, 1, 'IN_PROGRESS'), codeBuildEvent(imageId, 1, 'SUCCEEDED'));
    expect(await platform.builds.getBuild(OWNER, imageId, 1)).toMatchObject({
      status: 'FAILED',
      reason: 'BUILD FAILED: COMMAND_EXECUTION_ERROR: exit status 1',
    });
    expect((await platform.builds.getBuild(OWNER, imageId, 1)).startedAt).toBeUndefined();
  });

  it('records a scan that arrives before the build ends, with the digest; a repeated or older scan changes nothing', async () => {
    const imageId = await queuedBuild();
    await deliver(ecrScanEvent(imageId, 1, { HIGH: 2 }, { time: '2030-01-01T00:02:00Z', digest: 'sha256:bbb' }));
    await deliver(codeBuildEvent(imageId, 1, 'SUCCEEDED'));
    await deliver(ecrScanEvent(imageId, 1, { CRITICAL: 5 }, { time: '2030-01-01T00:01:00Z' }));
    const build = await platform.builds.getBuild(OWNER, imageId, 1);
    expect(build).toMatchObject({ status: 'BUILT', digest: 'sha256:bbb', scan: { counts: { HIGH: 2, CRITICAL: 0 }, scanner: 'ecr' } });
    // A rescan later does replace it.
    await deliver(ecrScanEvent(imageId, 1, { CRITICAL: 1 }, { time: '2030-01-02T00:00:00Z' }));
    expect((await platform.builds.getBuild(OWNER, imageId, 1)).scan!.counts.CRITICAL).toBe(1);
  });

  it("fills a scan's findings from ECR; if they cannot be read, keeps the counts; throttling is retried", async () => {
    const imageId = await queuedBuild();
    const finding = { id: 'CVE-2030-1', severity: 'HIGH' as const, title: 'bad', where: 'openssl@3' };
    const calls: string[] = [];
    const withFindings = buildEventsHandler(platform, {
      complete: async (repositoryName, found) => (calls.push(repositoryName), { ...found.scan, findings: [finding], truncated: false }),
    });
    await withFindings(ecrScanEvent(imageId, 1, { HIGH: 1 }, { time: '2030-01-01T00:02:00Z' }));
    expect(calls).toEqual(['containerizer-images']);
    expect((await platform.builds.getBuild(OWNER, imageId, 1)).scan).toMatchObject({ counts: { HIGH: 1 }, findings: [finding], truncated: false });

    const failing = buildEventsHandler(platform, {
      complete: async () => {
        throw new Error('AccessDenied');
      },
    });
    await failing(ecrScanEvent(imageId, 1, { HIGH: 3 }, { time: '2030-01-01T00:03:00Z' }));
    expect((await platform.builds.getBuild(OWNER, imageId, 1)).scan).toMatchObject({ counts: { HIGH: 3 }, findings: [], truncated: true });

    const throttled = buildEventsHandler(platform, {
      complete: async () => {
        throw new ServiceUnavailableError('ECR is throttling requests');
      },
    });
    await expect(throttled(ecrScanEvent(imageId, 1, { HIGH: 4 }, { time: '2030-01-01T00:04:00Z' }))).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect((await platform.builds.getBuild(OWNER, imageId, 1)).scan!.counts.HIGH).toBe(3);
  });

  it("records enhanced scanning's Inspector2 Scan like ECR's, reading the findings of the repository its ARN names", async () => {
    const imageId = await queuedBuild();
    await deliver(codeBuildEvent(imageId, 1, 'SUCCEEDED'));
    const repositories: string[] = [];
    const withFindings = buildEventsHandler(platform, { complete: async (repositoryName, found) => (repositories.push(repositoryName), found.scan) });
    await withFindings(inspectorScanEvent(imageId, 1, { CRITICAL: 2 }));
    expect(repositories).toEqual(['containerizer-images']);
    expect((await platform.builds.getBuild(OWNER, imageId, 1)).scan).toMatchObject({ counts: { CRITICAL: 2, INFORMATIONAL: 0 }, scanner: 'ecr' });
    // Scanned: the build no longer waits in the active index.
    expect((await platform.builds.unsettledBuilds()).some((b) => b.imageId === imageId)).toBe(false);
  });

  it('runs an app on the built image with its exact reference and digest; the scan policy refuses it before RunTask', async () => {
    const imageId = await queuedBuild();
    await deliver(codeBuildEvent(imageId, 1, 'SUCCEEDED', { digest: 'sha256:ccc' }), ecrScanEvent(imageId, 1, { HIGH: 1 }));
    const app = await createApp(platform, { image: { imageId } });
    const run = await platform.runs.create(OWNER, app.appId, {});
    const imageRef = `${REPOSITORY_URI}:${ecrImageTag(imageId, 1)}`;
    expect(run).toMatchObject({ image: imageRef, imageDigest: 'sha256:ccc', status: 'PENDING' });
    expect(cloud.ecs.commandCalls(RunTaskCommand)).toHaveLength(1);

    const strict = await createCloudPlatform({ ...cloud.env, [ENV.SCAN_SEVERITY_THRESHOLD]: 'HIGH' });
    const refused = await strict.runs.create(OWNER, app.appId, {});
    expect(refused).toMatchObject({ status: 'FAILED', image: imageRef, stoppedReason: 'image has 1 HIGH findings (policy refuses HIGH and above)' });
    expect(cloud.ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
  });

  it('freezes an image a deletion has marked: no new apps or builds; deleting again finishes what a crash left', async () => {
    const imageId = await queuedBuild();
    await deliver(codeBuildEvent(imageId, 1, 'SUCCEEDED'));
    const user = await createApp(platform, { image: { imageId } });
    await expect(starter.images.delete(OWNER, imageId)).rejects.toMatchObject({ status: 409, message: expect.stringContaining(user.appId) });
    expect((await starter.images.get(OWNER, imageId)).deletingSince).toBeUndefined();
    await platform.apps.delete(OWNER, user.appId);

    // A deletion that crashed after marking the image.
    await images.markDeleting(imageId, new Date().toISOString());
    await expect(createApp(platform, { image: { imageId } })).rejects.toMatchObject({ status: 409, message: `image ${imageId} is being deleted` });
    expect(await images.uses(imageId)).toEqual([user.appId]);
    await expect(starter.builds.startBuild(OWNER, imageId)).rejects.toMatchObject({ status: 409 });
    await starter.images.delete(OWNER, imageId);
    await expect(starter.images.get(OWNER, imageId)).rejects.toMatchObject({ status: 404 });
    expect(await images.builds(imageId)).toEqual([]);
  });

  it('tells a garbage collector which built images apps name (the build each resolves to)', async () => {
    const imageId = await queuedBuild();
    await deliver(codeBuildEvent(imageId, 1, 'SUCCEEDED'));
    await createApp(platform, { image: { imageId } });
    expect(await platform.imageResolver.imageRefsInUse()).toContain(`${REPOSITORY_URI}:${ecrImageTag(imageId, 1)}`);
  });

  it("checks every sidecar's image at app create and update, naming its field", async () => {
    const unbuilt = await queuedBuild();
    const db = (image: unknown) => ({ sidecars: [{ name: 'db', image, essential: true }] }) as Partial<AppCreate>;
    await expect(createApp(platform, db({ imageId: unbuilt }))).rejects.toMatchObject({
      status: 409,
      message: `image ${unbuilt} (sidecars.0.image) has no BUILT build: build it first (POST /images/${unbuilt}/builds)`,
    });
    await expect(createApp(platform, db({ imageId: '01HZX5S1C2H3E4D5U6L7E8I9D1' }))).rejects.toMatchObject({
      status: 400,
      errors: [{ field: 'sidecars.0.image.imageId' }],
    });
    const allowList = await createCloudPlatform({ ...cloud.env, [ENV.ALLOWED_IMAGE_PREFIXES]: 'public.ecr.aws/' });
    await expect(createApp(allowList, db('docker.io/library/postgres:16'))).rejects.toMatchObject({ status: 400, errors: [{ field: 'sidecars.0.image' }] });

    const app = await createApp(platform);
    await expect(platform.apps.update(OWNER, app.appId, db({ imageId: unbuilt }))).rejects.toMatchObject({ status: 409 });
    await deliver(codeBuildEvent(unbuilt, 1, 'SUCCEEDED'));
    expect((await platform.apps.update(OWNER, app.appId, db({ imageId: unbuilt }))).version).toBe(2);
  });

  it("runs a sidecar on its built image's exact reference; the policy refusal names it; GC and deletion count it", async () => {
    const imageId = await queuedBuild();
    await deliver(codeBuildEvent(imageId, 1, 'SUCCEEDED', { digest: 'sha256:ddd' }), ecrScanEvent(imageId, 1, { HIGH: 1 }));
    const imageRef = `${REPOSITORY_URI}:${ecrImageTag(imageId, 1)}`;
    const app = await createApp(platform, { sidecars: [{ name: 'db', image: { imageId }, essential: true }] });
    const run = await platform.runs.create(OWNER, app.appId, {});
    expect(run).toMatchObject({ status: 'PENDING', image: 'public.ecr.aws/docker/library/busybox:1.36', sidecars: [{ name: 'db', image: imageRef }] });
    expect(run.imageDigest).toBeUndefined();
    const definitions = cloud.ecs.commandCalls(RegisterTaskDefinitionCommand).at(-1)!.args[0].input.containerDefinitions!;
    expect(definitions.find((c) => c.name === 'db')?.image).toBe(imageRef);

    const strict = await createCloudPlatform({ ...cloud.env, [ENV.SCAN_SEVERITY_THRESHOLD]: 'HIGH' });
    const refused = await strict.runs.create(OWNER, app.appId, {});
    expect(refused).toMatchObject({ status: 'FAILED', stoppedReason: 'sidecar "db": image has 1 HIGH findings (policy refuses HIGH and above)' });
    expect(cloud.ecs.commandCalls(RunTaskCommand)).toHaveLength(1);

    expect(await platform.imageResolver.imageRefsInUse()).toContain(imageRef);
    await expect(starter.images.delete(OWNER, imageId)).rejects.toMatchObject({ status: 409, message: expect.stringContaining(app.appId) });
  });

  it('ignores builds it did not start and images it did not tag', async () => {
    const imageId = await queuedBuild();
    await deliver(codeBuildEvent(imageId, 1, 'SUCCEEDED', { vars: false }), ecrScanEvent(imageId, 1, { HIGH: 1 }, { tags: ['latest'] }));
    expect(await platform.builds.getBuild(OWNER, imageId, 1)).toMatchObject({ status: 'QUEUED' });
    expect((await platform.builds.getBuild(OWNER, imageId, 1)).scan).toBeUndefined();
  });
});
