/**
 * The target of every schedule rule: one fire → one scheduled run.
 */
import type { ScheduledRunInput } from '../aws/eventbridge-scheduler.js';
import type { Platform } from '../services/platform-services.js';
import { withLambdaContext } from './context.js';

/**
 * The scheduled-run function's handler: fires the schedule. The input is what the rule target's
 * InputTransformer renders (see EventBridgeScheduler.put); a redelivered fire carries the same
 * scheduledTime and starts no second run (ScheduleService.fire is idempotent on it).
 */
export function scheduledRunHandler(platform: Pick<Platform, 'schedules'>) {
  return withLambdaContext(async (input: ScheduledRunInput): Promise<void> => {
    await platform.schedules.fire(input.scheduleId, new Date(input.scheduledTime));
  });
}
