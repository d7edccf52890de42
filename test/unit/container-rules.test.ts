/** The pure rules of a task's several containers: what makes them one valid Fargate task. */
import { describe, expect, it } from 'vitest';
import type { Sidecar } from '../../shared/domain.js';
import { ClientError } from '../../shared/errors.js';
import { MAX_COMMAND_BYTES, MAX_ENV_BYTES } from '../../shared/item-limits.js';
import { checkContainers, containerErrors, dependencyCycle, taskContainers, type ContainersSpec } from '../../shared/rules/container-rules.js';

const healthCheck = { command: ['CMD-SHELL', 'true'], intervalSeconds: 5, timeoutSeconds: 2, retries: 3, startPeriodSeconds: 0 };
const sidecar = (name: string, fields: Partial<Sidecar> = {}): Sidecar => ({ name, image: 'postgres:16', essential: true, ...fields });
const spec = (fields: Partial<ContainersSpec> = {}): ContainersSpec => ({ cpu: 1, memoryMiB: 2048, ...fields });
const fields = (s: ContainersSpec) => containerErrors(s).map((e) => e.field);

describe('containerErrors', () => {
  it('accepts the ToolShare task: web and tests after a healthy database, a migration that must succeed', () => {
    const ok = spec({
      dependsOn: [
        { containerName: 'db', condition: 'HEALTHY' },
        { containerName: 'migrate', condition: 'SUCCESS' },
      ],
      sidecars: [
        sidecar('db', { healthCheck, cpu: 0.25, memoryMiB: 512 }),
        sidecar('migrate', { essential: false, dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] }),
        sidecar('web', { dependsOn: [{ containerName: 'migrate', condition: 'COMPLETE' }] }),
      ],
    });
    expect(containerErrors(ok)).toEqual([]);
    expect(() => checkContainers(ok)).not.toThrow();
    expect(containerErrors(spec())).toEqual([]);
  });

  it('names an unknown container, a self-dependency and a name taken twice or by the main container', () => {
    expect(fields(spec({ dependsOn: [{ containerName: 'nope', condition: 'START' }] }))).toEqual(['dependsOn.0.containerName']);
    expect(fields(spec({ sidecars: [sidecar('db', { dependsOn: [{ containerName: 'db', condition: 'START' }] })] }))).toEqual([
      'sidecars.0.dependsOn.0.containerName',
    ]);
    expect(fields(spec({ sidecars: [sidecar('db'), sidecar('db')] }))).toEqual(['sidecars.1.name']);
    expect(containerErrors(spec({ sidecars: [sidecar('app')] }))).toEqual([{ field: 'sidecars.0.name', message: '"app" is the main container\'s name' }]);
  });

  it('refuses HEALTHY on a container without a health check, and COMPLETE/SUCCESS on an essential one', () => {
    const errors = containerErrors(
      spec({
        dependsOn: [
          { containerName: 'db', condition: 'HEALTHY' },
          { containerName: 'db', condition: 'SUCCESS' },
          { containerName: 'db', condition: 'COMPLETE' },
          { containerName: 'db', condition: 'START' },
        ],
        sidecars: [sidecar('db')],
      }),
    );
    expect(errors).toEqual([
      { field: 'dependsOn.0.condition', message: 'HEALTHY needs a healthCheck on "db"' },
      { field: 'dependsOn.1.condition', message: expect.stringContaining('SUCCESS cannot be set on an essential container ("db")') },
      { field: 'dependsOn.2.condition', message: expect.stringContaining('COMPLETE cannot be set on an essential container') },
    ]);
    // The main container is always essential.
    expect(fields(spec({ sidecars: [sidecar('db', { dependsOn: [{ containerName: 'app', condition: 'COMPLETE' }] })] }))).toEqual([
      'sidecars.0.dependsOn.0.condition',
    ]);
  });

  it('finds cycles, through the main container too', () => {
    const cyclic = spec({
      dependsOn: [{ containerName: 'a', condition: 'START' }],
      sidecars: [
        sidecar('a', { dependsOn: [{ containerName: 'b', condition: 'START' }] }),
        sidecar('b', { dependsOn: [{ containerName: 'app', condition: 'START' }] }),
      ],
    });
    expect(containerErrors(cyclic)).toEqual([{ field: 'dependsOn', message: 'dependsOn makes a cycle: app → a → b → app' }]);
    expect(
      dependencyCycle(taskContainers({ sidecars: [sidecar('a'), sidecar('b', { dependsOn: [{ containerName: 'a', condition: 'START' }] })] })),
    ).toBeUndefined();
  });

  it("refuses more containers than a Fargate task holds (10), and sidecars that take the whole task's cpu or memory", () => {
    const nine = Array.from({ length: 9 }, (_, i) => sidecar(`s${i}`));
    expect(fields(spec({ sidecars: nine }))).toEqual([]);
    expect(fields(spec({ sidecars: [...nine, sidecar('s9')] }))).toEqual(['sidecars']);
    expect(containerErrors(spec({ sidecars: [sidecar('a', { cpu: 0.5 }), sidecar('b', { cpu: 0.5, memoryMiB: 2048 })] }))).toEqual([
      { field: 'sidecars.1.cpu', message: "the sidecars reserve 1 vCPU of the task's 1: the main container needs some" },
      { field: 'sidecars.1.memoryMiB', message: "the sidecars reserve 2048 MiB of the task's 2048: the main container needs some" },
    ]);
  });

  it("keeps every container's env and command together within a run item's share (item-limits.ts), naming the field that crosses it", () => {
    const half = (key: string) => ({ [key]: 'x'.repeat(MAX_ENV_BYTES / 2) });
    expect(fields(spec({ env: half('A'), sidecars: [sidecar('db', { env: half('B') })] }))).toEqual(['sidecars.0.env']);
    expect(fields(spec({ env: half('A'), sidecars: [sidecar('db', { env: { B: 'x'.repeat(MAX_ENV_BYTES / 2 - 2) } })] }))).toEqual([]);
    const args = ['y'.repeat(MAX_COMMAND_BYTES / 2)];
    expect(fields(spec({ command: args, sidecars: [sidecar('db', { command: args }), sidecar('web', { command: ['z'] })] }))).toEqual(['sidecars.1.command']);
  });

  it('throws a 400 with every field error', () => {
    const bad = spec({ dependsOn: [{ containerName: 'x', condition: 'START' }], sidecars: [sidecar('app')] });
    try {
      checkContainers(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ClientError);
      expect((err as ClientError).status).toBe(400);
      expect((err as ClientError).errors?.map((e) => e.field)).toEqual(['sidecars.0.name', 'dependsOn.0.containerName']);
    }
  });
});
