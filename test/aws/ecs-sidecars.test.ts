/**
 * A task of several containers on ECS: the task definition registered for an app with sidecars
 * (the exact request), and task events with several containers mapped onto the run's containers.
 */
import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogSource } from '../../shared/aws/cloudwatch-logs.js';
import { essentialSidecarFailure } from '../../shared/aws/ecs-containers.js';
import { taskStateChange } from '../../shared/aws/ecs-events.js';
import { APP_ID, CLIENT_CONFIG, RUN_ID, TASK_ARN, TASK_ID, enforcingEcs, sampleApp, sampleRun } from './fixtures.js';

const HEALTH = { command: ['CMD-SHELL', 'pg_isready -U postgres'], intervalSeconds: 5, timeoutSeconds: 3, retries: 5, startPeriodSeconds: 10 };
const LINUX = { initProcessEnabled: true, capabilities: { drop: ['NET_RAW', 'MKNOD', 'AUDIT_WRITE', 'SYS_CHROOT', 'SETFCAP'] } };
const LOGS = {
  logDriver: 'awslogs',
  options: { 'awslogs-group': '/containerizer/runs', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'run', mode: 'blocking' },
};

describe('EcsRuntime.prepare with sidecars', () => {
  it('registers one task definition with every container, its dependsOn and healthCheck as ECS defines them', async () => {
    const { mock, runtime } = enforcingEcs({ stopTimeoutSeconds: 30 });
    await runtime.prepare(
      sampleApp({
        name: 'toolshare-tests',
        cpu: 1,
        memoryMiB: 2048,
        command: ['npm', 'test'],
        dependsOn: [
          { containerName: 'db', condition: 'HEALTHY' },
          { containerName: 'web', condition: 'HEALTHY' },
        ],
        sidecars: [
          { name: 'db', image: 'postgres:16', essential: true, env: { POSTGRES_PASSWORD: 'test' }, cpu: 0.25, memoryMiB: 512, healthCheck: HEALTH },
          {
            name: 'web',
            image: 'toolshare/web:1',
            essential: true,
            command: ['node', 'server.js'],
            dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }],
            healthCheck: { ...HEALTH, command: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://localhost:8080/'] },
          },
        ],
      }),
    );
    expect(mock.commandCalls(RegisterTaskDefinitionCommand)[0]!.args[0].input).toEqual({
      family: `containerizer-toolshare-tests-${APP_ID}`,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '1024',
      memory: '2048',
      runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
      executionRoleArn: 'arn:aws:iam::111122223333:role/containerizer-exec',
      containerDefinitions: [
        {
          name: 'app',
          image: 'public.ecr.aws/docker/library/busybox:1.36',
          essential: true,
          command: ['npm', 'test'],
          // The version's env is in its task definition (RunTask's overrides carry only the run's own).
          environment: [{ name: 'GREETING', value: 'hello' }],
          dependsOn: [
            { containerName: 'db', condition: 'HEALTHY' },
            { containerName: 'web', condition: 'HEALTHY' },
          ],
          stopTimeout: 30,
          linuxParameters: LINUX,
          logConfiguration: LOGS,
        },
        {
          name: 'db',
          image: 'postgres:16',
          essential: true,
          environment: [{ name: 'POSTGRES_PASSWORD', value: 'test' }],
          cpu: 256,
          memory: 512,
          healthCheck: { command: ['CMD-SHELL', 'pg_isready -U postgres'], interval: 5, timeout: 3, retries: 5, startPeriod: 10 },
          stopTimeout: 30,
          linuxParameters: LINUX,
          logConfiguration: LOGS,
        },
        {
          name: 'web',
          image: 'toolshare/web:1',
          essential: true,
          command: ['node', 'server.js'],
          dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }],
          healthCheck: { command: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://localhost:8080/'], interval: 5, timeout: 3, retries: 5, startPeriod: 10 },
          stopTimeout: 30,
          linuxParameters: LINUX,
          logConfiguration: LOGS,
        },
      ],
      tags: [
        { key: 'containerizer:appId', value: APP_ID },
        { key: 'containerizer:appVersion', value: '3' },
        { key: 'containerizer:layout', value: '3' },
      ],
    });
  });
});

describe('taskStateChange with several containers', () => {
  const at = new Date('2024-05-01T12:00:41Z');

  it("records each container, the main one first, with ECS's status, exit code, health and reason", () => {
    const change = taskStateChange(
      RUN_ID,
      TASK_ARN,
      {
        lastStatus: 'RUNNING',
        version: 4,
        containers: [
          { name: 'db', lastStatus: 'RUNNING', healthStatus: 'HEALTHY' },
          { name: 'migrate', lastStatus: 'STOPPED', exitCode: 0, reason: 'done' },
          { name: 'app', lastStatus: 'PENDING', healthStatus: 'UNKNOWN' },
        ],
      },
      at,
    );
    expect(change.containers).toEqual([
      { name: 'app', lastStatus: 'PENDING', healthStatus: 'UNKNOWN' },
      { name: 'db', lastStatus: 'RUNNING', healthStatus: 'HEALTHY' },
      { name: 'migrate', lastStatus: 'STOPPED', exitCode: 0, reason: 'done' },
    ]);
    expect(change.taskFailure).toBeUndefined();
    // One container: the run's own state says it all.
    expect(taskStateChange(RUN_ID, TASK_ARN, { lastStatus: 'RUNNING', containers: [{ name: 'app', lastStatus: 'RUNNING' }] }, at)).not.toHaveProperty(
      'containers',
    );
  });

  it('names the essential sidecar whose exit stopped the task, and no one when the main container ended it', () => {
    const stopped = (app: number | undefined, db: number) => ({
      stopCode: 'EssentialContainerExited',
      containers: [
        { name: 'app', lastStatus: 'STOPPED', ...(app !== undefined && { exitCode: app }) },
        { name: 'db', lastStatus: 'STOPPED', exitCode: db },
      ],
    });
    expect(essentialSidecarFailure(stopped(143, 1))).toBe('Essential container in task exited: "db" exited with code 1');
    expect(essentialSidecarFailure(stopped(undefined, 0))).toBe('Essential container in task exited: "db" exited with code 0');
    expect(essentialSidecarFailure(stopped(0, 143))).toBeUndefined();
    expect(essentialSidecarFailure(stopped(3, 1))).toBeUndefined();
    expect(essentialSidecarFailure(stopped(137, 143))).toBeUndefined();
    expect(essentialSidecarFailure({ ...stopped(143, 1), stopCode: 'UserInitiated' })).toBeUndefined();
  });
});

describe('CloudWatchLogSource.read with ?container=', () => {
  it("reads that container's own awslogs stream, each event naming it", async () => {
    const logs = new CloudWatchLogsClient(CLIENT_CONFIG);
    const mock = mockClient(logs);
    mock.on(GetLogEventsCommand).resolves({ events: [{ timestamp: 1714564841000, message: 'database system is ready' }], nextForwardToken: 'f/1/s' });
    const source = new CloudWatchLogSource({ logs, config: { logGroupName: '/containerizer/runs', logStreamPrefix: 'run' } });
    const page = await source.read(sampleRun({ status: 'RUNNING', taskRef: TASK_ARN }), { limit: 10, container: 'db' });
    expect(mock.commandCalls(GetLogEventsCommand)[0]!.args[0].input).toMatchObject({ logStreamName: `run/db/${TASK_ID}` });
    expect(page.events).toEqual([{ timestamp: 1714564841000, container: 'db', stream: 'stdout', message: 'database system is ready' }]);
  });
});
