/** Dev mode's rules for a task of several containers: start order by condition, when the task stops, its state. */
import { describe, expect, it } from 'vitest';
import { planTask, type Member } from '../../local/docker/task-plan.js';

const T1 = '2030-01-01T00:00:01Z';
const T2 = '2030-01-01T00:00:02Z';
const member = (name: string, fields: Partial<Member> = {}): Member => ({
  name,
  id: `id-${name}`,
  essential: true,
  dependsOn: [],
  hasHealthCheck: false,
  status: 'created',
  ...fields,
});
const db = (fields: Partial<Member> = {}) => member('db', { hasHealthCheck: true, status: 'running', startedAt: T1, health: 'starting', ...fields });
const app = (fields: Partial<Member> = {}) => member('app', { dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }], ...fields });

describe('planTask', () => {
  it('waits for HEALTHY, then starts the main container; the task RUNS once it does', () => {
    expect(planTask([app(), db()])).toMatchObject({ start: [], stop: [], lastStatus: 'PROVISIONING' });
    expect(planTask([app(), db({ health: 'healthy' })])).toMatchObject({ start: ['app'], lastStatus: 'PROVISIONING' });
    const running = planTask([app({ status: 'running', startedAt: T2 }), db({ health: 'healthy' })]);
    expect(running).toEqual({
      start: [],
      stop: [],
      lastStatus: 'RUNNING',
      containers: [
        { name: 'app', lastStatus: 'RUNNING' },
        { name: 'db', lastStatus: 'RUNNING', healthStatus: 'HEALTHY' },
      ],
    });
  });

  it.each<[string, Member['dependsOn'][number]['condition'], Partial<Member>, boolean]>([
    ['START: started', 'START', { status: 'running' }, true],
    ['START: not yet', 'START', { status: 'created' }, false],
    ['COMPLETE: exited non-zero', 'COMPLETE', { status: 'exited', exitCode: 1 }, true],
    ['COMPLETE: still running', 'COMPLETE', { status: 'running' }, false],
    ['SUCCESS: exited 0', 'SUCCESS', { status: 'exited', exitCode: 0 }, true],
  ])('starts on %s', (_, condition, target, starts) => {
    const plan = planTask([member('app', { dependsOn: [{ containerName: 'dep', condition }] }), member('dep', { essential: false, ...target })]);
    expect(plan.start.includes('app')).toBe(starts);
  });

  it('starts the container that owns the network before the others', () => {
    const plan = planTask([member('app'), member('cache', { essential: false }), member('db', { holder: true })]);
    expect(plan.start).toEqual(['db', 'app', 'cache']);
  });

  it('fails the task when a dependency can never meet its condition, naming both', () => {
    const unhealthy = planTask([app(), db({ health: 'unhealthy' })]);
    expect(unhealthy).toMatchObject({
      start: [],
      stop: ['db'],
      lastStatus: 'DEACTIVATING',
      taskFailure: 'container "app" cannot start: dependency "db" will never be HEALTHY (its health check failed)',
    });
    const migrate = member('migrate', { essential: false, status: 'exited', exitCode: 2, startedAt: T1, finishedAt: T2 });
    const failed = planTask([member('app', { dependsOn: [{ containerName: 'migrate', condition: 'SUCCESS' }] }), migrate]);
    expect(failed).toMatchObject({ lastStatus: 'STOPPED', taskFailure: expect.stringContaining('"migrate" will never be SUCCESS (it exited with code 2)') });
  });

  it('fails the task when an essential sidecar exits first, and not when it was stopped after the main container', () => {
    const dbExited = planTask([app({ status: 'running', startedAt: T1 }), db({ status: 'exited', exitCode: 1, finishedAt: T1 })]);
    expect(dbExited).toMatchObject({ stop: ['app'], lastStatus: 'DEACTIVATING', taskFailure: 'Essential container in task exited: "db" exited with code 1' });
    const mainFirst = planTask([app({ status: 'exited', exitCode: 0, finishedAt: T1 }), db({ status: 'exited', exitCode: 143, finishedAt: T2 })]);
    expect(mainFirst).toEqual({
      start: [],
      stop: [],
      lastStatus: 'STOPPED',
      containers: [
        { name: 'app', lastStatus: 'STOPPED', exitCode: 0 },
        { name: 'db', lastStatus: 'STOPPED', exitCode: 143, healthStatus: 'UNKNOWN' },
      ],
    });
    // A non-essential sidecar may come and go.
    expect(planTask([member('app', { status: 'running' }), member('job', { essential: false, status: 'exited', exitCode: 1 })])).toMatchObject({
      lastStatus: 'RUNNING',
      stop: [],
    });
  });

  it('stops the sidecars once the main container exited', () => {
    expect(planTask([app({ status: 'exited', exitCode: 3, finishedAt: T1 }), db({ health: 'healthy' })])).toMatchObject({
      stop: ['db'],
      lastStatus: 'DEACTIVATING',
    });
    expect(planTask([app({ status: 'exited', exitCode: 3, finishedAt: T1 }), db({ health: 'healthy' })]).taskFailure).toBeUndefined();
  });
});

describe('planTask while the task is being created', () => {
  it('neither stops nor fails a task whose main container is not created yet', () => {
    expect(planTask([member('web', { holder: true })])).toMatchObject({ start: ['web'], stop: [], lastStatus: 'PROVISIONING' });
  });
});
