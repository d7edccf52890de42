/**
 * Run tokens: an opaque bearer token per launch, `<runId>.<32 random bytes, base64url>`, whose
 * SHA-256 is kept on the run item. It needs no signing key, so every function that launches
 * runs (api, scheduled runs, retries) can mint one, and it is good only while its run is
 * active: checking it reads the run.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new token for `runId` and the hash (hex SHA-256) to store. */
export function mintRunToken(runId: string): { token: string; hash: string } {
  const token = `${runId}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: tokenHash(token) };
}

/** The run id a token names, or undefined when it is not shaped like a run token. */
export function runIdOfToken(token: string): string | undefined {
  const match = /^([0-9A-Za-z]{1,64})\.[A-Za-z0-9_-]{43}$/.exec(token);
  return match?.[1];
}

/** Whether `token` hashes to `storedHash` (compared in constant time). */
export function tokenMatches(token: string, storedHash: string | undefined): boolean {
  if (!storedHash) return false;
  const actual = Buffer.from(tokenHash(token), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
