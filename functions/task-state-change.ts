/** ECS task state changes → runs (shared/lambda/task-state-change.ts); the platform is built once per cold start. */
import { createCloudPlatform } from '../shared/cloud-platform.js';
import { taskStateChangeHandler } from '../shared/lambda/task-state-change.js';

export const handler = taskStateChangeHandler(await createCloudPlatform(process.env));
