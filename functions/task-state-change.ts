/**
 * EventBridge "ECS Task State Change" events of the cluster → the runs' state machine.
 */
import { toTaskStateChange, type EcsTaskStateChangeEvent } from '../shared/aws/ecs-events.js';
import { createCloudPlatform } from '../shared/cloud-platform.js';

const platform = await createCloudPlatform();

/**
 * Applies one task event to its run; tasks the platform did not start are ignored. Errors
 * propagate so that EventBridge and Lambda retry the event: the status writes are conditional,
 * so a replay changes nothing that was already applied.
 */
export async function handler(event: EcsTaskStateChangeEvent): Promise<void> {
  const change = toTaskStateChange(event);
  if (change) await platform.runs.applyTaskStateChange(change);
}
