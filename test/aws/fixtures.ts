/** Sample domain objects, AWS's documented limits, an enforcing ECS mock and an HTTP stub for the AWS adapter tests. */
import { createHash } from 'node:crypto';
import {
  ClientException,
  ConflictException,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type RegisterTaskDefinitionCommandInput,
  type RunTaskCommandInput,
  type RunTaskCommandOutput,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { BUILD_ARCHITECTURE, type CpuArchitecture } from '../../shared/aws/architecture.js';
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

/** The task definition ARN the enforcing ECS mock answers with (revision 1; the next registrations of the family count up). */
export const TASK_DEF_ARN = 'arn:aws:ecs:us-east-1:111122223333:task-definition/containerizer-nightly-report:1';

/** The ECR repository the platform's builds are pushed to, as the mocks know it: every image in it was built for BUILD_ARCHITECTURE only. */
export const BUILT_REPOSITORY = '111122223333.dkr.ecr.us-east-1.amazonaws.com/containerizer-images';

/** An external image published for amd64 only (many are). */
export const AMD64_ONLY_IMAGE = 'registry.example.com/legacy/report-tool:2.1';

/**
 * The architectures an image has manifests for: the platform's builds, BUILD_ARCHITECTURE alone
 * (CodeBuild builds one); AMD64_ONLY_IMAGE, X86_64; any other (busybox, python…), both.
 */
export function imageArchitectures(image: string): CpuArchitecture[] {
  if (image.startsWith(`${BUILT_REPOSITORY}:`)) return [BUILD_ARCHITECTURE];
  if (image === AMD64_ONLY_IMAGE) return ['X86_64'];
  return ['X86_64', 'ARM64'];
}

/** ECS's RunTask failure reason when the account's Fargate vCPU quota is reached (as ECS words it). */
export const VCPU_QUOTA_REASON =
  "You've reached the limit on the number of vCPUs you can run concurrently. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.";

/**
 * What Fargate enforces on one account and Region, for the ECS mocks: the launch token bucket
 * (`burst` tasks, refilled at `perSecond`: AWS docs, "AWS Fargate throttling quotas"; over it,
 * RunTask throws ThrottlingException "Rate exceeded"), the vCPU quota (a launch past it starts
 * nothing and reports VCPU_QUOTA_REASON in `failures[]`), and RunTask's clientToken (the same token
 * with other parameters is a ConflictException naming the tasks it started: AWS docs, "Ensuring
 * idempotency"). A task holds its vCPUs until `stop`. `now` (ms) is injectable.
 */
export class FargateAccount {
  /** vCPUs of each task that has not stopped. */
  readonly running = new Map<string, number>();
  /** Launches refused, by kind, and tasks started. */
  readonly counts = { throttled: 0, quota: 0, conflicts: 0, started: 0 };
  private tokens: number;
  private last: number;
  private readonly clientTokens = new Map<string, { request: string; output: RunTaskCommandOutput }>();

  constructor(
    readonly vcpuQuota = 64,
    private readonly rate = { burst: 100, perSecond: 20 },
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = rate.burst;
    this.last = now();
  }

  /** vCPUs the running tasks hold. */
  get vcpusInUse(): number {
    return [...this.running.values()].reduce((a, b) => a + b, 0);
  }

  /**
   * RunTask as Fargate answers it: `start()` makes the task (its ARN) once the call is admitted.
   * @throws ThrottlingException over the bucket, ConflictException for a reused clientToken.
   */
  runTask(input: RunTaskCommandInput, vcpus: number, start: () => string): RunTaskCommandOutput {
    const at = this.now();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((at - this.last) / 1000) * this.rate.perSecond);
    this.last = at;
    if (this.tokens < 1) {
      this.counts.throttled++;
      throw awsError('ThrottlingException', 'Rate exceeded');
    }
    this.tokens -= 1;
    const { clientToken, ...request } = input;
    const digest = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    const earlier = clientToken ? this.clientTokens.get(clientToken) : undefined;
    if (earlier && earlier.request !== digest) {
      this.counts.conflicts++;
      throw new ConflictException({
        message: 'The specified client token has already been used in a RunTask request with different parameters.',
        resourceIds: (earlier.output.tasks ?? []).map((t) => t.taskArn!),
        $metadata: { httpStatusCode: 400 },
      });
    }
    if (earlier) return earlier.output;
    let output: RunTaskCommandOutput;
    if (this.vcpusInUse + vcpus > this.vcpuQuota) {
      this.counts.quota++;
      output = { tasks: [], failures: [{ arn: input.taskDefinition, reason: VCPU_QUOTA_REASON }], $metadata: {} };
    } else {
      const taskArn = start();
      this.running.set(taskArn, vcpus);
      this.counts.started++;
      output = { tasks: [{ taskArn }], failures: [], $metadata: {} };
    }
    if (clientToken) this.clientTokens.set(clientToken, { request: digest, output });
    return output;
  }

  /** The task stopped: its vCPUs are free. */
  stop(taskArn: string): void {
    this.running.delete(taskArn);
  }
}

/** The runtime settings of the enforcing mock's EcsRuntime (a public subnet, the sample roles and log group). */
export const RUNTIME_CONFIG: EcsRuntimeConfig = {
  clusterArn: CLUSTER_ARN,
  subnetIds: ['subnet-0a1b'],
  securityGroupIds: ['sg-0e3f'],
  assignPublicIp: true,
  executionRoleArn: 'arn:aws:iam::111122223333:role/containerizer-exec',
  logGroupName: '/containerizer/runs',
};

/** A task definition as the enforcing mock keeps it: its input, status and ARN. */
interface KeptTaskDefinition {
  arn: string;
  input: RegisterTaskDefinitionCommandInput;
  status: 'ACTIVE' | 'INACTIVE';
}

/**
 * An EcsRuntime over a mocked ECS that refuses what ECS refuses: task definitions over 64 KiB,
 * RunTask overrides over 8,192 characters, RunTask on an INACTIVE revision, Fargate's launch rate,
 * vCPU quota and clientToken rules (`account`, a FargateAccount). It keeps the revisions it
 * registers (revisions count up per family; ListTaskDefinitions, DescribeTaskDefinition and
 * DeregisterTaskDefinition see them) and the tasks it starts (ListTasks by startedBy and
 * DescribeTasks see them). A task whose architecture (its revision's runtimePlatform, X86_64 when
 * unset, as Fargate) is not among its image's (imageArchitectures) stops at once, as on Fargate:
 * CannotPullContainerError, no manifest for the platform. `config` overrides the runtime's
 * settings.
 */
export function enforcingEcs(config: Partial<EcsRuntimeConfig> = {}, options: { account?: FargateAccount } = {}) {
  const ecs = new ECSClient(CLIENT_CONFIG);
  const mock = mockClient(ecs);
  const account = options.account ?? new FargateAccount();
  const definitions = new Map<string, KeptTaskDefinition>();
  const tasks = new Map<string, Task>();
  const familyOf = (arnOrFamily: string) => arnOrFamily.replace(/^.*task-definition\//, '').replace(/:\d+$/, '');
  mock.on(RegisterTaskDefinitionCommand).callsFake((input: RegisterTaskDefinitionCommandInput) => {
    const refused = awsLimits.taskDefinitionSize(input);
    if (refused) throw refused;
    const revision = [...definitions.values()].filter((d) => familyOf(d.arn) === input.family).length + 1;
    const arn =
      input.family === 'containerizer-nightly-report' && revision === 1
        ? TASK_DEF_ARN
        : `arn:aws:ecs:us-east-1:111122223333:task-definition/${input.family}:${revision}`;
    definitions.set(arn, { arn, input, status: 'ACTIVE' });
    return { taskDefinition: { taskDefinitionArn: arn, ...input } };
  });
  mock.on(DescribeTaskDefinitionCommand).callsFake(({ taskDefinition }: { taskDefinition: string }) => {
    const active = [...definitions.values()].filter((d) => d.status === 'ACTIVE' && (d.arn === taskDefinition || familyOf(d.arn) === taskDefinition));
    const latest = active.at(-1);
    if (!latest) throw new ClientException({ message: 'Unable to describe task definition.', $metadata: {} });
    return { taskDefinition: { taskDefinitionArn: latest.arn, ...latest.input }, tags: latest.input.tags };
  });
  mock.on(ListTaskDefinitionsCommand).callsFake(({ familyPrefix = '', status = 'ACTIVE' }) => ({
    taskDefinitionArns: [...definitions.values()].filter((d) => d.status === status && familyOf(d.arn).startsWith(familyPrefix)).map((d) => d.arn),
  }));
  mock.on(DeregisterTaskDefinitionCommand).callsFake(({ taskDefinition }: { taskDefinition: string }) => {
    const kept = definitions.get(taskDefinition);
    if (!kept) throw new ClientException({ message: 'The specified task definition does not exist.', $metadata: {} });
    kept.status = 'INACTIVE';
    return { taskDefinition: { taskDefinitionArn: kept.arn, status: 'INACTIVE' } };
  });
  const runTask = (input: RunTaskCommandInput): RunTaskCommandOutput => {
    const refused = awsLimits.runTaskOverrides(input.overrides);
    if (refused) throw refused;
    const definition = definitions.get(input.taskDefinition!);
    if (!definition) throw new ClientException({ message: 'Unable to describe task definition.', $metadata: {} });
    if (definition.status === 'INACTIVE') throw new ClientException({ message: 'TaskDefinition is inactive', $metadata: {} });
    const vcpus = Number(definition.input.cpu) / 1024;
    return account.runTask(input, vcpus, () => {
      // The first task of RUN_ID is TASK_ARN, as the tests expect; any other gets an id of its own.
      const taskArn =
        input.startedBy === RUN_ID && !tasks.has(TASK_ARN)
          ? TASK_ARN
          : `arn:aws:ecs:us-east-1:111122223333:task/containerizer/${createHash('sha256').update(`${input.clientToken}`).digest('hex').slice(0, 32)}`;
      const architecture = definition.input.runtimePlatform?.cpuArchitecture ?? 'X86_64';
      const image = definition.input.containerDefinitions![0]!.image!;
      const runs = imageArchitectures(image).includes(architecture as CpuArchitecture);
      const platform = architecture === 'ARM64' ? 'linux/arm64' : 'linux/amd64';
      tasks.set(taskArn, {
        taskArn,
        startedBy: input.startedBy,
        taskDefinitionArn: definition.arn,
        version: 1,
        ...(runs
          ? { lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', containers: [{ name: 'app', lastStatus: 'PENDING' }] }
          : {
              lastStatus: 'STOPPED',
              desiredStatus: 'STOPPED',
              stopCode: 'TaskFailedToStart',
              stoppedReason: `CannotPullContainerError: pull image manifest has been retried 7 time(s): image Manifest does not contain descriptor matching platform '${platform}'`,
              containers: [{ name: 'app', lastStatus: 'STOPPED' }],
            }),
      });
      if (!runs) account.stop(taskArn);
      return taskArn;
    });
  };
  mock.on(RunTaskCommand).callsFake(runTask);
  mock.on(ListTasksCommand).callsFake(({ startedBy }: { startedBy?: string }) => ({
    taskArns: [...tasks.values()].filter((t) => t.desiredStatus === 'RUNNING' && (!startedBy || t.startedBy === startedBy)).map((t) => t.taskArn!),
  }));
  mock.on(DescribeTasksCommand).callsFake(({ tasks: arns = [] }: { tasks?: string[] }) => {
    const refused = awsLimits.describeTasksIds(arns);
    if (refused) throw refused;
    return {
      tasks: arns.filter((arn) => tasks.has(arn)).map((arn) => tasks.get(arn)!),
      failures: arns.filter((arn) => !tasks.has(arn)).map((arn) => ({ arn, reason: 'MISSING' })),
    };
  });
  const runtime = new EcsRuntime({ ecs, config: { ...RUNTIME_CONFIG, ...config } });
  return { mock, runtime, account, definitions, tasks, runTask };
}
