/** Sample domain objects, AWS's documented limits, an enforcing ECS mock and an HTTP stub for the AWS adapter tests. */
import {
  ClientException,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsRuntime, type EcsRuntimeConfig } from '../../shared/aws/ecs-runtime.js';
import type { Run } from '../../shared/domain.js';
import type { LaunchableApp } from '../../shared/ports.js';

export const RUN_ID = '01HZX3K4M5N6P7Q8R9S0T1V2W3';
export const APP_ID = '01HZX2A1B2C3D4E5F6G7H8J9K0';
export const CLUSTER_ARN = 'arn:aws:ecs:us-east-1:111122223333:cluster/containerizer';
export const TASK_ID = '9f1c2b3a4d5e6f708192a3b4c5d6e7f8';
export const TASK_ARN = `arn:aws:ecs:us-east-1:111122223333:task/containerizer/${TASK_ID}`;

/** Static credentials and region, so clients sign requests without looking anything up. */
export const CLIENT_CONFIG = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
};

/** An app at version 3 with 0.5 vCPU, 1 GiB. */
export function sampleApp(overrides: Partial<LaunchableApp> = {}): LaunchableApp {
  return {
    appId: APP_ID,
    ownerId: 'user-1',
    name: 'nightly-report',
    image: 'public.ecr.aws/docker/library/busybox:1.36',
    command: ['sh', '-c', 'echo hello'],
    env: { GREETING: 'hello' },
    cpu: 0.5,
    memoryMiB: 1024,
    timeoutSeconds: 600,
    retry: { maxAttempts: 1 },
    version: 3,
    createdAt: '2024-05-01T10:00:00.000Z',
    updatedAt: '2024-05-01T11:00:00.000Z',
    updatedBy: 'user-1',
    ...overrides,
  };
}

/** A run of sampleApp() version 3, as the service hands it to the runtime before launch. */
export function sampleRun(overrides: Partial<Run> = {}): Run {
  return {
    runId: RUN_ID,
    appId: APP_ID,
    appName: 'nightly-report',
    ownerId: 'user-1',
    appVersion: 3,
    image: 'public.ecr.aws/docker/library/busybox:1.36',
    command: ['sh', '-c', 'echo hello; exit 3'],
    env: { GREETING: 'hello', API_TOKEN: 's3cr3t' },
    cpu: 0.5,
    memoryMiB: 1024,
    timeoutSeconds: 600,
    status: 'PENDING',
    trigger: 'manual',
    attempt: 1,
    retry: { maxAttempts: 1 },
    createdAt: '2024-05-01T12:00:00.000Z',
    history: [{ status: 'PENDING', at: '2024-05-01T12:00:00.000Z' }],
    ...overrides,
  };
}

/** One canned HTTP response of an awsJson1_1 service (ECS, EventBridge, CloudWatch Logs). */
export interface CannedResponse {
  statusCode: number;
  body: unknown;
}

/**
 * A requestHandler for an SDK client that answers with `responses` in order and records the
 * request bodies, so the client's real middleware (serialization, signing, retry) runs.
 */
export function stubHttp(responses: CannedResponse[]) {
  const requests: { target: string; body: unknown }[] = [];
  const handler = {
    async handle(request: { headers: Record<string, string>; body?: string | Uint8Array }) {
      const text = typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body);
      requests.push({ target: request.headers['x-amz-target'] ?? '', body: JSON.parse(text) });
      const next = responses.shift();
      if (!next) throw new Error('stubHttp: no response left');
      return {
        response: {
          statusCode: next.statusCode,
          headers: { 'content-type': 'application/x-amz-json-1.1' },
          body: new TextEncoder().encode(JSON.stringify(next.body)),
        },
      };
    },
  };
  return { handler, requests };
}

/** The body AWS JSON services send when they throttle a call. */
export const THROTTLED: CannedResponse = {
  statusCode: 400,
  body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
};

/**
 * AWS's documented refusals, for mocks that must refuse what AWS refuses. Each returns the error
 * AWS would answer with, or undefined when AWS accepts the call.
 */
/** ECS's task definition size limit, bytes. */
export const TASK_DEFINITION_MAX_BYTES = 65_536;

export const awsLimits = {
  /** RunTask: `overrides`, JSON formatting included, up to 8,192 characters (AWS API reference, RunTask). */
  runTaskOverrides(overrides: unknown): Error | undefined {
    const size = JSON.stringify(overrides ?? {}).length;
    if (size <= 8192) return undefined;
    return awsError('InvalidParameterException', `Container Overrides length must be at most 8192 (was ${size})`);
  },
  /** RegisterTaskDefinition: the task definition up to 64 KiB (AWS docs, "Amazon ECS service quotas": task definition size). */
  taskDefinitionSize(input: unknown): Error | undefined {
    const bytes = Buffer.byteLength(JSON.stringify(input));
    return bytes > TASK_DEFINITION_MAX_BYTES ? awsError('ClientException', `Task definition size ${bytes} exceeds 64 KiB`) : undefined;
  },
  /** DescribeTasks: at most 100 task ids per call (AWS API reference, DescribeTasks `tasks`). */
  describeTasksIds(ids: readonly string[] | undefined): Error | undefined {
    return (ids?.length ?? 0) > 100 ? awsError('InvalidParameterException', 'Tasks cannot be longer than 100 elements') : undefined;
  },
  /** EventBridge: 300 rules per event bus by default (AWS docs, "Amazon EventBridge quotas"). */
  RULES_PER_BUS: 300,
};

/** An error shaped as the SDK's deserialized service exceptions: `name` is AWS's error code. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

/** Resolves after `ms` (a mock's latency, standing for AWS's round trip). */
export const latency = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The task definition ARN the enforcing ECS mock answers with. */
export const TASK_DEF_ARN = 'arn:aws:ecs:us-east-1:111122223333:task-definition/containerizer-nightly-report:1';

/**
 * An EcsRuntime over a mocked ECS that refuses what ECS refuses (task definitions over 64 KiB,
 * RunTask overrides over 8,192 characters), knows no task-definition family yet, and starts
 * TASK_ARN. `config` overrides the runtime's settings.
 */
export function enforcingEcs(config: Partial<EcsRuntimeConfig> = {}) {
  const ecs = new ECSClient(CLIENT_CONFIG);
  const mock = mockClient(ecs);
  mock.on(DescribeTaskDefinitionCommand).rejects(new ClientException({ message: 'Unable to describe task definition.', $metadata: {} }));
  mock.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => {
    const refused = awsLimits.taskDefinitionSize(input);
    if (refused) throw refused;
    return { taskDefinition: { taskDefinitionArn: TASK_DEF_ARN } };
  });
  mock.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => {
    const refused = awsLimits.runTaskOverrides(input.overrides);
    if (refused) throw refused;
    return { tasks: [{ taskArn: TASK_ARN }], failures: [] };
  });
  const runtime = new EcsRuntime({
    ecs,
    config: {
      clusterArn: CLUSTER_ARN,
      subnetIds: ['subnet-0a1b'],
      securityGroupIds: ['sg-0e3f'],
      assignPublicIp: true,
      executionRoleArn: 'arn:aws:iam::111122223333:role/containerizer-exec',
      logGroupName: '/containerizer/runs',
      ...config,
    },
  });
  return { mock, runtime };
}
