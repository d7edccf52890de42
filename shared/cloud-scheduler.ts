/**
 * The cloud's schedule triggers (EventBridge Scheduler), built when first used (cloud-platform.ts):
 * only the api and the reconciler ever put or remove a trigger.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { EventBridgeScheduler } from './aws/eventbridge-scheduler.js';
import type { CloudConfig } from './cloud-config.js';

/** The scheduler of the function's schedule group (readCloudConfig's scheduler: throws ConfigurationError naming a missing variable). */
export function cloudScheduler(config: CloudConfig, events: EventBridgeClient): EventBridgeScheduler {
  const { rulePrefix, ...settings } = config.scheduler;
  return new EventBridgeScheduler({
    scheduler: new SchedulerClient(config.aws),
    config: { ...settings, ...(rulePrefix && { legacyRules: { events, rulePrefix } }) },
  });
}
