/**
 * The HTTP API's Lambda handlers, both over the same Hono app:
 * - `apiHandler`: API Gateway HTTP API (payload format 2.0), which buffers every response (up
 *   to Lambda's 6 MB synchronous payload): an SSE log follow answers with the lines there are now,
 *   at most FOLLOW_BYTES, and names the live endpoint in a Link header;
 * - `streamingHandler`: a Lambda function URL with InvokeMode RESPONSE_STREAM (hono's
 *   `streamHandle`), where a follow's lines reach the client as they are read.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Writable } from 'node:stream';
import { Hono } from 'hono';
import { defaultIsContentTypeBinary, handle, streamHandle } from 'hono/aws-lambda';
import type { CloudPlatform } from '../cloud-platform.js';
import { FOLLOW_BYTES, STREAMED_FOLLOW_MS } from '../cloud-limits.js';
import { createApi } from '../http/app.js';
import { retryAfter } from '../errors.js';
import { problemResponse } from '../http/problem.js';
import { sourceIp } from './client-address.js';
import { withLambdaContext } from './context.js';
import type { FollowBudget } from './follow-budget.js';

/** The api function's handler: the Hono app, with GET /health asking DynamoDB; `liveFollowUrl` is the streaming endpoint's base URL; `corsOrigins` the console's (CORS_ALLOWED_ORIGINS). */
export function apiHandler(platform: CloudPlatform, liveFollowUrl?: string, corsOrigins?: readonly string[]) {
  const app = createApi(platform, {
    corsOrigins,
    healthChecks: { store: () => platform.checkStore() },
    follow: { maxMs: 0, maxBytes: FOLLOW_BYTES, liveUrl: liveFollowUrl },
    clientAddress: sourceIp,
  });
  return withLambdaContext(handle(app, { isContentTypeBinary }));
}

/** hono's default, except that an SSE body is text: base64 would add a third to every follow response. */
function isContentTypeBinary(contentType: string): boolean {
  return !/^text\/event-stream/i.test(contentType) && defaultIsContentTypeBinary(contentType);
}

/** The runtime's response-streaming global (AWS docs, "Response streaming for Lambda functions"); only the Lambda Node.js runtime defines it. */
declare const awslambda: { streamifyResponse<H>(handler: H): H };

/** A streaming handler as the runtime calls it. */
type StreamingHandler = (event: unknown, responseStream: Writable, context: unknown) => Promise<unknown>;

/**
 * The log-follow function's handler (a function URL in RESPONSE_STREAM mode): the same app, with
 * follows that stream for up to STREAMED_FOLLOW_MS. With a `budget` (follow-budget.ts), a user's
 * follows beyond its cap are refused (429) and every log read waits for its share of the
 * GetLogEvents budget. A follow ends once the client has gone (the response stream closed): the
 * follow's body is cancelled, which stops its polling (hono's stream `aborted`), and its slot is
 * freed, so a departed client neither keeps the function billing nor holds its slot. Outside
 * the Lambda runtime (no `awslambda` global) it is a function that refuses to run, so the module
 * still loads for tests and tools.
 */
export function streamingHandler(platform: CloudPlatform, budget?: FollowBudget) {
  if (typeof awslambda === 'undefined') {
    return () => Promise.reject(new Error('streamingHandler needs the Lambda runtime (the awslambda global)'));
  }
  const api = createApi(budget ? { ...platform, logs: budget.budgeted(platform.logs) } : platform, {
    healthChecks: { store: () => platform.checkStore() },
    follow: { maxMs: STREAMED_FOLLOW_MS, maxBytes: FOLLOW_BYTES },
    clientAddress: sourceIp,
  });
  /** Aborted when this invocation's client has gone. */
  const clientGone = new AsyncLocalStorage<AbortSignal>();
  // The function URL is for following logs only; everything else stays behind API Gateway.
  const app = new Hono();
  app.get('/runs/:runId/logs', async (c) => {
    const following = (c.req.header('accept') ?? '').includes('text/event-stream');
    const userId = following && budget ? await verifiedUser(platform, c.req.header('authorization')) : undefined;
    const lease = userId === undefined ? undefined : await budget!.admit(userId, crypto.randomUUID());
    if (userId !== undefined && !lease) {
      const detail = `you have ${budget!.settings.followsPerUser} live log follows open already (the most one user may): close one, or read pages with GET without text/event-stream`;
      return problemResponse(c, { title: 'Too Many Requests', status: 429, detail }, retryAfter(5));
    }
    const response = await api.fetch(c.req.raw);
    return untilGone(response, clientGone.getStore(), () => lease?.release());
  });
  app.notFound((c) => problemResponse(c, { title: 'Not Found', status: 404, detail: 'this endpoint serves only GET /runs/{runId}/logs' }));
  const handle = streamHandle(app) as unknown as StreamingHandler;
  return awslambda.streamifyResponse<StreamingHandler>((event, responseStream, context) => {
    const gone = new AbortController();
    const abort = () => gone.abort();
    // `on`, not `once`: a write after the client went may emit another error, which must not go unhandled.
    responseStream.on('close', abort);
    responseStream.on('error', abort);
    return clientGone.run(gone.signal, () => handle(event, responseStream, context));
  });
}

/** The user a bearer token names, or undefined when there is none or it does not verify (the app then answers 401 itself). */
async function verifiedUser(platform: CloudPlatform, authorization: string | undefined): Promise<string | undefined> {
  const token = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
  if (!token) return undefined;
  try {
    return (await platform.auth.verify(token)).userId;
  } catch {
    return undefined;
  }
}

/**
 * `response` with its body cancelled when `gone` aborts, and `ended` called once the body is done
 * (read to the end, cancelled, or failed). hono's aws-lambda adapter reads the body with a
 * generator that never cancels it when the client goes, so the follow would poll on until its deadline.
 */
function untilGone(response: Response, gone: AbortSignal | undefined, ended: () => Promise<void> | undefined): Response {
  let finished = false;
  const end = () => {
    if (finished) return;
    finished = true;
    void Promise.resolve(ended()).catch(() => undefined);
  };
  if (!response.body) {
    end();
    return response;
  }
  const reader = response.body.getReader();
  let finishedBody = false;
  gone?.addEventListener('abort', () => void reader.cancel('the client has gone').catch(() => undefined), { once: true });
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        end();
        controller.error(err);
        return;
      }
      if (!chunk.done) return controller.enqueue(chunk.value);
      end();
      // Already closed when the reader of this body cancelled it meanwhile.
      if (!finishedBody) controller.close();
    },
    async cancel(reason) {
      finishedBody = true;
      end();
      await reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}
