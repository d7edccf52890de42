import { describe, it, expect, beforeEach } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeTasksCommand,
  ECSClient,
  ClientException,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type DescribeTasksCommandOutput,
} from '@aws-sdk/client-ecs';
import { EcsRuntime, familyName, JOB_ENV_RESERVE_CHARS, type EcsRuntimeConfig } from '../../shared/aws/ecs-runtime.js';
import { ClientError } from '../../shared/errors.js';
import { LaunchDeferredError } from '../../shared/ports.js';
import { APP_ID, CLIENT_CONFIG, CLUSTER_ARN, RUN_ID, TASK_ARN, THROTTLED, awsLimits, sampleApp, sampleRun, stubHttp } from './fixtures.js';

const TASK_DEF_ARN = 'arn:aws:ecs:us-east-1:111122223333:task-definition/containerizer-nightly-report:7';

const CONFIG: EcsRuntimeConfig = {
  clusterArn: CLUSTER_ARN,
  subnetIds: ['subnet-0a1b', 'subnet-0c2d'],
  securityGroupIds: ['sg-0e3f'],
  assignPublicIp: true,
  executionRoleArn: 'arn:aws:iam::111122223333:role/containerizer-exec',
  taskRoleArn: 'arn:aws:iam::111122223333:role/containerizer-task',
  logGroupName: '/containerizer/runs',
  logStreamPrefix: 'run',
  familyPrefix: 'containerizer-',
  stopTimeoutSeconds: 60,
};

function setup(config: EcsRuntimeConfig = CONFIG) {
  const ecs = new ECSClient(CLIENT_CONFIG);
  const mock = mockClient(ecs);
  mock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEF_ARN } });
  // A family ECS has never seen.
  mock.on(DescribeTaskDefinitionCommand).rejects(new ClientException({ message: 'Unable to describe task definition.', $metadata: {} }));
  // The family holds only the revision just registered: nothing is superseded.
  mock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [TASK_DEF_ARN] });
  // No earlier attempt started a task (sampleRun is old enough for a launch to look for one).
  mock.on(ListTasksCommand).resolves({ taskArns: [] });
  return { mock, ecs, runtime: new EcsRuntime({ ecs, config }) };
}

describe('EcsRuntime.prepare', () => {
  it('registers a Fargate task definition for the app version', async () => {
    const { mock, runtime } = setup();
    await runtime.prepare(sampleApp());
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input).toEqual({
      family: `containerizer-nightly-report-${APP_ID}`,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '512',
      memory: '1024',
      // No image of the platform's own builds: Fargate's default architecture, said out loud.
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      executionRoleArn: 'arn:aws:iam::111122223333:role/containerizer-exec',
      taskRoleArn: 'arn:aws:iam::111122223333:role/containerizer-task',
      containerDefinitions: [
        {
          name: 'app',
          image: 'public.ecr.aws/docker/library/busybox:1.36',
          essential: true,
          command: ['sh', '-c', 'echo hello'],
          environment: [{ name: 'GREETING', value: 'hello' }],
          stopTimeout: 60,
          linuxParameters: { initProcessEnabled: true, capabilities: { drop: ['NET_RAW', 'MKNOD', 'AUDIT_WRITE', 'SYS_CHROOT', 'SETFCAP'] } },
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': '/containerizer/runs',
              'awslogs-region': 'us-east-1',
              'awslogs-stream-prefix': 'run',
              mode: 'blocking',
            },
          },
        },
      ],
      tags: [
        { key: 'containerizer:appId', value: APP_ID },
        { key: 'containerizer:appVersion', value: '3' },
        { key: 'containerizer:layout', value: '3' },
      ],
    });
  });

  it('leaves out what is not set and applies the default prefixes', async () => {
    const { logStreamPrefix: _s, familyPrefix: _f, taskRoleArn: _t, stopTimeoutSeconds: _o, ...minimal } = CONFIG;
    const { mock, runtime } = setup(minimal);
    await runtime.prepare(sampleApp({ name: 'report.v2 (beta)', command: [], env: {}, cpu: 0.25, memoryMiB: 512 }));
    const input = mock.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input;
    expect(input.family).toBe(`containerizer-report-v2--beta--${APP_ID}`);
    expect(input.cpu).toBe('256');
    expect(input.memory).toBe('512');
    expect(input).not.toHaveProperty('taskRoleArn');
    expect(input.containerDefinitions).toEqual([
      {
        name: 'app',
        image: 'public.ecr.aws/docker/library/busybox:1.36',
        essential: true,
        linuxParameters: { initProcessEnabled: true, capabilities: { drop: ['NET_RAW', 'MKNOD', 'AUDIT_WRITE', 'SYS_CHROOT', 'SETFCAP'] } },
        logConfiguration: {
          logDriver: 'awslogs',
          options: { 'awslogs-group': '/containerizer/runs', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'run', mode: 'blocking' },
        },
      },
    ]);
  });

  it('registers once per app version, concurrent calls included', async () => {
    const { mock, runtime } = setup();
    await Promise.all([runtime.prepare(sampleApp()), runtime.prepare(sampleApp())]);
    await runtime.prepare(sampleApp());
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
    await runtime.prepare(sampleApp({ version: 4, image: 'public.ecr.aws/docker/library/busybox:1.37' }));
    const calls = mock.commandCalls(RegisterTaskDefinitionCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.containerDefinitions?.[0]?.image).toBe('public.ecr.aws/docker/library/busybox:1.37');
  });

  it("reuses the family's latest revision when its tags name this app version and its image is the app's (a cold start registers nothing)", async () => {
    const { mock, runtime } = setup();
    const tagsOf = (version: string, layout = '3') => [
      { key: 'containerizer:appId', value: APP_ID },
      { key: 'containerizer:appVersion', value: version },
      { key: 'containerizer:layout', value: layout },
    ];
    const taskDefinition = { taskDefinitionArn: TASK_DEF_ARN, containerDefinitions: [{ image: sampleApp().image }] };
    mock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition, tags: tagsOf('3') });
    await runtime.prepare(sampleApp());
    expect(mock.commandCalls(DescribeTaskDefinitionCommand)[0]!.args[0].input).toEqual({
      taskDefinition: `containerizer-nightly-report-${APP_ID}`,
      include: ['TAGS'],
    });
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);

    await runtime.prepare(sampleApp({ version: 4 }));
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);

    // A revision registered by older code holds no env: never reused.
    mock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: TASK_DEF_ARN }, tags: tagsOf('5', '1') });
    await runtime.prepare(sampleApp({ version: 5 }));
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(2);
    // A version naming a built image launches whichever build it resolves to: a new build, a new revision.
    mock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition, tags: tagsOf('3') });
    await runtime.prepare(sampleApp({ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/containerizer-images:01j-2' }));
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(3);
  });

  it('retries a registration that failed instead of remembering the failure', async () => {
    const { mock, runtime } = setup();
    mock
      .on(RegisterTaskDefinitionCommand)
      .rejectsOnce(new Error('ClientException: Role is not valid'))
      .resolves({ taskDefinition: { taskDefinitionArn: TASK_DEF_ARN } });
    await expect(runtime.prepare(sampleApp())).rejects.toThrow('Role is not valid');
    await runtime.prepare(sampleApp());
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(2);
  });
});

describe('familyName', () => {
  it('keeps ECS family characters and cuts at 255', () => {
    expect(familyName('containerizer-', { name: 'my_app-1', appId: APP_ID })).toBe(`containerizer-my_app-1-${APP_ID}`);
    const long = familyName('containerizer-', { name: 'x'.repeat(300), appId: APP_ID });
    expect(long).toHaveLength(255);
    expect(long.endsWith(`-${APP_ID}`)).toBe(true);
  });
});

describe('EcsRuntime.start', () => {
  it("runs the version task definition with only the run's own overrides, idempotent on the run id", async () => {
    const { mock, runtime } = setup();
    mock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN, lastStatus: 'PROVISIONING' }], failures: [] });
    const taskArn = await runtime.start({ run: sampleRun(), app: sampleApp() });
    expect(taskArn).toBe(TASK_ARN);
    expect(mock.commandCalls(RunTaskCommand)[0]!.args[0].input).toEqual({
      cluster: CLUSTER_ARN,
      taskDefinition: TASK_DEF_ARN,
      launchType: 'FARGATE',
      count: 1,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-0a1b', 'subnet-0c2d'], securityGroups: ['sg-0e3f'], assignPublicIp: 'ENABLED' },
      },
      overrides: {
        containerOverrides: [
          {
            name: 'app',
            command: ['sh', '-c', 'echo hello; exit 3'],
            // GREETING is the app's own, in the task definition.
            environment: [{ name: 'API_TOKEN', value: 's3cr3t' }],
          },
        ],
      },
      startedBy: RUN_ID,
      tags: [
        { key: 'containerizer:runId', value: RUN_ID },
        { key: 'containerizer:appId', value: APP_ID },
      ],
      clientToken: expect.stringMatching(new RegExp(`^${RUN_ID}\\.[A-Za-z0-9_-]{32}$`)),
    });
  });

  it('registers the task definition first when the version was not prepared, and only once', async () => {
    const { mock, runtime } = setup();
    mock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    await runtime.start({ run: sampleRun(), app: sampleApp() });
    await runtime.start({ run: sampleRun({ runId: '01HZX3K4M5N6P7Q8R9S0T1V2W4' }), app: sampleApp() });
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(1);
    expect(mock.commandCalls(RunTaskCommand).map((c) => c.args[0].input.taskDefinition)).toEqual([TASK_DEF_ARN, TASK_DEF_ARN]);
  });

  it('sends no overrides when the run changes nothing of its version, and can keep the public IP off', async () => {
    const { mock, runtime } = setup({ ...CONFIG, assignPublicIp: false });
    mock.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    await runtime.start({ run: sampleRun({ command: [], env: { GREETING: 'hello' } }), app: sampleApp() });
    await runtime.start({ run: sampleRun({ command: ['sh', '-c', 'echo hello'], env: {} }), app: sampleApp() });
    const [input, same] = mock.commandCalls(RunTaskCommand).map((c) => c.args[0].input);
    expect(input).not.toHaveProperty('overrides');
    expect(same).not.toHaveProperty('overrides');
    expect(input.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('DISABLED');
  });

  it('defers a launch that failed for want of capacity (a later RunTask may start it)', async () => {
    const { mock, runtime } = setup();
    mock.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [
        {
          arn: TASK_DEF_ARN,
          reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone',
        },
      ],
    });
    const launch = runtime.start({ run: sampleRun(), app: sampleApp() });
    await expect(launch).rejects.toBeInstanceOf(LaunchDeferredError);
    await expect(launch).rejects.toThrow(
      `ECS could not start the task yet: Capacity is unavailable at this time. Please try again later or in a different availability zone (${TASK_DEF_ARN})`,
    );
  });

  it("throws ECS's failure reasons when RunTask starts nothing for good", async () => {
    const { mock, runtime } = setup();
    mock.on(RunTaskCommand).resolves({ tasks: [], failures: [{ arn: TASK_DEF_ARN, reason: 'ATTRIBUTE', detail: 'ecs.cpu-architecture' }] });
    await expect(runtime.start({ run: sampleRun(), app: sampleApp() })).rejects.toMatchObject({
      name: 'AwsOperationError',
      message: `ECS could not start the task: ATTRIBUTE: ecs.cpu-architecture (${TASK_DEF_ARN})`,
    });
  });

  it("refuses, as a 400 naming the limit, a run whose own overrides exceed RunTask's 8,192 characters; the app's own env does not count", async () => {
    const { mock, runtime } = setup();
    mock.on(RunTaskCommand).callsFake((input) => {
      const refused = awsLimits.runTaskOverrides(input.overrides);
      if (refused) throw refused;
      return { tasks: [{ taskArn: TASK_ARN }] };
    });
    // 30 KiB of env in the app: its task definition holds it.
    const app = sampleApp({ env: { BIG: 'x'.repeat(30_000) } });
    const run = sampleRun({ env: { BIG: 'x'.repeat(30_000) }, command: app.command });
    expect(() => runtime.checkLaunch({ run, app })).not.toThrow();
    await expect(runtime.start({ run, app })).resolves.toBe(TASK_ARN);
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input.containerDefinitions![0]!.environment).toEqual([
      { name: 'BIG', value: 'x'.repeat(30_000) },
    ]);

    const tooBig = sampleRun({ env: { EXTRA: 'y'.repeat(8200) } });
    let refusal: unknown;
    try {
      runtime.checkLaunch({ run: tooBig, app });
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(ClientError);
    expect(refusal).toMatchObject({ status: 400, message: expect.stringMatching(/RunTask overrides.*ECS accepts at most 8192/) });
    // The check agrees with the enforcing mock: what it lets through, RunTask accepts.
    await expect(runtime.start({ run: tooBig, app })).rejects.toMatchObject({ name: 'InvalidParameterException' });
    // Room is kept for the job's variables (run id, result URL, run token), which join the overrides at launch.
    const room =
      8192 -
      JOB_ENV_RESERVE_CHARS -
      JSON.stringify({ containerOverrides: [{ name: 'app', command: tooBig.command, environment: [{ name: 'EXTRA', value: '' }] }] }).length;
    const justFits = sampleRun({ env: { EXTRA: 'y'.repeat(room) } });
    expect(() => runtime.checkLaunch({ run: justFits, app })).not.toThrow();
    expect(() => runtime.checkLaunch({ run: sampleRun({ env: { EXTRA: 'y'.repeat(room + 1) } }), app })).toThrow(ClientError);
    const jobEnv = {
      CONTAINERIZER_RUN_ID: justFits.runId,
      CONTAINERIZER_RESULT_URL: `https://abcdefghij.execute-api.us-east-1.amazonaws.com/runs/${justFits.runId}/result`,
      CONTAINERIZER_RUN_TOKEN: `${justFits.runId}.${'t'.repeat(43)}`,
      CONTAINERIZER_RESULT_FILE: '/tmp/containerizer-result.json',
    };
    await expect(runtime.start({ run: justFits, app, jobEnv })).resolves.toBe(TASK_ARN);
  });

  it('throws when RunTask returns neither a task nor a failure', async () => {
    const { mock, runtime } = setup();
    mock.on(RunTaskCommand).resolves({});
    await expect(runtime.start({ run: sampleRun(), app: sampleApp() })).rejects.toMatchObject({
      name: 'AwsOperationError',
      operation: 'RunTask',
      message: 'ECS could not start the task: RunTask returned no task',
    });
  });
});

describe('EcsRuntime with the SDK retry (HTTP stubbed)', () => {
  const unknownFamily = { statusCode: 400, body: { __type: 'ClientException', message: 'Unable to describe task definition.' } };
  const registered = { statusCode: 200, body: { taskDefinition: { taskDefinitionArn: TASK_DEF_ARN } } };
  // ListTaskDefinitions after the registration: only the new revision, nothing to deregister.
  const listed = { statusCode: 200, body: { taskDefinitionArns: [TASK_DEF_ARN] } };
  // ListTasks by startedBy before the launch (sampleRun was created long ago): no task of an earlier attempt.
  const noTask = { statusCode: 200, body: { taskArns: [] } };
  const started = { statusCode: 200, body: { tasks: [{ taskArn: TASK_ARN }], failures: [] } };

  it('retries a throttled RunTask with the same clientToken, so one task is launched', async () => {
    const http = stubHttp([noTask, unknownFamily, registered, listed, THROTTLED, started]);
    const ecs = new ECSClient({ ...CLIENT_CONFIG, maxAttempts: 2, requestHandler: http.handler });
    const runtime = new EcsRuntime({ ecs, config: CONFIG });
    await expect(runtime.start({ run: sampleRun(), app: sampleApp() })).resolves.toBe(TASK_ARN);
    const runTasks = http.requests.filter((r) => r.target.endsWith('.RunTask'));
    expect(runTasks).toHaveLength(2);
    expect(runTasks[1]!.body).toEqual(runTasks[0]!.body);
    expect(runTasks[1]!.body).toMatchObject({ clientToken: expect.stringMatching(new RegExp(`^${RUN_ID}\\.`)), startedBy: RUN_ID });
  });

  it('defers the launch once the attempts are used up, the throttling error as its cause', async () => {
    const http = stubHttp([noTask, unknownFamily, registered, listed, THROTTLED]);
    const ecs = new ECSClient({ ...CLIENT_CONFIG, maxAttempts: 1, requestHandler: http.handler });
    const runtime = new EcsRuntime({ ecs, config: CONFIG });
    await expect(runtime.start({ run: sampleRun(), app: sampleApp() })).rejects.toMatchObject({
      name: 'LaunchDeferredError',
      cause: expect.objectContaining({ name: 'ThrottlingException' }),
    });
  });
});

describe('EcsRuntime.stop and kill', () => {
  let mock: ReturnType<typeof setup>['mock'];
  let runtime: EcsRuntime;
  beforeEach(() => {
    ({ mock, runtime } = setup());
    mock.on(StopTaskCommand).resolves({ task: { taskArn: TASK_ARN, desiredStatus: 'STOPPED' } });
  });

  it('stop sends StopTask with the reason', async () => {
    await runtime.stop(TASK_ARN, 30, 'Timed out after 600 s');
    expect(mock.commandCalls(StopTaskCommand)[0]!.args[0].input).toEqual({
      cluster: CLUSTER_ARN,
      task: TASK_ARN,
      reason: 'Timed out after 600 s',
    });
  });

  it('kill sends StopTask too, with the reason cut to the 255 characters ECS accepts', async () => {
    await runtime.kill(TASK_ARN, 'x'.repeat(300));
    expect(mock.commandCalls(StopTaskCommand)[0]!.args[0].input).toEqual({
      cluster: CLUSTER_ARN,
      task: TASK_ARN,
      reason: 'x'.repeat(255),
    });
  });
});

describe('EcsRuntime.describe', () => {
  const createdAt = new Date('2024-05-01T12:00:05.123Z');
  const startedAt = new Date('2024-05-01T12:00:40.456Z');
  const stoppedAt = new Date('2024-05-01T12:01:12.789Z');

  async function describeWith(output: Partial<DescribeTasksCommandOutput>) {
    const { mock, runtime } = setup();
    mock.on(DescribeTasksCommand).resolves(output);
    const change = await runtime.describe(TASK_ARN, RUN_ID);
    expect(mock.commandCalls(DescribeTasksCommand)[0]!.args[0].input).toEqual({ cluster: CLUSTER_ARN, tasks: [TASK_ARN] });
    return change;
  }

  it('maps a running task', async () => {
    const change = await describeWith({
      tasks: [
        {
          taskArn: TASK_ARN,
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          startedBy: RUN_ID,
          createdAt,
          startedAt,
          version: 3,
          containers: [{ name: 'app', lastStatus: 'RUNNING', taskArn: TASK_ARN }],
        },
      ],
      failures: [],
    });
    expect(change).toEqual({ runId: RUN_ID, taskRef: TASK_ARN, lastStatus: 'RUNNING', at: startedAt, startedAt, version: 3 });
  });

  it("maps a stopped task with the app container's exit code", async () => {
    const change = await describeWith({
      tasks: [
        {
          taskArn: TASK_ARN,
          lastStatus: 'STOPPED',
          desiredStatus: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          createdAt,
          startedAt,
          stoppedAt,
          version: 6,
          containers: [{ name: 'app', lastStatus: 'STOPPED', exitCode: 3 }],
        },
      ],
    });
    expect(change).toEqual({
      runId: RUN_ID,
      taskRef: TASK_ARN,
      lastStatus: 'STOPPED',
      exitCode: 3,
      stoppedReason: 'Essential container in task exited',
      at: stoppedAt,
      startedAt,
      version: 6,
    });
  });

  it('flags a container killed for its memory', async () => {
    const change = await describeWith({
      tasks: [
        {
          taskArn: TASK_ARN,
          lastStatus: 'STOPPED',
          stopCode: 'EssentialContainerExited',
          stoppedReason: 'Essential container in task exited',
          createdAt,
          startedAt,
          stoppedAt,
          version: 6,
          containers: [{ name: 'app', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }],
        },
      ],
    });
    expect(change).toMatchObject({
      exitCode: 137,
      oomKilled: true,
      stoppedReason: 'Essential container in task exited: OutOfMemoryError: Container killed due to memory usage',
    });
  });

  it('returns null when ECS no longer knows the task', async () => {
    expect(await describeWith({ tasks: [], failures: [{ arn: TASK_ARN, reason: 'MISSING' }] })).toBeNull();
    expect(await describeWith({ tasks: [] })).toBeNull();
  });

  it('throws on any other failure', async () => {
    await expect(describeWith({ tasks: [], failures: [{ arn: TASK_ARN, reason: 'ACCESS_DENIED' }] })).rejects.toThrow(
      `DescribeTasks failed: ACCESS_DENIED (${TASK_ARN})`,
    );
  });
});

describe('EcsRuntime.describeAll', () => {
  it('asks DescribeTasks at most 100 ids at a time (as ECS enforces), mapping MISSING tasks to null', async () => {
    const { mock, ecs, runtime } = setup();
    const known = new Set<string>();
    mock.on(DescribeTasksCommand).callsFake(({ tasks = [] }: { tasks?: string[] }) => {
      const refused = awsLimits.describeTasksIds(tasks);
      if (refused) throw refused;
      return {
        tasks: tasks.filter((arn) => known.has(arn)).map((taskArn) => ({ taskArn, lastStatus: 'RUNNING', version: 3, containers: [{ name: 'app' }] })),
        failures: tasks.filter((arn) => !known.has(arn)).map((arn) => ({ arn, reason: 'MISSING' })),
      };
    });
    const tasks = Array.from({ length: 250 }, (_, i) => ({ taskRef: `${TASK_ARN.slice(0, -4)}${String(i).padStart(4, '0')}`, runId: `RUN${i}` }));
    for (const task of tasks.slice(0, 200)) known.add(task.taskRef);

    const states = await runtime.describeAll(tasks);

    expect(mock.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks!.length)).toEqual([100, 100, 50]);
    expect(states.size).toBe(250);
    expect(states.get(tasks[0]!.taskRef)).toMatchObject({ runId: 'RUN0', lastStatus: 'RUNNING', version: 3 });
    expect(states.get(tasks[249]!.taskRef)).toBeNull();
    // The enforcing mock refuses what ECS refuses, so this test would fail on one call for all 250.
    await expect(ecs.send(new DescribeTasksCommand({ cluster: CLUSTER_ARN, tasks: tasks.map((t) => t.taskRef) }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});
