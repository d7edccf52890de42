/**
 * The reconciler, run every minute: timeouts, lost launches, and tasks whose events were lost.
 */
import { createCloudPlatform } from '../shared/cloud-platform.js';

const platform = await createCloudPlatform();

/** One sweep of the active runs, asking ECS for each task's state (DescribeTasks). */
export async function handler(): Promise<void> {
  await platform.runs.sweep({ describe: true });
}
