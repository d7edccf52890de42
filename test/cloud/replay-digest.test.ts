/**
 * A replay in the cloud checks that ECR still holds the old run's digest (shared/aws/ecr-image-digests.ts),
 * against moto's ECR through the real SDK: while the image is there the replay runs
 * `repository@digest` even after the tag has moved; once the image is deleted (a lifecycle policy, the
 * garbage collector) the replay is refused with a 410 problem and nothing is started; an image
 * outside private ECR is named by digest unchecked (ECS's pull decides), with no ECR call.
 * ECS and EventBridge are the functions tests' mocks (test/functions/support.ts), DynamoDB dynalite.
 */
import { BatchDeleteImageCommand, CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcrImageDigests, ecrRepositoryOf } from '../../shared/aws/ecr-image-digests.js';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { createApp, ecsTask, OWNER, startCloud, type Cloud } from '../functions/support.js';
import { motoUnavailable, startMoto, type Moto } from '../support/moto.js';

const unavailable = motoUnavailable();
if (unavailable && process.env.CI) throw new Error(`CI must run the moto tests, but ${unavailable}`);

const REGION = 'us-east-1';
let moto: Moto;
let cloud: Cloud;
let platform: CloudPlatform;
let ecr: ECRClient;
const previousEndpoint = process.env.AWS_ENDPOINT_URL_ECR;

beforeAll(async () => {
  if (unavailable) return;
  moto = await startMoto();
  // The platform's own ECR clients (shared/cloud-platform.ts) find moto through the SDK's service-specific endpoint variable.
  process.env.AWS_ENDPOINT_URL_ECR = moto.endpoint;
  cloud = await startCloud();
  platform = await cloud.platform();
  ecr = new ECRClient({ region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, endpoint: moto.endpoint });
}, 120_000);

afterAll(async () => {
  if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_ECR;
  else process.env.AWS_ENDPOINT_URL_ECR = previousEndpoint;
  await cloud?.close();
  await moto?.stop();
});

/** Pushes a manifest (distinct per `layer`) under `tag`; returns its digest. */
async function push(repositoryName: string, tag: string, layer: string): Promise<string> {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1, digest: `sha256:${layer.repeat(64)}` },
    // moto derives the digest from the layers.
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 1, digest: `sha256:${layer.repeat(64)}` }],
  });
  const pushed = await ecr.send(new PutImageCommand({ repositoryName, imageTag: tag, imageManifest: manifest }));
  return pushed.image!.imageId!.imageDigest!;
}

/** A run of `image` that ECS reports ran `digest`, finished. */
async function ranDigest(image: string, digest: string) {
  const app = await createApp(platform, { image });
  const run = await platform.runs.create(OWNER, app.appId, {});
  const task = ecsTask(run.runId);
  const handler = taskStateChangeHandler(platform);
  const withDigest = { ...task.running, detail: { ...task.running.detail, containers: [{ ...task.running.detail.containers[0], imageDigest: digest }] } };
  for (const event of [task.provisioning, withDigest]) await handler(event);
  expect(await platform.runs.get(OWNER, run.runId)).toMatchObject({ imageDigest: digest });
  return run;
}

describe.skipIf(unavailable)('replay in the cloud: the digest is checked in ECR', () => {
  it('runs repository@digest while ECR holds it, after the tag moved; refuses with 410 once the image is deleted', async () => {
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/nightly' }));
    const uri = repository!.repositoryUri!;
    expect(ecrRepositoryOf(`${uri}:v1`)).toMatchObject({ region: REGION, repositoryName: 'team/nightly' });
    const first = await push('team/nightly', 'v1', 'a');
    // Also tagged by its build: moto deletes an image whose only tag moves (ECR keeps it, untagged).
    expect(await push('team/nightly', 'build-1', 'a')).toBe(first);
    const run = await ranDigest(`${uri}:v1`, first);
    // The tag moves on to another image: the replay still runs the first digest.
    const second = await push('team/nightly', 'v1', 'b');
    expect(second).not.toBe(first);
    cloud.ecs.resetHistory();
    moto.calls();
    const replay = await platform.replays.replay(OWNER, run.runId);
    expect(replay).toMatchObject({ trigger: 'replay', replayOf: run.runId, image: `${uri}@${first}` });
    expect(cloud.ecs.commandCalls(RegisterTaskDefinitionCommand).map((call) => call.args[0].input.containerDefinitions?.[0]?.image)).toEqual([
      `${uri}@${first}`,
    ]);

    // The first image is deleted (as a lifecycle policy or the garbage collector would).
    await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'team/nightly', imageIds: [{ imageDigest: first }] }));
    const before = (await platform.runs.list(OWNER, { limit: 100 })).items.length;
    await expect(platform.replays.replay(OWNER, run.runId)).rejects.toMatchObject({
      status: 410,
      message: expect.stringContaining(`${uri}:v1 at digest ${first}`),
    });
    // Nothing was started.
    expect((await platform.runs.list(OWNER, { limit: 100 })).items.length).toBe(before);
  });

  it('a repository that is gone is a 410 too; an image outside private ECR is named by digest unchecked, without asking ECR; throttling is a 503', async () => {
    const digests = new EcrImageDigests({ ecrIn: () => ecr });
    const digest = `sha256:${'c'.repeat(64)}`;
    await expect(digests.pinned(`123456789012.dkr.ecr.${REGION}.amazonaws.com/deleted-repository:v1`, digest)).resolves.toBeUndefined();
    const calls = moto.calls().operation['ecr:DescribeImages'] ?? 0;
    await expect(digests.pinned('public.ecr.aws/docker/library/busybox:1.36', digest)).resolves.toBe(`public.ecr.aws/docker/library/busybox@${digest}`);
    await expect(digests.pinned('ghcr.io/acme/tool:2', digest)).resolves.toBe(`ghcr.io/acme/tool@${digest}`);
    expect(moto.calls().operation['ecr:DescribeImages'] ?? 0).toBe(calls);
    // ECR throttling (after the SDK's retries) is a 503 to retry, not a 410 nor a 500.
    const throttled = { send: async () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })) } as unknown as ECRClient;
    await expect(new EcrImageDigests({ ecrIn: () => throttled }).pinned(`123456789012.dkr.ecr.${REGION}.amazonaws.com/x:v1`, digest)).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
    });
  });
});
