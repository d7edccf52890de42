/**
 * EventBridge "ECS Task State Change" events of the cluster → the runs' state machine.
 */
import { toTaskStateChange, type EcsTaskStateChangeEvent } from '../aws/ecs-events.js';
import type { Platform } from '../services/platform-services.js';
import { withLambdaContext } from './context.js';

/**
 * The task-state-change function's handler: applies one task event to its run; tasks the
 * platform did not start are ignored. Errors propagate so that EventBridge and Lambda retry the
 * event: the status writes are conditional, so a replay changes nothing already applied.
 */
export function taskStateChangeHandler(platform: Pick<Platform, 'runs'>) {
  return withLambdaContext(async (event: EcsTaskStateChangeEvent): Promise<void> => {
    const change = toTaskStateChange(event);
    if (change) await platform.runs.applyTaskStateChange(change);
  });
}
