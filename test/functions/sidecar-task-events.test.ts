/**
 * "ECS Task State Change" events of a task with several containers, fed to the handler against
 * dynalite: each container's state lands on the run, stale events change nothing, and an essential
 * sidecar's exit fails the run naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EcsContainerState, EcsTaskStateChangeEvent } from '../../shared/aws/ecs-events.js';
import type { CloudPlatform } from '../../shared/cloud-platform.js';
import { taskStateChangeHandler } from '../../shared/lambda/task-state-change.js';
import { createApp, ecsTask, OWNER, startCloud, type Cloud } from './support.js';

let cloud: Cloud;
let platform: CloudPlatform;
let handler: (event: EcsTaskStateChangeEvent) => Promise<void>;

beforeAll(async () => {
  cloud = await startCloud();
  platform = await cloud.platform();
  handler = taskStateChangeHandler(platform);
});
afterAll(() => cloud?.close());

const HEALTH = { command: ['CMD-SHELL', 'pg_isready'], intervalSeconds: 5, timeoutSeconds: 2, retries: 3, startPeriodSeconds: 0 };

/** A run of an app whose main container waits for a healthy `db` sidecar. */
async function launch() {
  const app = await createApp(platform, {
    dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }],
    sidecars: [{ name: 'db', image: 'postgres:16', essential: true, healthCheck: HEALTH }],
  });
  const run = await platform.runs.create(OWNER, app.appId, {});
  return { run, task: ecsTask(run.runId) };
}

/** `event` with these containers (ECS reports every container of the task in each event), and optionally another version. */
function withContainers(event: EcsTaskStateChangeEvent, containers: EcsContainerState[], version = event.detail.version): EcsTaskStateChangeEvent {
  return { ...event, detail: { ...event.detail, containers, version } };
}

describe('task-state-change with several containers', () => {
  it("records each container's status, health and exit code on the run, in event order, and ends with the main container's exit", async () => {
    const { run, task } = await launch();
    await handler(
      withContainers(task.provisioning, [
        { name: 'app', lastStatus: 'PENDING' },
        { name: 'db', lastStatus: 'PENDING' },
      ]),
    );
    // The database runs; its health is not known yet, so the main container waits.
    await handler(
      withContainers(task.running, [
        { name: 'db', lastStatus: 'RUNNING', healthStatus: 'UNKNOWN' },
        { name: 'app', lastStatus: 'PENDING' },
      ]),
    );
    let current = await platform.runs.get(OWNER, run.runId);
    expect(current.status).toBe('RUNNING');
    expect(current.containers).toEqual([
      { name: 'app', lastStatus: 'PENDING' },
      { name: 'db', lastStatus: 'RUNNING', healthStatus: 'UNKNOWN' },
    ]);

    // Same status, newer event: the containers move on; an older event arriving late changes nothing.
    const healthy = [
      { name: 'app', lastStatus: 'RUNNING' },
      { name: 'db', lastStatus: 'RUNNING', healthStatus: 'HEALTHY' },
    ];
    await handler(withContainers(task.running, healthy, 4));
    const stale = [
      { name: 'app', lastStatus: 'PENDING' },
      { name: 'db', lastStatus: 'RUNNING', healthStatus: 'UNKNOWN' },
    ];
    await handler(withContainers(task.pending, stale, 2));
    await handler(withContainers(task.running, stale, 3));
    await handler(withContainers(task.running, stale, 4));
    current = await platform.runs.get(OWNER, run.runId);
    expect(current.containers).toEqual(healthy);
    expect(current.history.map((h) => h.status)).toEqual(['PENDING', 'PROVISIONING', 'RUNNING']);

    await handler(
      withContainers(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 0 }), [
        { name: 'app', lastStatus: 'STOPPED', exitCode: 0 },
        { name: 'db', lastStatus: 'STOPPED', exitCode: 143, healthStatus: 'HEALTHY' },
      ]),
    );
    current = await platform.runs.get(OWNER, run.runId);
    expect(current).toMatchObject({ status: 'SUCCEEDED', exitCode: 0 });
    expect(current.containers).toEqual([
      { name: 'app', lastStatus: 'STOPPED', exitCode: 0 },
      { name: 'db', lastStatus: 'STOPPED', exitCode: 143, healthStatus: 'HEALTHY' },
    ]);
  });

  it('fails the run naming the essential sidecar whose exit stopped the task, whatever the main container did after', async () => {
    const { run, task } = await launch();
    await handler(task.running);
    await handler(
      withContainers(task.stopped({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', exitCode: 143 }), [
        { name: 'app', lastStatus: 'STOPPED', exitCode: 143 },
        { name: 'db', lastStatus: 'STOPPED', exitCode: 1, healthStatus: 'UNHEALTHY' },
      ]),
    );
    const failed = await platform.runs.get(OWNER, run.runId);
    expect(failed).toMatchObject({ status: 'FAILED', exitCode: 143, stoppedReason: 'Essential container in task exited: "db" exited with code 1' });
    expect(failed.containers?.map((c) => [c.name, c.exitCode])).toEqual([
      ['app', 143],
      ['db', 1],
    ]);
  });
});
