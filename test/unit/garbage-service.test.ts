/** GarbageService: who may collect, what the collector is told to keep, and the cloud's answer (no collector: 503). */
import { describe, expect, it } from 'vitest';
import type { Principal, Run } from '../../shared/domain.js';
import { ClientError, ServiceUnavailableError } from '../../shared/errors.js';
import type { GarbageCollector } from '../../shared/ports.js';
import { GarbageService, RECENT_RUNS_MS } from '../../shared/services/garbage.js';
import type { ImageResolver } from '../../shared/services/image-resolver.js';
import type { RunService } from '../../shared/services/runs.js';

const admin: Principal = { userId: 'A', role: 'admin' };
const user: Principal = { userId: 'U', role: 'user' };

function service(collector?: GarbageCollector) {
  const listed: unknown[] = [];
  const pages: Record<string, { items: Partial<Run>[]; nextCursor?: string }> = {
    first: { items: [{ image: 'containerizer-img/x:1', imageDigest: 'sha256:1' }, { image: 'busybox' }], nextCursor: 'c2' },
    c2: { items: [{ image: 'containerizer-img/y:4' }] },
  };
  const runs = {
    list: async (principal: Principal, query: { cursor?: string; from?: string }) => (listed.push({ principal, ...query }), pages[query.cursor ?? 'first']),
  } as unknown as RunService;
  const images = { imageRefsInUse: async () => new Set(['containerizer-img/app:2']) } as unknown as ImageResolver;
  return { garbage: new GarbageService(images, runs, collector), listed };
}

describe('GarbageService', () => {
  it('keeps the images apps name and those of every run of the last 24 h, across owners', async () => {
    let kept: ReadonlySet<string> | undefined;
    const { garbage, listed } = service({ collect: async (inUse) => ((kept = inUse), { removed: [], bytesFreed: 0 }) });
    const before = Date.now();
    expect(await garbage.collectFor(admin)).toEqual({ removed: [], bytesFreed: 0 });
    expect([...kept!].sort()).toEqual(['busybox', 'containerizer-img/app:2', 'containerizer-img/x:1', 'containerizer-img/y:4', 'sha256:1']);
    expect(listed).toHaveLength(2);
    const from = Date.parse((listed[0] as { from: string }).from);
    expect(from).toBeGreaterThanOrEqual(before - RECENT_RUNS_MS);
    expect(from).toBeLessThanOrEqual(Date.now() - RECENT_RUNS_MS);
    expect((listed[0] as { principal: Principal }).principal.role).toBe('admin');
  });

  it('answers 403 to a non-admin and 503 where the backend has no collector', async () => {
    const collect = async () => ({ removed: [], bytesFreed: 0 });
    await expect(service({ collect }).garbage.collectFor(user)).rejects.toSatisfy((e) => e instanceof ClientError && e.status === 403);
    await expect(service().garbage.collectFor(admin)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});
