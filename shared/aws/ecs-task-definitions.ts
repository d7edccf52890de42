/**
 * Task definitions on ECS: one Fargate revision per app version and image (RunTask cannot
 * override the image), on the architecture its image needs, its containers logging through
 * awslogs in blocking mode; the revisions it supersedes are deregistered.
 */
import {
  ClientException,
  DeregisterTaskDefinitionCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { DROPPED_CAPABILITIES, type App } from '../domain.js';
import { logger } from '../logger.js';
import type { LaunchableApp } from '../ports.js';
import { launchCommand } from '../rules/script-rules.js';
import { EXTERNAL_IMAGE_DEFAULT_ARCHITECTURE, taskArchitecture } from './architecture.js';
import { mainContainerExtras, sidecarDefinitions } from './ecs-containers.js';
import { APP_CONTAINER } from './ecs-events.js';
import type { EcsRuntimeConfig } from './ecs-runtime.js';
import { AwsOperationError } from './errors.js';

/** What TaskDefinitions needs of the runtime's configuration. */
export type TaskDefinitionConfig = Pick<
  EcsRuntimeConfig,
  'executionRoleArn' | 'taskRoleArn' | 'logGroupName' | 'logStreamPrefix' | 'familyPrefix' | 'stopTimeoutSeconds'
>;

/** Tag keys the platform puts on task definitions (appId, appVersion, layout). */
export const TASK_DEFINITION_TAGS = {
  appId: 'containerizer:appId',
  appVersion: 'containerizer:appVersion',
  layout: 'containerizer:layout',
} as const;

/**
 * What a task definition holds, as a tag: '3' = the version's command and env, its CPU architecture
 * and blocking awslogs ('2' had no runtimePlatform and ECS's default log mode; '1' no env), so a
 * revision registered by older code is never reused.
 */
const TASK_DEFINITION_LAYOUT = '3';

/** ECS task-definition family rule: up to 255 letters, numbers, hyphens and underscores. */
const FAMILY_MAX = 255;

/**
 * awslogs delivery mode: `blocking`, so a chatty job waits for the driver instead of losing lines
 * ("nothing lost" holds in the cloud as in dev mode). Since 25 June 2025 ECS defaults to
 * `non-blocking` (AWS docs, "Amazon ECS account settings": default log driver mode), which drops
 * lines once the driver's buffer (`max-buffer-size`, 1 MiB by default) is full.
 */
export const AWSLOGS_MODE = 'blocking';

export { taskArchitecture } from './architecture.js';

/**
 * Registers and finds the task definitions of app versions. Memoized per process, per app
 * version, image and architecture: concurrent starts of a new version register one revision, a
 * failed registration is forgotten.
 */
export class TaskDefinitions {
  private readonly arns = new Map<string, Promise<string>>();

  constructor(
    private readonly ecs: ECSClient,
    private readonly config: TaskDefinitionConfig,
  ) {}

  /**
   * The ARN of the revision for the app's version, registered first when the family's latest is not
   * it; `fresh` forgets the one remembered (it was deregistered).
   */
  arnFor(app: LaunchableApp, options: { fresh?: boolean } = {}): Promise<string> {
    // A version naming a built image launches whichever build it resolves to: the image is part of the key.
    // So are the secret versions a run receives (pinned in the task definition: secrets-manager-vault.ts).
    const key = `${app.appId}#${app.version}#${app.image}#${taskArchitecture(app)}#${JSON.stringify(app.secretRefs ?? [])}`;
    if (options.fresh) this.arns.delete(key);
    let arn = this.arns.get(key);
    if (!arn) {
      arn = this.register(app, !options.fresh);
      this.arns.set(key, arn);
      arn.catch(() => this.arns.delete(key));
    }
    return arn;
  }

  /**
   * Deregisters the ACTIVE revisions of the app's family but `keep` (none: all of them, for a deleted
   * app), oldest first, one at a time: DeregisterTaskDefinition has a low rate of its own (AWS docs,
   * "Request throttling for the Amazon ECS API"). A run already started on a revision goes on (ECS
   * keeps INACTIVE revisions for the tasks that use them). Failures are logged, never thrown.
   */
  async deregisterSuperseded(app: Pick<App, 'appId' | 'name'>, keep?: string): Promise<number> {
    const familyPrefix = familyName(this.config.familyPrefix ?? 'containerizer-', app);
    let deregistered = 0;
    try {
      let nextToken: string | undefined;
      do {
        const page = await this.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix, status: 'ACTIVE', sort: 'ASC', nextToken }));
        nextToken = page.nextToken;
        // familyPrefix matches by prefix: another app's family may start with this one's.
        for (const arn of page.taskDefinitionArns ?? []) {
          if (arn === keep || familyOf(arn) !== familyPrefix) continue;
          await this.ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
          deregistered++;
        }
      } while (nextToken);
    } catch (err) {
      logger.warn('could not deregister superseded task definitions', { appId: app.appId, error: err as Error });
    }
    return deregistered;
  }

  /** The family's latest ACTIVE revision if it was registered for this app version, image and architecture. */
  private async existing(family: string, app: LaunchableApp): Promise<string | undefined> {
    try {
      const out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family, include: ['TAGS'] }));
      const tags = new Map((out.tags ?? []).map((t) => [t.key, t.value]));
      const current =
        tags.get(TASK_DEFINITION_TAGS.appId) === app.appId &&
        tags.get(TASK_DEFINITION_TAGS.appVersion) === String(app.version) &&
        tags.get(TASK_DEFINITION_TAGS.layout) === TASK_DEFINITION_LAYOUT &&
        out.taskDefinition?.containerDefinitions?.[0]?.image === app.image &&
        JSON.stringify(secretRefsOf(out.taskDefinition?.containerDefinitions?.[0])) === JSON.stringify(app.secretRefs ?? []) &&
        (out.taskDefinition?.runtimePlatform?.cpuArchitecture ?? EXTERNAL_IMAGE_DEFAULT_ARCHITECTURE) === taskArchitecture(app);
      return current ? out.taskDefinition?.taskDefinitionArn : undefined;
    } catch (err) {
      // ECS answers a family it has never seen with a ClientException.
      if (err instanceof ClientException) return undefined;
      throw err;
    }
  }

  private async register(app: LaunchableApp, supersede: boolean): Promise<string> {
    const { config } = this;
    const family = familyName(config.familyPrefix ?? 'containerizer-', app);
    const existing = await this.existing(family, app);
    if (existing) return existing;
    // What every container of the task gets.
    const shared: Partial<ContainerDefinition> = {
      ...(config.stopTimeoutSeconds !== undefined && { stopTimeout: config.stopTimeoutSeconds }),
      // As in dev mode: an init process forwards SIGTERM to the command and reaps zombies.
      linuxParameters: { initProcessEnabled: true, capabilities: { drop: [...DROPPED_CAPABILITIES] } },
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': config.logGroupName,
          'awslogs-region': await this.ecs.config.region(),
          'awslogs-stream-prefix': config.logStreamPrefix ?? 'run',
          mode: AWSLOGS_MODE,
        },
      },
    };
    const command = launchCommand(app.command, app.script);
    const out = await this.ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: fargateCpu(app.cpu),
        memory: String(app.memoryMiB),
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: taskArchitecture(app) },
        executionRoleArn: config.executionRoleArn,
        ...(config.taskRoleArn && { taskRoleArn: config.taskRoleArn }),
        containerDefinitions: [
          {
            name: APP_CONTAINER,
            image: app.image,
            essential: true,
            // A script is the interpreter's argv (rules/script-rules.ts): up to 40 KiB of JSON in a 64 KiB task definition.
            ...(command.length > 0 && { command }),
            // The version's env lives here, not in RunTask's 8,192-character overrides.
            ...(Object.keys(app.env).length > 0 && { environment: Object.entries(app.env).map(([name, value]) => ({ name, value })) }),
            // Secret versions by reference: ECS reads their values with the execution role at task start.
            ...(app.secretRefs?.length && { secrets: app.secretRefs }),
            ...mainContainerExtras(app),
            ...shared,
          },
          ...sidecarDefinitions(app, shared),
        ],
        tags: [
          { key: TASK_DEFINITION_TAGS.appId, value: app.appId },
          { key: TASK_DEFINITION_TAGS.appVersion, value: String(app.version) },
          { key: TASK_DEFINITION_TAGS.layout, value: TASK_DEFINITION_LAYOUT },
        ],
      }),
    );
    const arn = out.taskDefinition?.taskDefinitionArn;
    if (!arn)
      throw new AwsOperationError('RegisterTaskDefinition', `RegisterTaskDefinition returned no taskDefinitionArn for app ${app.appId} version ${app.version}`);
    // Older revisions of the family are superseded; a later launch of an older version registers it again (EcsRuntime.start),
    // without deregistering the newer one in turn.
    // Awaited (a family holds one older revision, two calls), so no call outlives the invocation; it never throws.
    if (supersede) await this.deregisterSuperseded(app, arn);
    return arn;
  }
}

/**
 * The task-definition family of an app: `<prefix><name>-<appId>` (app names are unique per
 * owner only, the id makes the family the app's own). Characters ECS does not allow become
 * '-', cut to 255 keeping the id.
 */
export function familyName(prefix: string, app: Pick<App, 'name' | 'appId'>): string {
  const suffix = `-${app.appId}`;
  return `${prefix}${app.name}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, FAMILY_MAX - suffix.length) + suffix;
}

/** A container definition's `secrets` as LaunchableApp.secretRefs holds them. */
function secretRefsOf(container: ContainerDefinition | undefined): { name: string; valueFrom: string }[] {
  return (container?.secrets ?? []).map((secret) => ({ name: secret.name!, valueFrom: secret.valueFrom! }));
}

/** `family` of `arn:aws:ecs:…:task-definition/<family>:<revision>`. */
function familyOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1, arn.lastIndexOf(':'));
}

/** vCPU → ECS CPU units (1 vCPU = 1024 units), as the string ECS expects. */
function fargateCpu(vcpu: number): string {
  return String(Math.round(vcpu * 1024));
}
