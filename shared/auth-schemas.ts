/**
 * The schemas of accounts and tokens (zod, with OpenAPI metadata): sign-up and sign-in bodies,
 * the refresh body, the token set login and refresh return, and the account as read.
 */
import { z } from '@hono/zod-openapi';
import { ROLES } from './domain.js';

export const Credentials = z
  .object({ email: z.email().max(254), password: z.string().min(8, 'at least 8 characters').max(1024) })
  .strict()
  .openapi('Credentials');

export const Registration = Credentials.extend({
  inviteCode: z.string().max(256).optional().openapi({ description: 'needed when the deployment registers by invitation only' }),
})
  .strict()
  .openapi('Registration');

export const RefreshBody = z.object({ refreshToken: z.string().min(1) }).strict();

export const TokenSet = z
  .object({ accessToken: z.string(), refreshToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int() })
  .openapi('TokenSet');
/** What login and refresh return; expiresIn is the access token's lifetime in s (RFC 6749 §5.1). */
export type TokenSet = z.infer<typeof TokenSet>;

export const User = z.object({ userId: z.string(), email: z.string(), role: z.enum(ROLES), createdAt: z.string() }).openapi('User');
export type User = z.infer<typeof User>;
