/** Errors become RFC 9457 problem documents with the right status and headers; only the unexpected are 500s, logged. */
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { badRequest, ServiceUnavailableError, tooManyRequests, unauthorized } from '../../shared/errors.js';
import { errorToProblem } from '../../shared/http/problem.js';
import { logger } from '../../shared/logger.js';

/** An app whose one route throws `err`, with the API's error mapping. */
function throwing(err: Error) {
  const app = new Hono();
  app.onError(errorToProblem);
  app.get('/boom', () => {
    throw err;
  });
  return app;
}

async function problemOf(err: Error) {
  const res = await throwing(err).request('/boom');
  return { res, body: await res.json() };
}

afterEach(() => vi.restoreAllMocks());

describe('errorToProblem', () => {
  it('maps a ClientError to its status, title, detail and field errors', async () => {
    const { res, body } = await problemOf(badRequest('bad name', [{ field: 'name', message: 'too long' }]));
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Bad Request',
      status: 400,
      detail: 'bad name',
      instance: '/boom',
      errors: [{ field: 'name', message: 'too long' }],
    });
  });

  it("sends a ClientError's headers: Retry-After on a 429", async () => {
    const { res, body } = await problemOf(tooManyRequests('slow down', 2.5));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(body).toMatchObject({ title: 'Too Many Requests', detail: 'slow down' });
  });

  it('challenges a rejected token (RFC 6750 §3)', async () => {
    const { res } = await problemOf(unauthorized('token "expired"'));
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="containerizer", error="invalid_token", error_description="token 'expired'"`);
  });

  it('maps ServiceUnavailableError to 503, with Retry-After when known', async () => {
    const withRetry = await problemOf(new ServiceUnavailableError('ECS capacity', { retryAfterSeconds: 30, cause: new Error('throttled') }));
    expect(withRetry.res.status).toBe(503);
    expect(withRetry.res.headers.get('retry-after')).toBe('30');
    expect(withRetry.body).toMatchObject({ title: 'Service Unavailable', status: 503, detail: 'ECS capacity' });
    const without = await problemOf(new ServiceUnavailableError('ECS capacity'));
    expect(without.res.status).toBe(503);
    expect(without.res.headers.get('retry-after')).toBeNull();
  });

  it('turns anything else into a 500 that hides the error and logs it, with its cause, through the logger', async () => {
    const error = vi.spyOn(logger, 'error').mockImplementation(() => {});
    const console = vi.spyOn(globalThis.console, 'error');
    const err = new TypeError('secret internals', { cause: new Error('root cause') });
    const { res, body } = await problemOf(err);
    expect(res.status).toBe(500);
    expect(body).toMatchObject({ title: 'Internal Server Error', status: 500 });
    expect(JSON.stringify(body)).not.toContain('secret internals');
    expect(error).toHaveBeenCalledWith(expect.stringContaining('GET /boom'), err);
    expect((error.mock.calls[0]![1] as Error).cause).toEqual(new Error('root cause'));
    expect(console).not.toHaveBeenCalled();
  });
});
