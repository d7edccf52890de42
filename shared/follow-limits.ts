/**
 * The bounds of a cloud log follow, shared by the handlers (shared/lambda/api.ts) and the stack
 * (infra/api.ts sizes the streaming function's timeout from them).
 */

/**
 * Bytes of log per follow response: 1 MiB, plus at most one GetLogEvents page (≤ 1 MB of events,
 * AWS API reference) since a page is always written whole. Far under Lambda's 6 MB buffered
 * payload, so a follow through API Gateway always answers, and a resumed follow always progresses.
 */
export const FOLLOW_BYTES = 1024 * 1024;

/** How long (ms) one streamed follow stays open before the client resumes (Lambda allows 15 min). */
export const STREAMED_FOLLOW_MS = 5 * 60_000;
