/**
 * The launch path on ECS against the enforcing mock (fixtures.ts enforcingEcs): the CPU
 * architecture of a task and its image, relaunches (clientToken, adopting a started task), quota
 * and capacity refusals, 5xx answers that are not JSON, the job's variables on Fargate, and
 * superseded task-definition revisions.
 */
import { describe, expect, it } from 'vitest';
import {
  DeregisterTaskDefinitionCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  ServerException,
} from '@aws-sdk/client-ecs';
import { BUILD_ARCHITECTURE } from '../../shared/aws/architecture.js';
import { EcsRuntime } from '../../shared/aws/ecs-runtime.js';
import { isTransient } from '../../shared/aws/errors.js';
import { TokenBucket } from '../../shared/aws/fargate-capacity.js';
import { JOB_ENV, RESULT_FILE_PATH } from '../../shared/job-env.js';
import { LaunchDeferredError, type LaunchableApp } from '../../shared/ports.js';
import { mintRunToken } from '../../shared/services/run-tokens.js';
import {
  AMD64_ONLY_IMAGE,
  APP_ID,
  BUILT_REPOSITORY,
  CLIENT_CONFIG,
  CLUSTER_ARN,
  FargateAccount,
  RUN_ID,
  RUNTIME_CONFIG,
  VCPU_QUOTA_REASON,
  enforcingEcs,
  sampleApp,
  sampleRun,
} from './fixtures.js';

/** The job's variables of one launch: each launch mints a new run token (ResultService.jobEnv). */
function jobEnvOf(runId = RUN_ID) {
  return {
    [JOB_ENV.runId]: runId,
    [JOB_ENV.resultUrl]: `https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/runs/${runId}/result`,
    [JOB_ENV.runToken]: mintRunToken(runId).token,
    [JOB_ENV.resultFile]: RESULT_FILE_PATH,
  };
}

/** An app whose image is a platform build, as RunService hands it over (the run's per-build reference and digest). */
function builtApp(overrides: Partial<LaunchableApp> = {}): LaunchableApp {
  return sampleApp({ image: `${BUILT_REPOSITORY}:01j9zs3k4m5n6p7q8r9s0t1v2w-3`, imageDigest: `sha256:${'ab'.repeat(32)}`, ...overrides });
}

describe('the CPU architecture of a task', () => {
  it("runs a built image on the architecture it was built for: the task starts instead of failing on its image's platform", async () => {
    const { runtime } = enforcingEcs();
    const app = builtApp();
    const taskArn = await runtime.start({ run: sampleRun({ image: app.image, imageDigest: app.imageDigest }), app });
    const state = await runtime.describe(taskArn, RUN_ID);
    expect(state?.lastStatus).toBe('PROVISIONING');
    expect(state?.stoppedReason).toBeUndefined();
  });

  it('names the architecture in every revision: the build architecture for builds, X86_64 for other images unless the app says', async () => {
    const { mock, runtime } = enforcingEcs();
    await runtime.prepare(builtApp());
    await runtime.prepare(sampleApp({ version: 4, image: AMD64_ONLY_IMAGE }));
    await runtime.prepare(sampleApp({ version: 5, architecture: 'ARM64' }));
    await runtime.prepare(builtApp({ version: 6, architecture: 'X86_64' }));
    expect(mock.commandCalls(RegisterTaskDefinitionCommand).map((c) => c.args[0].input.runtimePlatform)).toEqual([
      { operatingSystemFamily: 'LINUX', cpuArchitecture: BUILD_ARCHITECTURE },
      { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' },
      { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
    ]);
  });

  it('the mock refuses what Fargate refuses: a task whose architecture its image has no manifest for stops before it starts', async () => {
    const { runtime } = enforcingEcs();
    const app = sampleApp({ image: AMD64_ONLY_IMAGE, architecture: 'ARM64' });
    const taskArn = await runtime.start({ run: sampleRun({ image: app.image }), app });
    expect(await runtime.describe(taskArn, RUN_ID)).toMatchObject({
      lastStatus: 'STOPPED',
      stoppedReason: expect.stringContaining("image Manifest does not contain descriptor matching platform 'linux/arm64'"),
    });
  });
});

describe('a relaunch', () => {
  it('adopts the task an earlier attempt started (its answer was lost) instead of starting a second one', async () => {
    const { mock, runtime, account, runTask } = enforcingEcs();
    // The first RunTask starts the task, then its answer is lost: a 500 the SDK gives up on.
    mock
      .on(RunTaskCommand)
      .callsFakeOnce((input) => {
        runTask(input);
        throw new ServerException({ message: 'Service unavailable', $metadata: { httpStatusCode: 500 } });
      })
      .callsFake(runTask);
    const run = sampleRun({ createdAt: new Date().toISOString() });
    await expect(runtime.start({ run, app: sampleApp(), jobEnv: jobEnvOf() })).rejects.toBeInstanceOf(LaunchDeferredError);
    expect(account.counts.started).toBe(1);

    // The relaunch sends a new run token: other parameters.
    const deferred = { ...run, launchRetry: { attempts: 1, notBefore: new Date().toISOString(), reason: 'RunTask: Service unavailable' } };
    const taskArn = await runtime.start({ run: deferred, app: sampleApp(), jobEnv: jobEnvOf() });

    expect(account.counts).toMatchObject({ started: 1, conflicts: 0 });
    expect([...account.running.keys()]).toEqual([taskArn]);
    expect(mock.commandCalls(ListTasksCommand)[0]!.args[0].input).toEqual({ cluster: CLUSTER_ARN, startedBy: RUN_ID });
  });

  it('with a new run token is a new RunTask request, not a ConflictException on the first one’s clientToken', async () => {
    const account = new FargateAccount(0.5);
    const { mock, runtime } = enforcingEcs({}, { account });
    account.running.set('arn:aws:ecs:us-east-1:111122223333:task/containerizer/other', 0.5);
    const run = sampleRun({ createdAt: new Date().toISOString() });
    await expect(runtime.start({ run, app: sampleApp(), jobEnv: jobEnvOf() })).rejects.toMatchObject({ name: 'LaunchDeferredError', capacity: true });

    account.stop('arn:aws:ecs:us-east-1:111122223333:task/containerizer/other');
    const deferred = { ...run, launchRetry: { attempts: 1, notBefore: new Date().toISOString(), reason: VCPU_QUOTA_REASON } };
    await expect(runtime.start({ run: deferred, app: sampleApp(), jobEnv: jobEnvOf() })).resolves.toMatch(/^arn:aws:ecs:/);
    expect(account.counts).toMatchObject({ started: 1, conflicts: 0, quota: 1 });
    const [first, second] = mock.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken!);
    expect(first).not.toBe(second);
    expect(first!.length).toBeLessThanOrEqual(64);
  });

  it('repeats the very same request with the same clientToken (ECS then answers with the task it started)', async () => {
    const { mock, runtime, account } = enforcingEcs();
    const jobEnv = jobEnvOf();
    const run = sampleRun({ createdAt: new Date().toISOString() });
    const first = await runtime.start({ run, app: sampleApp(), jobEnv });
    const again = await runtime.start({ run, app: sampleApp(), jobEnv });
    expect(again).toBe(first);
    expect(account.counts.started).toBe(1);
    const [a, b] = mock.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken);
    expect(a).toBe(b);
  });
});

describe('quota and capacity refusals', () => {
  it("defers a launch refused for the account's vCPU quota, as ECS words it in failures[]", async () => {
    const account = new FargateAccount(1);
    const { runtime } = enforcingEcs({}, { account });
    account.running.set('arn:aws:ecs:us-east-1:111122223333:task/containerizer/busy', 1);
    const launch = runtime.start({ run: sampleRun(), app: sampleApp() });
    await expect(launch).rejects.toBeInstanceOf(LaunchDeferredError);
    await expect(launch).rejects.toMatchObject({ capacity: true, message: expect.stringContaining("You've reached the limit on the number of vCPUs") });
  });

  it("defers a launch ECS answered with a 5xx page that is not JSON (the SDK's SyntaxError with the status)", async () => {
    const handler = {
      async handle(request: { headers: Record<string, string> }) {
        const target = request.headers['x-amz-target'] ?? '';
        const json = (body: unknown) => ({
          response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: new TextEncoder().encode(JSON.stringify(body)) },
        });
        if (target.endsWith('.DescribeTaskDefinition'))
          return {
            response: {
              statusCode: 400,
              headers: { 'content-type': 'application/x-amz-json-1.1' },
              body: new TextEncoder().encode(JSON.stringify({ __type: 'ClientException', message: 'Unable to describe task definition.' })),
            },
          };
        if (target.endsWith('.RegisterTaskDefinition'))
          return json({ taskDefinition: { taskDefinitionArn: 'arn:aws:ecs:us-east-1:111122223333:task-definition/x:1' } });
        if (target.endsWith('.ListTaskDefinitions')) return json({ taskDefinitionArns: [] });
        return {
          response: { statusCode: 502, headers: { 'content-type': 'text/html' }, body: new TextEncoder().encode('<html><body>502 Bad Gateway</body></html>') },
        };
      },
    };
    const ecs = new ECSClient({ ...CLIENT_CONFIG, maxAttempts: 1, requestHandler: handler });
    const runtime = new EcsRuntime({ ecs, config: RUNTIME_CONFIG });
    const launch = runtime.start({ run: sampleRun({ createdAt: new Date().toISOString() }), app: sampleApp() });
    await expect(launch).rejects.toBeInstanceOf(LaunchDeferredError);
    await expect(launch).rejects.toMatchObject({ cause: expect.objectContaining({ $metadata: expect.objectContaining({ httpStatusCode: 502 }) }) });
  });

  it('counts as transient: throttling, a server fault, any 5xx; not a client error', () => {
    const syntax = Object.assign(new SyntaxError('Unexpected token < in JSON'), { $metadata: { httpStatusCode: 500 } });
    expect(isTransient(syntax)).toBe(true);
    expect(isTransient(new ServerException({ message: 'x', $metadata: {} }))).toBe(true);
    expect(isTransient(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('bad'), { name: 'InvalidParameterException', $fault: 'client', $metadata: { httpStatusCode: 400 } }))).toBe(
      false,
    );
    expect(isTransient(new SyntaxError('no status'))).toBe(false);
  });

  it('a token bucket gives its burst at once, then its rate', () => {
    let now = 0;
    const bucket = new TokenBucket(100, 20, () => now);
    let taken = 0;
    while (bucket.tryTake()) taken++;
    expect(taken).toBe(100);
    expect(bucket.wait()).toBe(50);
    now += 1000;
    taken = 0;
    while (bucket.tryTake()) taken++;
    expect(taken).toBe(20);
  });
});

describe("the job's variables on Fargate", () => {
  it('are sent without CONTAINERIZER_RESULT_FILE, which nothing could read from a stopped task', async () => {
    const { mock, runtime } = enforcingEcs();
    await runtime.start({ run: sampleRun(), app: sampleApp(), jobEnv: jobEnvOf() });
    const environment = mock.commandCalls(RunTaskCommand)[0]!.args[0].input.overrides!.containerOverrides![0]!.environment!;
    expect(environment.map((e) => e.name)).toEqual(['API_TOKEN', JOB_ENV.runId, JOB_ENV.resultUrl, JOB_ENV.runToken]);
  });
});

describe('superseded task definitions', () => {
  it("deregisters the revisions a new version supersedes, not another app's; a launch of the older version registers it again", async () => {
    const { mock, runtime, definitions } = enforcingEcs();
    // Another app whose family starts with this one's (ListTaskDefinitions' familyPrefix matches it too).
    const other = sampleApp({ appId: '01HZX2A1B2C3D4E5F6G7H8J9K1', name: `nightly-report-${APP_ID}-b` });
    await runtime.prepare(sampleApp());
    await runtime.prepare(other);
    await runtime.prepare(sampleApp({ version: 4 }));
    const active = [...definitions.values()]
      .filter((d) => d.status === 'ACTIVE')
      .map(
        (d) => `${d.input.tags!.find((t) => t.key === 'containerizer:appId')!.value}@${d.input.tags!.find((t) => t.key === 'containerizer:appVersion')!.value}`,
      );
    expect(active).toEqual([`${other.appId}@3`, `${APP_ID}@4`]);
    expect(mock.commandCalls(DeregisterTaskDefinitionCommand)).toHaveLength(1);

    // A retry of a version-3 run, in this warm process that remembers version 3's revision: ECS refuses the INACTIVE revision.
    await expect(runtime.start({ run: sampleRun(), app: sampleApp() })).resolves.toMatch(/^arn:aws:ecs:/);
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(4);
    // Registering the older version again retires nothing: version 4 stays launchable.
    expect(mock.commandCalls(DeregisterTaskDefinitionCommand)).toHaveLength(1);
  });

  it("deregisters every revision of a deleted app, and no other app's", async () => {
    const { runtime, definitions } = enforcingEcs();
    await runtime.prepare(sampleApp());
    await runtime.prepare(sampleApp({ appId: '01HZX2A1B2C3D4E5F6G7H8J9K1', name: `nightly-report-${APP_ID}-b` }));
    await runtime.retire(sampleApp());
    const statuses = [...definitions.values()].map((d) => `${d.input.tags!.find((t) => t.key === 'containerizer:appId')!.value}:${d.status}`);
    expect(statuses).toEqual([`${APP_ID}:INACTIVE`, '01HZX2A1B2C3D4E5F6G7H8J9K1:ACTIVE']);
  });
});
