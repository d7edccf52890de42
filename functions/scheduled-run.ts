/**
 * The target of every schedule rule: one fire → one scheduled run.
 */
import type { ScheduledRunInput } from '../shared/aws/eventbridge-scheduler.js';
import { createCloudPlatform } from '../shared/cloud-platform.js';

const platform = await createCloudPlatform();

/**
 * Fires the schedule. The input is what the rule target's InputTransformer renders (see
 * EventBridgeScheduler.put); a redelivered fire carries the same scheduledTime and starts no
 * second run (ScheduleService.fire is idempotent on it).
 */
export async function handler(input: ScheduledRunInput): Promise<void> {
  await platform.schedules.fire(input.scheduleId, new Date(input.scheduledTime));
}
