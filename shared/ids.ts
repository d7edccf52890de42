/**
 * The platform's ids are ULIDs (26 Crockford base32 characters, time first; ulid's spec), as
 * ulid() writes them: upper case, the first character 0-7 (48 bits of ms). An id that is not
 * one names no item: callers answer 404 without asking the store, so odd or oversized ids
 * never reach DynamoDB (whose keys are at most 2048 bytes).
 */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** True when `id` has a ULID's shape. */
export function isId(id: string): boolean {
  return ULID.test(id);
}
