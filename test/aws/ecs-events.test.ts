import { describe, it, expect } from 'vitest';
import { toTaskStateChange, type EcsTaskStateChangeEvent } from '../../shared/aws/ecs-events.js';
import { CLUSTER_ARN, RUN_ID, TASK_ARN } from './fixtures.js';

/**
 * A RUNNING "ECS Task State Change" event of a Containerizer task, shaped like the
 * example in the AWS docs ("Amazon ECS task state change events"), extra fields included.
 */
/** The digest ECS reports for the app container's image: every change carries it as the run's imageDigest. */
const IMAGE_DIGEST = 'sha256:74a3c1d3e4b5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1';
const RUNNING_JSON = {
  version: '0',
  id: '3317b2af-7005-947d-b652-f55e762e571a',
  account: '111122223333',
  time: '2024-05-01T12:00:41Z',
  region: 'us-east-1',
  resources: [TASK_ARN],
  detail: {
    attachments: [
      {
        id: '1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8',
        type: 'eni',
        status: 'ATTACHED',
        details: [
          { name: 'subnetId', value: 'subnet-0a1b' },
          { name: 'privateIPv4Address', value: '10.0.1.23' },
        ],
      },
    ],
    availabilityZone: 'us-east-1a',
    clusterArn: CLUSTER_ARN,
    connectivity: 'CONNECTED',
    connectivityAt: '2024-05-01T12:00:12.001Z',
    containers: [
      {
        containerArn: 'arn:aws:ecs:us-east-1:111122223333:container/containerizer/9f1c2b3a/4a5b6c7d',
        lastStatus: 'RUNNING',
        name: 'app',
        image: 'public.ecr.aws/docker/library/busybox:1.36',
        imageDigest: IMAGE_DIGEST,
        runtimeId: '9f1c2b3a4d5e6f708192a3b4c5d6e7f8-1234567890',
        taskArn: TASK_ARN,
        networkInterfaces: [{ attachmentId: '1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8', privateIpv4Address: '10.0.1.23' }],
        cpu: '0',
      },
    ],
    cpu: '512',
    createdAt: '2024-05-01T12:00:05.123Z',
    desiredStatus: 'RUNNING',
    enableExecuteCommand: false,
    ephemeralStorage: { sizeInGiB: 20 },
    group: 'family:containerizer-nightly-report',
    launchType: 'FARGATE',
    lastStatus: 'RUNNING',
    memory: '1024',
    overrides: { containerOverrides: [{ name: 'app', command: ['sh', '-c', 'echo hello; exit 3'] }] },
    platformVersion: '1.4.0',
    pullStartedAt: '2024-05-01T12:00:20.000Z',
    pullStoppedAt: '2024-05-01T12:00:35.000Z',
    startedAt: '2024-05-01T12:00:40.456Z',
    startedBy: RUN_ID,
    taskArn: TASK_ARN,
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:111122223333:task-definition/containerizer-nightly-report:7',
    updatedAt: '2024-05-01T12:00:40.456Z',
    version: 3,
  },
};
const RUNNING: EcsTaskStateChangeEvent = { ...RUNNING_JSON, 'detail-type': 'ECS Task State Change', source: 'aws.ecs' };

type Detail = EcsTaskStateChangeEvent['detail'];

/** RUNNING with `detail` changed; `undefined` in the patch removes a field. */
function event(patch: { [K in keyof Detail]?: Detail[K] | undefined }, time = RUNNING.time): EcsTaskStateChangeEvent {
  const detail = { ...RUNNING.detail, ...patch };
  for (const key of Object.keys(patch) as (keyof Detail)[]) if (patch[key] === undefined) delete detail[key];
  return { ...RUNNING, time, detail };
}

/** The app container after it stopped. */
function stoppedContainer(fields: { exitCode?: number; reason?: string }) {
  return [{ ...RUNNING.detail.containers[0], lastStatus: 'STOPPED', ...fields }];
}

const STOPPED = {
  lastStatus: 'STOPPED',
  desiredStatus: 'STOPPED',
  stoppingAt: '2024-05-01T12:01:02.000Z',
  stoppedAt: '2024-05-01T12:01:12.789Z',
  updatedAt: '2024-05-01T12:01:12.789Z',
  version: 6,
};

describe('toTaskStateChange', () => {
  it('maps PENDING to the creation time', () => {
    const pending = event({
      lastStatus: 'PENDING',
      startedAt: undefined,
      version: 2,
      containers: [{ ...RUNNING.detail.containers[0], lastStatus: 'PENDING' }],
    });
    expect(toTaskStateChange(pending)).toEqual({
      runId: RUN_ID,
      taskRef: TASK_ARN,
      imageDigest: IMAGE_DIGEST,
      lastStatus: 'PENDING',
      at: new Date('2024-05-01T12:00:05.123Z'),
      version: 2,
    });
  });

  it('maps RUNNING to the start time', () => {
    expect(toTaskStateChange(RUNNING)).toEqual({
      runId: RUN_ID,
      taskRef: TASK_ARN,
      imageDigest: IMAGE_DIGEST,
      lastStatus: 'RUNNING',
      at: new Date('2024-05-01T12:00:40.456Z'),
      startedAt: new Date('2024-05-01T12:00:40.456Z'),
      version: 3,
    });
  });

  it('maps STOPPED with exit code 0', () => {
    const stopped = event({
      ...STOPPED,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: stoppedContainer({ exitCode: 0 }),
    });
    expect(toTaskStateChange(stopped)).toEqual({
      runId: RUN_ID,
      taskRef: TASK_ARN,
      imageDigest: IMAGE_DIGEST,
      lastStatus: 'STOPPED',
      exitCode: 0,
      stoppedReason: 'Essential container in task exited',
      startedAt: new Date('2024-05-01T12:00:40.456Z'),
      at: new Date('2024-05-01T12:01:12.789Z'),
      version: 6,
    });
  });

  it('maps STOPPED with exit code 3 when the essential container exited', () => {
    const stopped = event({
      ...STOPPED,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: stoppedContainer({ exitCode: 3 }),
    });
    expect(toTaskStateChange(stopped)).toMatchObject({ lastStatus: 'STOPPED', exitCode: 3, stoppedReason: 'Essential container in task exited' });
  });

  it('takes the exit code of the app container, not of another one', () => {
    const sidecar = { name: 'ecs-service-connect-agent', lastStatus: 'STOPPED', exitCode: 0 };
    const stopped = event({ ...STOPPED, containers: [sidecar, ...stoppedContainer({ exitCode: 3 })] });
    expect(toTaskStateChange(stopped)?.exitCode).toBe(3);
  });

  it('maps a task that failed to start, with no exit code', () => {
    const reason =
      'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ' +
      'public.ecr.aws/docker/library/busybox:nope: public.ecr.aws/docker/library/busybox:nope: not found';
    const failed = event({
      ...STOPPED,
      startedAt: undefined,
      stopCode: 'TaskFailedToStart',
      stoppedReason: reason,
      containers: stoppedContainer({ reason }),
    });
    expect(toTaskStateChange(failed)).toEqual({
      runId: RUN_ID,
      taskRef: TASK_ARN,
      imageDigest: IMAGE_DIGEST,
      lastStatus: 'STOPPED',
      stoppedReason: reason,
      at: new Date('2024-05-01T12:01:12.789Z'),
      version: 6,
    });
  });

  it("flags an OOM kill and adds the container's reason to the generic task reason", () => {
    const oom = event({
      ...STOPPED,
      stopCode: 'EssentialContainerExited',
      stoppedReason: 'Essential container in task exited',
      containers: stoppedContainer({ exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }),
    });
    expect(toTaskStateChange(oom)).toEqual({
      runId: RUN_ID,
      taskRef: TASK_ARN,
      imageDigest: IMAGE_DIGEST,
      lastStatus: 'STOPPED',
      exitCode: 137,
      stoppedReason: 'Essential container in task exited: OutOfMemoryError: Container killed due to memory usage',
      startedAt: new Date('2024-05-01T12:00:40.456Z'),
      oomKilled: true,
      at: new Date('2024-05-01T12:01:12.789Z'),
      version: 6,
    });
  });

  it('keeps the StopTask reason of a stop the platform asked for', () => {
    const stopped = event({
      ...STOPPED,
      stopCode: 'UserInitiated',
      stoppedReason: 'Timed out after 600 s',
      containers: stoppedContainer({ exitCode: 143 }),
    });
    expect(toTaskStateChange(stopped)).toMatchObject({ exitCode: 143, stoppedReason: 'Timed out after 600 s' });
    expect(toTaskStateChange(stopped)).not.toHaveProperty('oomKilled');
  });

  it('falls back to the event time when the task has no timestamps', () => {
    const bare = event({ lastStatus: 'PROVISIONING', createdAt: undefined, startedAt: undefined }, '2024-05-01T12:00:06Z');
    expect(toTaskStateChange(bare)?.at).toEqual(new Date('2024-05-01T12:00:06Z'));
  });

  it('ignores tasks the platform did not start', () => {
    expect(toTaskStateChange(event({ startedBy: 'ecs-svc/1234567890123456789' }))).toBeNull();
    expect(toTaskStateChange(event({ startedBy: undefined }))).toBeNull();
    expect(toTaskStateChange(event({ startedBy: `${RUN_ID}X` }))).toBeNull();
  });
});
