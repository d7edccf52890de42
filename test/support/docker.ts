/**
 * The Docker side of the e2e tests: a run's container (found by its run-id label), gates a
 * job waits on, and waiting for the container to be released.
 */
import Docker from 'dockerode';
import { LABELS } from '../../local/docker/docker-events.js';
import { IMAGE, waitFor } from './fixtures.js';

export const docker = new Docker();

/**
 * A shell command that prints each of `lines`, waiting before every line but the first until the
 * test opens the gate /tmp/gate-<n> (see openGate): the job moves when the test says, not on a timer.
 */
export function gatedScript(lines: string[]): string[] {
  const steps = lines.map((line, i) => (i === 0 ? `echo '${line}'` : `until [ -e /tmp/gate-${i} ]; do sleep 0.1; done; echo '${line}'`));
  return ['sh', '-c', steps.join('; ')];
}

/** The containers (any state) of a run. */
export async function containersOf(runId: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABELS.runId}=${runId}`] } });
}

/** The run's one container. @throws Error when it has none. */
export async function containerOf(runId: string): Promise<Docker.Container> {
  const [info] = await containersOf(runId);
  if (!info) throw new Error(`run ${runId} has no container`);
  return docker.getContainer(info.Id);
}

/** Lets a gatedScript job print its line number `n` (1-based after the first): creates /tmp/gate-<n> in its container. */
export async function openGate(runId: string, n: number): Promise<void> {
  const exec = await (await containerOf(runId)).exec({ Cmd: ['touch', `/tmp/gate-${n}`], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise<void>((resolve, reject) => {
    stream.on('end', resolve).on('error', reject).resume();
  });
  const { ExitCode } = await exec.inspect();
  if (ExitCode !== 0) throw new Error(`opening gate ${n} of run ${runId} exited with ${ExitCode}`);
}

/** Waits until the run's container is removed (the platform released it). */
export function waitForRelease(runId: string): Promise<true> {
  return waitFor(async () => ((await containersOf(runId)).length === 0 ? true : undefined), 60_000, `run ${runId}'s container to be removed`);
}

/**
 * A Dockerfile whose RUN step waits until the test touches /tmp/gate in its container (found by the `gate` label, which
 * the build's intermediate containers inherit): a build that ends when the test says (openBuildGate).
 */
export function gatedDockerfile(gate: string, base = `FROM ${IMAGE}`): string {
  return `${base}\nLABEL containerizer.test.gate=${gate}\nRUN until [ -e /tmp/gate ]; do sleep 0.1; done\n`;
}

/** The running build container of a gated Dockerfile, once it runs. */
export function gateContainer(gate: string) {
  return waitFor(
    async () => (await docker.listContainers({ filters: { label: [`containerizer.test.gate=${gate}`], status: ['running'] } }))[0],
    120_000,
    `the build step of gate ${gate}`,
  );
}

/** Lets a gatedDockerfile build finish: creates /tmp/gate in its running build step. */
export async function openBuildGate(gate: string): Promise<void> {
  const exec = await docker.getContainer((await gateContainer(gate)).Id).exec({ Cmd: ['touch', '/tmp/gate'] });
  const stream = await exec.start({});
  await new Promise<void>((resolve, reject) => stream.on('end', resolve).on('error', reject).resume());
}
