/**
 * Request and response schemas of secrets (zod, with OpenAPI metadata). A secret's value is
 * write-only: it is in the create and update bodies, and in no response.
 */
import { z } from '@hono/zod-openapi';
import { MAX_SECRET_VALUE_BYTES, SECRET_NAME, SECRET_NAME_RULE } from './rules/secret-rules.js';

export const secretName = z.string().regex(SECRET_NAME, SECRET_NAME_RULE).openapi({ example: 'db-pass' });

const value = z
  .string()
  .min(1)
  .refine((v) => Buffer.byteLength(v, 'utf8') <= MAX_SECRET_VALUE_BYTES, `at most ${MAX_SECRET_VALUE_BYTES} bytes (UTF-8)`)
  .openapi({ description: `the value, at most ${MAX_SECRET_VALUE_BYTES} bytes (UTF-8); write-only: never returned` });

export const SecretCreate = z.object({ name: secretName, value }).strict().openapi('SecretCreate');
export type SecretCreate = z.infer<typeof SecretCreate>;

export const SecretUpdate = z.object({ value }).strict().openapi('SecretUpdate');
export type SecretUpdate = z.infer<typeof SecretUpdate>;

/** A secret as the API shows it: its name, version and times, never its value. */
export const Secret = z
  .object({
    name: z.string(),
    ownerId: z.string(),
    version: z.number().int().openapi({ description: 'starts at 1; every PUT of a new value adds one' }),
    createdAt: z.string(),
    updatedAt: z.string().openapi({ description: 'when the current version was written' }),
    updatedBy: z.string(),
  })
  .openapi('Secret');
export type Secret = z.infer<typeof Secret>;

/** An app's secrets: env name → the name of one of its owner's secrets (ECS's `secrets`, by name). */
export const appSecrets = z.record(z.string(), z.string()).openapi({
  description: "env name → the name of one of your secrets; the main container gets the secret's value as that variable",
  example: { DB_PASSWORD: 'db-pass' },
});

/** Which version of which secret a run received under each env name. */
export const SecretVersions = z
  .record(z.string(), z.object({ name: z.string(), version: z.number().int() }))
  .openapi('SecretVersions', { description: 'env name → the secret and version the run received (never the value)' });
export type SecretVersions = z.infer<typeof SecretVersions>;
