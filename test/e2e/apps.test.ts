/** Apps over real HTTP: CRUD, versions, optimistic concurrency, ownership, validation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGE, sampleApp } from '../support/fixtures.js';
import { adminSignedIn, signedIn, startServer, type Client, type RunningServer } from '../support/server.js';

describe('apps', () => {
  let server: RunningServer;
  let alice: Client;
  let bob: Client;

  beforeAll(async () => {
    server = await startServer();
    [alice, bob] = await Promise.all([signedIn(server.url), signedIn(server.url)]);
  });
  afterAll(() => server.stop());

  it('creates an app with defaults and reads it back with its ETag', async () => {
    const created = await alice.post('/apps', sampleApp({ name: 'report', command: ['echo', 'hi'] }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'report',
      image: IMAGE,
      command: ['echo', 'hi'],
      env: {},
      cpu: 0.25,
      memoryMiB: 512,
      timeoutSeconds: 3600,
      retry: { maxAttempts: 1 },
      version: 1,
    });
    expect(created.headers.get('location')).toBe(`/apps/${created.body.appId}`);
    const got = await alice.get(`/apps/${created.body.appId}`);
    expect(got.body).toEqual(created.body);
    expect(got.headers.get('etag')).toBe('"v1"');
    const list = await alice.get('/apps');
    expect(list.body.items.map((a: { appId: string }) => a.appId)).toContain(created.body.appId);
  });

  it('keeps every version: who, when, which fields changed', async () => {
    const { body: app } = await alice.post('/apps', sampleApp({ name: 'versioned', command: [] }));
    const v2 = await alice.patch(`/apps/${app.appId}`, { command: ['true'], env: { A: '1' } }, { 'if-match': '"v1"' });
    expect(v2.status).toBe(200);
    expect(v2.body.version).toBe(2);
    expect(v2.headers.get('etag')).toBe('"v2"');
    const v3 = await alice.patch(`/apps/${app.appId}`, { memoryMiB: 1024, version: 2 });
    expect(v3.body).toMatchObject({ version: 3, memoryMiB: 1024, command: ['true'] });
    const versions = await alice.get(`/apps/${app.appId}/versions`);
    expect(versions.body.items.map((v: { version: number; changedFields: string[] }) => [v.version, v.changedFields])).toEqual([
      [1, ['name', 'image', 'command', 'env', 'cpu', 'memoryMiB', 'timeoutSeconds', 'retry']],
      [2, ['command', 'env']],
      [3, ['memoryMiB']],
    ]);
    expect(versions.body.items[0].command).toEqual([]);
  });

  it('refuses a stale update with 412 and changes nothing', async () => {
    const { body: app } = await alice.post('/apps', sampleApp({ name: 'contended' }));
    await alice.patch(`/apps/${app.appId}`, { description: 'first' }, { 'if-match': '"v1"' });
    const stale = await alice.patch(`/apps/${app.appId}`, { description: 'second' }, { 'if-match': '"v1"' });
    expect(stale.status).toBe(412);
    const staleBody = await alice.patch(`/apps/${app.appId}`, { description: 'third', version: 1 });
    expect(staleBody.status).toBe(412);
    expect((await alice.get(`/apps/${app.appId}`)).body).toMatchObject({ version: 2, description: 'first' });
  });

  it('keeps names unique per owner, across renames, and frees them on delete', async () => {
    const { body: one } = await alice.post('/apps', sampleApp({ name: 'unique' }));
    expect((await alice.post('/apps', sampleApp({ name: 'unique' }))).status).toBe(409);
    expect((await bob.post('/apps', sampleApp({ name: 'unique' }))).status).toBe(201);
    const { body: two } = await alice.post('/apps', sampleApp({ name: 'other' }));
    expect((await alice.patch(`/apps/${two.appId}`, { name: 'unique' })).status).toBe(409);
    expect((await alice.patch(`/apps/${one.appId}`, { name: 'renamed' })).status).toBe(200);
    expect((await alice.patch(`/apps/${two.appId}`, { name: 'unique' })).status).toBe(200);
    expect((await alice.delete(`/apps/${two.appId}`)).status).toBe(204);
    expect((await alice.get(`/apps/${two.appId}`)).status).toBe(404);
    expect((await alice.post('/apps', sampleApp({ name: 'unique' }))).status).toBe(201);
  });

  it("hides another user's apps behind 404s; admins see all", async () => {
    const { body: app } = await alice.post('/apps', sampleApp({ name: 'private' }));
    for (const reply of [
      await bob.get(`/apps/${app.appId}`),
      await bob.patch(`/apps/${app.appId}`, { description: 'mine now' }),
      await bob.delete(`/apps/${app.appId}`),
      await bob.get(`/apps/${app.appId}/versions`),
      await bob.post(`/apps/${app.appId}/runs`, {}),
      await bob.post(`/apps/${app.appId}/schedules`, { expression: 'rate(1 hour)' }),
      await bob.get(`/runs?appId=${app.appId}`),
    ]) {
      expect(reply.status).toBe(404);
      expect(reply.body.title).toBe('Not Found');
    }
    expect((await bob.get('/apps')).body.items.map((a: { appId: string }) => a.appId)).not.toContain(app.appId);
    const root = await adminSignedIn(server, 'root@example.com');
    expect((await root.get(`/apps/${app.appId}`)).status).toBe(200);
    const all = await root.get('/apps?limit=100');
    expect(all.body.items.map((a: { ownerId: string }) => a.ownerId)).toEqual(expect.arrayContaining([app.ownerId]));
  });

  it('answers bad input with 400 problem documents that name each field', async () => {
    const bad = await alice.post('/apps', {
      name: '-bad name',
      image: '',
      cpu: 3,
      memoryMiB: 'lots',
      retry: { maxAttempts: 11 },
      env: { '1X': 'v' },
      surprise: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'cpu',
      'env.1X',
      'image',
      'memoryMiB',
      'name',
      'retry.maxAttempts',
      'surprise',
    ]);

    const size = await alice.post('/apps', sampleApp({ name: 'size', cpu: 1, memoryMiB: 512 }));
    expect(size.status).toBe(400);
    expect(size.body.errors).toEqual([{ field: 'memoryMiB', message: expect.stringContaining('2048') }]);
    expect((await alice.post('/apps', sampleApp({ name: 'size', cpu: 1, memoryMiB: 2048 }))).status).toBe(201);

    expect((await alice.post('/apps', 'not json')).status).toBe(400);
    expect((await alice.get('/apps?limit=1000')).status).toBe(400);
    expect((await alice.get('/apps?cursor=garbage')).status).toBe(400);
    expect((await alice.get('/apps/01NOPE')).status).toBe(404);
    const { body: app } = await alice.post('/apps', sampleApp({ name: 'patchy' }));
    const badPatch = await alice.patch(`/apps/${app.appId}`, { cpu: 0.5 });
    expect(badPatch.status).toBe(400); // 0.5 vCPU needs at least 1024 MiB; the app has 512
    expect((await alice.get(`/apps/${app.appId}`)).body.version).toBe(1);
  });

  it('pages through apps with a cursor', async () => {
    const carol = await signedIn(server.url);
    for (const name of ['a1', 'a2', 'a3']) await carol.post('/apps', sampleApp({ name }));
    const first = await carol.get('/apps?limit=2');
    expect(first.body.items).toHaveLength(2);
    const second = await carol.get(`/apps?limit=2&cursor=${first.body.nextCursor}`);
    expect([...first.body.items, ...second.body.items].map((a: { name: string }) => a.name)).toEqual(['a1', 'a2', 'a3']);
  });
});
