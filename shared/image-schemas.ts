/**
 * Images built from source: request and response schemas (zod, with OpenAPI metadata) and
 * the build vocabulary. The build context's limits and checks are shared/build-context.ts's;
 * the scan shape is shared/image-scan.ts's, mirrored here for the API document.
 */
import { z } from '@hono/zod-openapi';
import { MAX_FILES } from './build-context.js';
import { SEVERITIES } from './image-scan.js';
import { envBytes, MAX_BUILD_ARGS_BYTES } from './item-limits.js';

/** A build's lifecycle, forward only: QUEUED → BUILDING → BUILT | FAILED. */
export const BUILD_STATUSES = ['QUEUED', 'BUILDING', 'BUILT', 'FAILED'] as const;
export type BuildStatus = (typeof BUILD_STATUSES)[number];

/** The final build statuses: a build in one never changes status again. */
export const TERMINAL_BUILD_STATUSES = ['BUILT', 'FAILED'] as const satisfies readonly BuildStatus[];

export function isBuildFinished(status: BuildStatus): boolean {
  return (TERMINAL_BUILD_STATUSES as readonly BuildStatus[]).includes(status);
}

const imageName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, '1-63 letters, digits, ., - or _, starting with a letter or digit');
const description = z.string().max(1024);

/** A file of the `files` map: its text, or `{base64}` for binary content (RFC 4648 §4), optionally executable. */
const fileInput = z.union([z.string(), z.object({ base64: z.string(), executable: z.boolean().optional() }).strict()]);
const files = z
  .record(z.string(), fileInput)
  .openapi({ description: `relative path → content (at most ${MAX_FILES} files)`, example: { Dockerfile: 'FROM containerizer/busybox:latest' } });

/** Docker build arguments (`--build-arg`), ARG names as the Dockerfile reference allows them. */
const buildArgs = z
  .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'build argument names are letters, digits and _'), z.string().max(4096))
  .refine((args) => Object.keys(args).length <= 64, 'at most 64 build arguments')
  .refine((args) => envBytes(args) <= MAX_BUILD_ARGS_BYTES, `names and values together must be at most ${MAX_BUILD_ARGS_BYTES} bytes`)
  .openapi({ description: `Docker build arguments (ARG): at most 64, names and values together at most ${MAX_BUILD_ARGS_BYTES} bytes (UTF-8)` });

export const ImageCreate = z
  .object({
    name: imageName,
    description: description.optional(),
    files,
    dockerfile: z.string().max(65_536).optional().openapi({ description: 'the Dockerfile, if not given as files.Dockerfile' }),
    buildArgs: buildArgs.default({}),
  })
  .strict()
  .openapi('ImageCreate');
export type ImageCreate = z.infer<typeof ImageCreate>;

/** Metadata of a context uploaded as a tar or tar.gz body. */
export const ImageUploadQuery = z.object({ name: imageName, description: description.optional() });

export const ImagePatch = z
  .object({
    name: imageName,
    description,
    files: z.record(z.string(), fileInput.nullable()).openapi({ description: 'merged over the current files (RFC 7396): a path set to null is removed' }),
    dockerfile: z.string().max(65_536),
    buildArgs,
    version: z.number().int().min(1).openapi({ description: 'the version this change is based on (or send If-Match)' }),
  })
  .partial()
  .strict()
  .openapi('ImagePatch');
export type ImagePatch = z.infer<typeof ImagePatch>;

/** The fields a change may touch; those that change what is built are refused while a build is under way. */
export const IMAGE_FIELDS = ['name', 'description', 'files', 'buildArgs'] as const;
export type ImageField = (typeof IMAGE_FIELDS)[number];
export const BUILD_INPUT_FIELDS = ['files', 'buildArgs'] as const satisfies readonly ImageField[];

export const Image = z
  .object({
    imageId: z.string(),
    ownerId: z.string(),
    name: z.string(),
    description: z.string().optional(),
    files: z.record(z.string(), z.string()).openapi({ description: 'path → SHA-256 (hex) of its type, mode and content' }),
    buildArgs: z.record(z.string(), z.string()),
    version: z.number().int(),
    contextVersion: z.number().int().openapi({ description: 'the version whose build context holds the files: the last one that changed them' }),
    buildCount: z.number().int().openapi({ description: 'builds started so far; the next is number buildCount + 1' }),
    activeBuild: z.number().int().optional().openapi({ description: 'the build QUEUED or BUILDING, if any' }),
    activeSince: z.string().optional().openapi({ description: 'when activeBuild was started' }),
    deletingSince: z.string().optional().openapi({ description: 'set while the image is being deleted: no new builds or apps' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string(),
  })
  .openapi('Image');
export type Image = z.infer<typeof Image>;

export const ImageVersion = Image.omit({ buildCount: true, activeBuild: true, activeSince: true, deletingSince: true })
  .extend({
    changedFields: z.array(z.enum(IMAGE_FIELDS)),
    changedFiles: z.object({ added: z.array(z.string()), removed: z.array(z.string()), modified: z.array(z.string()) }),
  })
  .openapi('ImageVersion');
export type ImageVersion = z.infer<typeof ImageVersion>;

const severity = z.enum(SEVERITIES);
export const ScanResult = z
  .object({
    counts: z.record(severity, z.number().int()),
    findings: z.array(z.object({ id: z.string(), severity, title: z.string(), where: z.string() })),
    truncated: z.boolean(),
    scanner: z.string(),
    scannedAt: z.string(),
  })
  .openapi('ScanResult');

export const Build = z
  .object({
    imageId: z.string(),
    ownerId: z.string(),
    number: z.number().int(),
    imageVersion: z.number().int().openapi({ description: 'the image version built' }),
    status: z.enum(BUILD_STATUSES),
    buildRef: z.string().optional().openapi({ description: 'CodeBuild build id, or the Docker tag' }),
    imageRef: z.string().optional().openapi({ description: 'on BUILT: the immutable per-build image reference runs use' }),
    digest: z.string().optional().openapi({ description: 'on BUILT: sha256 digest (dev mode: the Docker image id)' }),
    reason: z.string().optional().openapi({ description: 'on FAILED: why' }),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    durationMs: z.number().optional().openapi({ description: 'ms from startedAt to finishedAt' }),
    scan: ScanResult.optional(),
  })
  .openapi('Build');
export type Build = z.infer<typeof Build>;

/** The fields of a build that its state changes set (rules/image-rules.ts buildFieldsOf, ImageStore.transitionBuild). */
export type BuildFields = Partial<Pick<Build, 'startedAt' | 'finishedAt' | 'durationMs' | 'imageRef' | 'digest' | 'reason' | 'buildRef'>>;

/** How an app names a built image: the latest BUILT build, or build `build`. */
export const BuiltImageRef = z
  .object({ imageId: z.string().min(1), build: z.number().int().min(1).optional().openapi({ description: 'default: the latest BUILT build' }) })
  .strict()
  .openapi('BuiltImageRef');
export type BuiltImageRef = z.infer<typeof BuiltImageRef>;
