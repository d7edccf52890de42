/**
 * Routes of /images: create (a JSON files map, or a tar / tar.gz upload), list, read, change
 * (a new version), delete, versions, a file read back; builds: start, list, read, and the build
 * log (a page, or followed as SSE like a run's).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { contextFromArchive, contextFromFiles, MAX_CONTEXT_BYTES } from '../../build-context.js';
import { badRequest, payloadTooLarge } from '../../errors.js';
import { Build, Image, ImageCreate, ImagePatch, ImageUploadQuery, ImageVersion, isBuildFinished } from '../../image-schemas.js';
import type { Platform } from '../../services/platform-services.js';
import { LogPage, pageOf } from '../../schemas.js';
import type { Api } from '../app.js';
import { followPages, logPageView, type FollowOptions } from '../log-follow.js';
import {
  etag,
  idParam,
  ifMatchHeader,
  json,
  lastEventIdHeader,
  problems,
  secured,
  versionedUpdateResponses,
  versionFromIfMatch,
  withHeaders,
} from './common.js';

/** Media types of an uploaded build context. */
const ARCHIVE_TYPES = ['application/x-tar', 'application/gzip'] as const;

/**
 * Request bodies of /images (B): a JSON files map carries the context base64-encoded at worst
 * (4/3), plus the rest; larger bodies are refused (413) before they are read in full.
 */
const MAX_BODY_BYTES = Math.ceil((MAX_CONTEXT_BYTES * 4) / 3) + 256 * 1024;

const params = idParam('imageId');
const buildParams = params.extend({
  number: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, 'a build number: 1, 2, 3…')
    .openapi({ param: { name: 'number', in: 'path' } }),
});
const ListQuery = z.object({ cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(100).default(50) });
const BuildLogQuery = z.object({ cursor: z.string().optional(), limit: z.coerce.number().int().min(1).max(10_000).default(1000) });
const binary = { schema: z.string().openapi({ format: 'binary' }) };

const createImageRoute = createRoute({
  operationId: 'createImage',
  tags: ['Images'],
  method: 'post',
  path: '/images',
  summary: 'Create an image from a files map (JSON), or from a tar / tar.gz build context (metadata in the query)',
  security: secured,
  request: {
    query: ImageUploadQuery.partial(),
    // Not `required`: a required body has its JSON schema checked whatever the media type.
    body: { content: { 'application/json': { schema: ImageCreate }, 'application/x-tar': binary, 'application/gzip': binary } },
  },
  responses: { 201: withHeaders(json(Image, 'created'), 'ETag', 'Location'), 400: problems[400], 401: problems[401], 409: problems[409], 413: problems[413] },
});

const listImagesRoute = createRoute({
  operationId: 'listImages',
  tags: ['Images'],
  method: 'get',
  path: '/images',
  summary: 'Your images (admins: all)',
  security: secured,
  request: { query: ListQuery },
  responses: { 200: json(pageOf(Image), 'a page of images'), 400: problems[400], 401: problems[401] },
});

const getImageRoute = createRoute({
  operationId: 'getImage',
  tags: ['Images'],
  method: 'get',
  path: '/images/{imageId}',
  summary: 'One image (ETag = its version)',
  security: secured,
  request: { params },
  responses: { 200: withHeaders(json(Image, 'the image'), 'ETag'), 401: problems[401], 404: problems[404] },
});

const updateImageRoute = createRoute({
  operationId: 'updateImage',
  tags: ['Images'],
  method: 'patch',
  path: '/images/{imageId}',
  summary: 'Change an image: a new version. files, dockerfile and buildArgs only while no build is QUEUED or BUILDING',
  security: secured,
  request: { params, headers: ifMatchHeader, body: { content: { 'application/json': { schema: ImagePatch } }, required: true } },
  responses: versionedUpdateResponses(Image),
});

const deleteImageRoute = createRoute({
  operationId: 'deleteImage',
  tags: ['Images'],
  method: 'delete',
  path: '/images/{imageId}',
  summary: "Delete an image, its builds' images, its contexts and build logs; refused while an app names it",
  security: secured,
  request: { params },
  responses: { 204: { description: 'deleted' }, 401: problems[401], 404: problems[404], 409: problems[409] },
});

const listImageVersionsRoute = createRoute({
  operationId: 'listImageVersions',
  tags: ['Images'],
  method: 'get',
  path: '/images/{imageId}/versions',
  summary: 'Every version: who changed what (fields, files), when',
  security: secured,
  request: { params },
  responses: { 200: json(z.object({ items: z.array(ImageVersion) }), 'versions, oldest first'), 401: problems[401], 404: problems[404] },
});

const startBuildRoute = createRoute({
  operationId: 'startBuild',
  tags: ['Images'],
  method: 'post',
  path: '/images/{imageId}/builds',
  summary: "Build the image's current version: QUEUED → BUILDING → BUILT | FAILED",
  security: secured,
  request: { params },
  responses: {
    202: withHeaders(json(Build, 'accepted'), 'Location'),
    400: problems[400],
    401: problems[401],
    403: problems[403],
    404: problems[404],
    409: problems[409],
    429: problems[429],
  },
});

const listBuildsRoute = createRoute({
  operationId: 'listBuilds',
  tags: ['Images'],
  method: 'get',
  path: '/images/{imageId}/builds',
  summary: 'Builds of the image, newest first',
  security: secured,
  request: { params },
  responses: { 200: json(z.object({ items: z.array(Build) }), 'builds'), 401: problems[401], 404: problems[404] },
});

const getBuildRoute = createRoute({
  operationId: 'getBuild',
  tags: ['Images'],
  method: 'get',
  path: '/images/{imageId}/builds/{number}',
  summary: 'One build, with its scan once scanned',
  security: secured,
  request: { params: buildParams },
  responses: { 200: json(Build, 'the build'), 401: problems[401], 404: problems[404] },
});

const getBuildLogsRoute = createRoute({
  operationId: 'getBuildLogs',
  tags: ['Images'],
  method: 'get',
  path: '/images/{imageId}/builds/{number}/logs',
  summary: 'Build log lines from a cursor; with Accept: text/event-stream, follows until the build ends',
  description: 'SSE events: `log` (data: one log event, id: the cursor after it) and `end` when the build is over. Reconnect with Last-Event-ID to resume.',
  security: secured,
  request: { params: buildParams, query: BuildLogQuery, headers: lastEventIdHeader },
  responses: {
    200: { ...json(LogPage, 'a page of log lines'), content: { 'application/json': { schema: LogPage }, 'text/event-stream': { schema: z.string() } } },
    400: problems[400],
    401: problems[401],
    404: problems[404],
  },
});

/** Registers the /images routes over the image catalogue and the builds; `follow` bounds a build log's SSE follow. */
export function imageRoutes(app: Api, { images, builds }: Platform, follow: FollowOptions): void {
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw payloadTooLarge(`a request to /images carries at most ${MAX_BODY_BYTES} bytes`);
    },
  });
  app.on(['POST', 'PATCH'], ['/images', '/images/*'], limit);

  app.openapi(createImageRoute, async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!type) throw badRequest(`send the image as application/json, or its build context as ${ARCHIVE_TYPES.join(' or ')}`);
    const created = (ARCHIVE_TYPES as readonly string[]).includes(type)
      ? await images.create(c.get('principal'), {
          ...ImageUploadQuery.parse(c.req.query()),
          context: await contextFromArchive((c.req.raw.body ?? []) as AsyncIterable<Uint8Array>),
          buildArgs: {},
        })
      : // Validated as ImageCreate: only the JSON body is (the other media types are the archive).
        await createFromJson(c.req.valid('json') as ImageCreate);
    c.header('etag', etag(created.version));
    c.header('location', `/images/${created.imageId}`);
    return c.json(created, 201);

    function createFromJson({ files, dockerfile, ...rest }: ImageCreate) {
      return images.create(c.get('principal'), { ...rest, context: contextFromFiles(files, dockerfile) });
    }
  });
  app.openapi(listImagesRoute, async (c) => {
    const { cursor, limit } = c.req.valid('query');
    return c.json(await images.list(c.get('principal'), cursor, limit), 200);
  });
  app.openapi(getImageRoute, async (c) => {
    const found = await images.get(c.get('principal'), c.req.valid('param').imageId);
    c.header('etag', etag(found.version));
    return c.json(found, 200);
  });
  app.openapi(updateImageRoute, async (c) => {
    const patch = c.req.valid('json');
    const expected = versionFromIfMatch(c.req.header('if-match')) ?? patch.version;
    const updated = await images.update(c.get('principal'), c.req.valid('param').imageId, patch, expected);
    c.header('etag', etag(updated.version));
    return c.json(updated, 200);
  });
  app.openapi(deleteImageRoute, async (c) => {
    await images.delete(c.get('principal'), c.req.valid('param').imageId);
    return c.body(null, 204);
  });
  app.openapi(listImageVersionsRoute, async (c) => c.json({ items: await images.versions(c.get('principal'), c.req.valid('param').imageId) }, 200));
  // A path of the context may hold slashes, which a Hono route built from an OpenAPI path cannot match: a plain route, documented here.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/images/{imageId}/files/{path}',
    operationId: 'getImageFile',
    tags: ['Images'],
    summary: "One file of the image's current version (its path may hold slashes)",
    security: secured,
    request: { params: params.extend({ path: z.string().openapi({ param: { name: 'path', in: 'path' } }) }) },
    responses: { 200: { description: 'the file', content: { 'application/octet-stream': binary } }, 401: problems[401], 404: problems[404] },
  });
  app.get('/images/:imageId/files/:path{.+}', async (c) => {
    const file = await images.readFile(c.get('principal'), c.req.param('imageId'), c.req.param('path'));
    return c.body(new Uint8Array(file.content), 200, { 'content-type': 'application/octet-stream' });
  });
  app.openapi(startBuildRoute, async (c) => {
    const { imageId } = c.req.valid('param');
    const build = await builds.startBuild(c.get('principal'), imageId);
    c.header('location', `/images/${imageId}/builds/${build.number}`);
    return c.json(build, 202);
  });
  app.openapi(listBuildsRoute, async (c) => c.json({ items: await builds.list(c.get('principal'), c.req.valid('param').imageId) }, 200));
  app.openapi(getBuildRoute, async (c) => {
    const { imageId, number } = c.req.valid('param');
    return c.json(await builds.getBuild(c.get('principal'), imageId, Number(number)), 200);
  });
  app.openapi(getBuildLogsRoute, async (c) => {
    const principal = c.get('principal');
    const { imageId } = c.req.valid('param');
    const number = Number(c.req.valid('param').number);
    const { cursor, limit } = c.req.valid('query');
    if (!(c.req.header('accept') ?? '').includes('text/event-stream'))
      return c.json(logPageView(await builds.readBuildLog(principal, imageId, number, { cursor, limit })), 200);
    await builds.getBuild(principal, imageId, number);
    let build: Build | undefined;
    return streamSSE(c, (stream) =>
      followPages(stream, {
        cursor: c.req.header('last-event-id') ?? cursor,
        maxFollowMs: follow.maxMs,
        pollMs: follow.pollMs,
        maxBytes: follow.maxBytes,
        read: async (from) => {
          build = await builds.getBuild(principal, imageId, number);
          return builds.readBuildLog(principal, imageId, number, { cursor: from, limit });
        },
        ended: async () => (build && isBuildFinished(build.status) ? { status: build.status, reason: build.reason } : undefined),
      }),
    );
  });
}
