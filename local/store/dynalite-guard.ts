/**
 * A guard in front of dev mode's embedded dynalite, which runs in the server's own process:
 * dynalite validates a request recursively and throws from inside its request handler, so an
 * attribute nested ~900 levels deep overflowed the stack there and the uncaught RangeError ended
 * the whole server. The guard reads each request first and
 * - refuses what DynamoDB refuses and dynalite does not check: attribute values nested past
 *   DynamoDB's 32 levels, with DynamoDB's own ValidationException (so the mock refuses what AWS refuses);
 * - catches whatever dynalite throws while handling a request and answers DynamoDB's
 *   InternalServerError (HTTP 500, which the SDK retries and the store turns into a 503), so
 *   the process goes on;
 * - answers a client that goes away mid-request by closing the socket (dynalite rethrew it).
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { MAX_JSON_DEPTH } from '../../shared/item-limits.js';
import { logger } from '../../shared/logger.js';

/** dynalite's own cap on a request body (its index.js MAX_REQUEST_BYTES), bytes. */
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** DynamoDB's answer to a value nested too deep (ValidationException; AWS docs, "Constraints in Amazon DynamoDB"). */
export const NESTING_MESSAGE = 'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit';

/**
 * The deepest nesting of attribute values in a DynamoDB JSON request: how many Map (`{"M": {…}}`)
 * and List (`{"L": […]}`) values enclose one another, a top-level attribute's own Map or List
 * counting 1. DynamoDB refuses more than MAX_JSON_DEPTH (31 wrappers: the scalar inside is then at
 * its 32nd level). Iterative: any depth is safe to measure.
 */
export function attributeNesting(request: unknown): number {
  let deepest = 0;
  const stack: { value: unknown; wraps: number }[] = [{ value: request, wraps: 0 }];
  while (stack.length > 0) {
    const { value, wraps } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    const keys = Object.keys(value);
    const wrapped =
      keys.length === 1 && ((keys[0] === 'M' && isObject((value as { M: unknown }).M)) || (keys[0] === 'L' && Array.isArray((value as { L: unknown }).L)));
    const inner = wrapped ? wraps + 1 : wraps;
    deepest = Math.max(deepest, inner);
    for (const child of Object.values(wrapped ? (value as Record<string, object>)[keys[0]!]! : value)) stack.push({ value: child, wraps: inner });
  }
  return deepest;
}

const isObject = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A DynamoDB error answer, as dynalite writes them. */
function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Wraps dynalite's request listener (see the file's comment). */
export function guardDynalite(handler: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('error', (err) => {
      logger.warn('dynalite: a client went away mid-request', { error: err });
      res.destroy();
    });
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_REQUEST_BYTES) return sendError(res, 413, 'com.amazon.coral.service#SerializationException', 'Request body too large');
      const body = Buffer.concat(chunks);
      if (tooDeep(body)) return sendError(res, 400, 'com.amazon.coral.validate#ValidationException', NESTING_MESSAGE);
      // dynalite reads the request through these events only: replayed here, synchronously, so whatever it throws lands in this try.
      const replay = Object.assign(new EventEmitter(), { headers: req.headers, method: req.method, url: req.url });
      try {
        handler(replay as unknown as IncomingMessage, res);
        if (body.length > 0) replay.emit('data', body);
        replay.emit('end');
      } catch (err) {
        logger.error('dynalite failed on a request; answered InternalServerError', { error: err as Error, target: req.headers['x-amz-target'] });
        sendError(res, 500, 'com.amazonaws.dynamodb.v20120810#InternalServerError', 'Internal server error');
      }
    });
  };
}

function tooDeep(body: Buffer): boolean {
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    return false; // dynalite answers SerializationException itself
  }
  return attributeNesting(request) > MAX_JSON_DEPTH;
}
