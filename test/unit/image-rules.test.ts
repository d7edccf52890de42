/** The pure rules of builds: order, what a change records, which build an app means, the run policy, allowed prefixes. */
import { describe, expect, it } from 'vitest';
import { scanResult } from '../../shared/image-scan.js';
import type { Build } from '../../shared/image-schemas.js';
import { buildFieldsOf, buildRank, builtImagesOf, chosenBuild, isAllowedImage, runRefusal } from '../../shared/rules/image-rules.js';
import { unresolvedImages } from '../../shared/rules/run-rules.js';

const build = (number: number, status: Build['status']): Build => ({
  imageId: 'IMG',
  ownerId: 'u',
  number,
  imageVersion: 1,
  status,
  createdAt: '2030-01-01T00:00:00.000Z',
});

describe('image rules', () => {
  it('orders QUEUED < BUILDING < BUILT = FAILED, so neither final status replaces the other', () => {
    expect(buildRank('QUEUED')).toBeLessThan(buildRank('BUILDING'));
    expect(buildRank('BUILDING')).toBeLessThan(buildRank('BUILT'));
    expect(buildRank('BUILT')).toBe(buildRank('FAILED'));
  });

  it('records the start, then the finish with the duration (ms) and the reference, or the reason', () => {
    const at = new Date('2030-01-01T00:01:00.000Z');
    expect(buildFieldsOf({}, { imageId: 'IMG', buildNumber: 1, buildRef: 'r', lastStatus: 'BUILDING', at })).toEqual({
      startedAt: at.toISOString(),
      buildRef: 'r',
    });
    expect(
      buildFieldsOf(
        { startedAt: '2030-01-01T00:00:30.000Z' },
        { imageId: 'IMG', buildNumber: 1, buildRef: 'r', lastStatus: 'BUILT', at, imageRef: 'i:1', digest: 'sha256:x' },
      ),
    ).toEqual({ finishedAt: at.toISOString(), durationMs: 30_000, imageRef: 'i:1', digest: 'sha256:x' });
    expect(buildFieldsOf({}, { imageId: 'IMG', buildNumber: 1, buildRef: 'r', lastStatus: 'FAILED', at })).toEqual({
      finishedAt: at.toISOString(),
      durationMs: undefined,
      reason: 'the build failed',
    });
  });

  it('means the latest BUILT build unless one is named', () => {
    const builds = [build(1, 'BUILT'), build(2, 'BUILT'), build(3, 'FAILED'), build(4, 'BUILDING')];
    expect(chosenBuild(builds, {})?.number).toBe(2);
    expect(chosenBuild(builds, { build: 3 })?.status).toBe('FAILED');
    expect(chosenBuild([build(1, 'FAILED')], {})).toBeUndefined();
  });

  it('refuses builds with findings at or above the threshold, naming them, and unscanned ones; no threshold refuses nothing', () => {
    const scan = scanResult(
      [
        { id: 'CZ-ROOT-USER', severity: 'HIGH', title: 'root', where: 'Config.User' },
        { id: 'CZ-SETUID', severity: 'MEDIUM', title: 'setuid', where: '/bin/x' },
      ],
      'containerizer-config-checks',
    );
    expect(runRefusal({ number: 1, scan }, 'HIGH')).toBe('image has 1 HIGH findings (policy refuses HIGH and above): CZ-ROOT-USER (Config.User)');
    expect(runRefusal({ number: 1, scan }, 'CRITICAL')).toBeUndefined();
    expect(runRefusal({ number: 1, scan }, undefined)).toBeUndefined();
    expect(runRefusal({ number: 2 }, 'LOW')).toBe('build 2 has not been scanned yet (policy refuses LOW and above)');
  });

  it('allows any image without prefixes, else only those starting with one', () => {
    expect(isAllowedImage('anything', [])).toBe(true);
    expect(isAllowedImage('containerizer/busybox:latest', ['docker.io/', 'containerizer/'])).toBe(true);
    expect(isAllowedImage('docker.io/library/alpine', ['containerizer/'])).toBe(false);
  });

  it("lists the built images an app names, its main container's then its sidecars', and none for image strings", () => {
    const sidecar = { name: 'db', essential: true };
    const app = {
      image: { imageId: 'MAIN' },
      sidecars: [
        { ...sidecar, image: 'postgres:16' },
        { ...sidecar, name: 'cache', image: { imageId: 'SIDE', build: 2 } },
      ],
    };
    expect(builtImagesOf(app)).toEqual([{ imageId: 'MAIN' }, { imageId: 'SIDE', build: 2 }]);
    expect(builtImagesOf({ image: 'busybox', sidecars: [{ ...sidecar, image: 'postgres:16' }] })).toEqual([]);
    expect(builtImagesOf({ image: 'busybox' })).toEqual([]);
    expect(unresolvedImages(app)).toEqual({
      image: 'MAIN',
      sidecars: [
        { ...sidecar, image: 'postgres:16' },
        { ...sidecar, name: 'cache', image: 'SIDE' },
      ],
    });
    expect(unresolvedImages({ image: 'busybox' })).toEqual({ image: 'busybox', sidecars: undefined });
  });
});
