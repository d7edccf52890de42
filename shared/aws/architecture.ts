/**
 * The CPU architecture of the deployment's tasks: one decision, read by the CodeBuild project
 * that builds images (infra/images.ts) and by the task definitions that run them
 * (shared/aws/ecs-task-definitions.ts), so a built image always runs on the architecture it was
 * built for. A task whose architecture differs from its image's fails to start (Fargate: the
 * image has no manifest for the platform, or `exec format error`).
 */

/** Fargate's `runtimePlatform.cpuArchitecture` values (AWS API reference, RuntimePlatform). */
export const CPU_ARCHITECTURES = ['ARM64', 'X86_64'] as const;
export type CpuArchitecture = (typeof CPU_ARCHITECTURES)[number];

/**
 * What CodeBuild builds for and Fargate runs built images on: ARM64 (Graviton), about 20 % cheaper
 * per vCPU-hour and per GB-hour than X86_64 on Fargate (AWS Fargate pricing, us-east-1: $0.03238
 * against $0.04048 per vCPU-hour, $0.00356 against $0.004445 per GB-hour).
 */
export const BUILD_ARCHITECTURE: CpuArchitecture = 'ARM64';

/**
 * An app on an external image that declares no architecture runs as Fargate runs any task whose
 * definition names none, X86_64: images published for amd64 only (still common) keep working, and
 * multi-architecture images work either way. Such an app says `architecture: 'ARM64'` to save.
 */
export const EXTERNAL_IMAGE_DEFAULT_ARCHITECTURE: CpuArchitecture = 'X86_64';
