/**
 * Where secrets meet the backends without the run service knowing them: a ContainerRuntime that adds a
 * run's secrets to its launch (SecretService.forLaunch, then the vault's inject), and a LogSource that
 * masks the values of the secret versions a run received in every page it reads (plain reads and follows).
 */
import type { ContainerRuntime, LaunchableApp, LogSource, RunLaunch, TaskRef } from '../ports.js';
import type { SecretVault } from '../secret-vault.js';
import { maskLogEvents } from '../rules/secret-rules.js';
import type { SecretService } from './secrets.js';

/** Does the app reference any secret? */
const hasSecrets = (app: Pick<LaunchableApp, 'secrets'>) => Object.keys(app.secrets ?? {}).length > 0;

/**
 * `runtime`, with each launch of a run whose app references secrets given them: their versions are
 * pinned on the run, then the vault adds them to the launch. Such an app is prepared at start, with its
 * secrets (the cloud's task definition names them), not before. Everything else passes through.
 * @throws from start: an Error naming a secret that is gone (the run fails to launch, saying so).
 */
export function withSecrets(runtime: ContainerRuntime, secrets: SecretService, vault: SecretVault | undefined): ContainerRuntime {
  // Every other method is the runtime's own, called on it (its state stays its own).
  const bound = <K extends keyof ContainerRuntime>(name: K) => {
    const method = runtime[name];
    return typeof method === 'function' ? { [name]: method.bind(runtime) } : {};
  };
  return {
    ...bound('checkLaunch'),
    ...bound('describeAll'),
    ...bound('retire'),
    ...bound('release'),
    ...bound('inspectImage'),
    stop: runtime.stop.bind(runtime),
    kill: runtime.kill.bind(runtime),
    describe: runtime.describe.bind(runtime),
    capacity: runtime.capacity,
    prepare: (app: LaunchableApp) => (hasSecrets(app) ? Promise.resolve() : runtime.prepare(app)),
    async start(launch: RunLaunch): Promise<TaskRef> {
      if (!hasSecrets(launch.run)) return runtime.start(launch);
      if (!vault) throw new Error('the app references secrets, and this deployment keeps none');
      const injected = await vault.inject(launch, await secrets.forLaunch(launch.run));
      await runtime.prepare(injected.app);
      return runtime.start(injected);
    },
  };
}

/**
 * `logs`, with each page's messages masked for the run's secrets (SecretService.maskerOf, rules/secret-rules.ts
 * maskLogEvents): each event, and the pieces of a line split across events as that one line. A page read from a
 * cursor may begin with the rest of a line split at the page before: its first events are masked at their start
 * for what may be the end of a value, as a line still open at the page's end is at its tail.
 */
export function maskedLogs(logs: LogSource, secrets: SecretService): LogSource {
  return {
    async read(run, options) {
      const [page, mask] = await Promise.all([logs.read(run, options), secrets.maskerOf(run)]);
      return { ...page, events: maskLogEvents(page.events, mask, options.cursor !== undefined) };
    },
  };
}
