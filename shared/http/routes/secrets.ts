/** Routes of secrets: the caller's named, versioned values; a value goes in and never comes out. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Platform } from '../../services/platform-services.js';
import { pageOf } from '../../schemas.js';
import { Secret, SecretCreate, SecretUpdate, secretName } from '../../secret-schemas.js';
import type { Api } from '../app.js';
import { bodyProblems, etag, json, jsonBody, problems, secured, withHeaders } from './common.js';

// The name's own rule (a 400 naming it), so that no key DynamoDB would refuse reaches the store.
const params = z.object({ name: secretName.openapi({ param: { name: 'name', in: 'path' } }) });
const tags = ['Secrets'];

const createSecretRoute = createRoute({
  operationId: 'createSecret',
  tags,
  method: 'post',
  path: '/secrets',
  summary: 'Keep a secret value under a name (version 1); the value is never returned',
  security: secured,
  request: jsonBody(SecretCreate),
  responses: {
    201: withHeaders(json(Secret, 'created: its name and version, not its value'), 'ETag', 'Location'),
    400: problems[400],
    401: problems[401],
    409: problems[409],
    503: problems[503],
    ...bodyProblems,
  },
});

const listSecretsRoute = createRoute({
  operationId: 'listSecrets',
  tags,
  method: 'get',
  path: '/secrets',
  summary: 'Your secrets by name: names, versions and times, never values',
  security: secured,
  request: { query: z.object({ cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(100).default(50) }) },
  responses: { 200: json(pageOf(Secret), 'a page of secrets'), 400: problems[400], 401: problems[401] },
});

const getSecretRoute = createRoute({
  operationId: 'getSecret',
  tags,
  method: 'get',
  path: '/secrets/{name}',
  summary: "One secret's metadata (never its value)",
  security: secured,
  request: { params },
  responses: { 200: withHeaders(json(Secret, 'the secret'), 'ETag'), 401: problems[401], 404: problems[404] },
});

const updateSecretRoute = createRoute({
  operationId: 'updateSecret',
  tags,
  method: 'put',
  path: '/secrets/{name}',
  summary: "A new value: the secret's next version (runs created before keep the version they received)",
  security: secured,
  request: { params, ...jsonBody(SecretUpdate) },
  responses: {
    200: withHeaders(json(Secret, 'the new version'), 'ETag'),
    400: problems[400],
    401: problems[401],
    404: problems[404],
    409: problems[409],
    503: problems[503],
    ...bodyProblems,
  },
});

const deleteSecretRoute = createRoute({
  operationId: 'deleteSecret',
  tags,
  method: 'delete',
  path: '/secrets/{name}',
  summary: 'Delete a secret and every version of it; refused (409, naming them) while apps reference it',
  security: secured,
  request: { params },
  responses: { 204: { description: 'deleted' }, 401: problems[401], 404: problems[404], 409: problems[409] },
});

/** Registers the secret routes over the secret service. */
export function secretRoutes(app: Api, { secrets }: Platform): void {
  app.openapi(createSecretRoute, async (c) => {
    const secret = await secrets.create(c.get('principal'), c.req.valid('json'));
    c.header('etag', etag(secret.version));
    c.header('location', `/secrets/${encodeURIComponent(secret.name)}`);
    return c.json(secret, 201);
  });
  app.openapi(listSecretsRoute, async (c) => {
    const { cursor, limit } = c.req.valid('query');
    return c.json(await secrets.list(c.get('principal'), cursor, limit), 200);
  });
  app.openapi(getSecretRoute, async (c) => {
    const secret = await secrets.get(c.get('principal'), c.req.valid('param').name);
    c.header('etag', etag(secret.version));
    return c.json(secret, 200);
  });
  app.openapi(updateSecretRoute, async (c) => {
    const secret = await secrets.update(c.get('principal'), c.req.valid('param').name, c.req.valid('json').value);
    c.header('etag', etag(secret.version));
    return c.json(secret, 200);
  });
  app.openapi(deleteSecretRoute, async (c) => {
    await secrets.delete(c.get('principal'), c.req.valid('param').name);
    return c.body(null, 204);
  });
}
