/**
 * Reading a stopped container's file from its overlay2 layers on the host (local/docker/layer-files.ts),
 * on directories laid out as overlay2 lays them out: what a job may have put in its writable layer
 * (links pointing at the host, a FIFO, a deleted file) is never followed nor read, and whatever the
 * layers cannot tell for certain is "unknown" (the caller then asks Docker).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { containerLayers, readLayerFile, type ContainerLayers } from '../../local/docker/layer-files.js';

const FILE = '/tmp/containerizer-result.json';
const isRoot = process.getuid?.() === 0;

let root: string;
let layers: ContainerLayers;
/** Writes `content` at `relative` under `dir`, making the folders on the way. */
const put = (dir: string, relative: string, content: string) => {
  mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
  writeFileSync(path.join(dir, relative), content);
};

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'containerizer-layers-'));
  layers = { upper: path.join(root, 'upper'), lower: [path.join(root, 'init'), path.join(root, 'image')] };
  for (const dir of [layers.upper, ...layers.lower]) mkdirSync(dir);
  put(layers.lower[1]!, 'bin/sh', 'busybox');
  mkdirSync(path.join(layers.lower[1]!, 'tmp'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('readLayerFile', () => {
  it('reads a regular file the job wrote, at most maxBytes of it', async () => {
    put(layers.upper, 'tmp/containerizer-result.json', '{"accuracy": 0.9}');
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'file', content: Buffer.from('{"accuracy": 0.9}') });
    put(layers.upper, 'tmp/containerizer-result.json', 'x'.repeat(100_000));
    const big = await readLayerFile(layers, FILE, 65_537);
    expect(big.kind === 'file' && big.content.length).toBe(65_537);
  });

  it('says none when the job wrote nothing there, with or without a /tmp of its own', async () => {
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'none' });
    put(layers.upper, 'tmp/other.txt', 'x');
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'none' });
  });

  it('never follows a link the job made, at the file or on the way to it: unknown, and the host file stays unread', async () => {
    const host = path.join(root, 'host');
    put(host, 'containerizer-result.json', '{"secret": true}');
    symlinkSync(host, path.join(layers.upper, 'tmp'));
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'unknown' });
    rmSync(path.join(layers.upper, 'tmp'));
    mkdirSync(path.join(layers.upper, 'tmp'));
    symlinkSync(path.join(host, 'containerizer-result.json'), path.join(layers.upper, 'tmp', 'containerizer-result.json'));
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'unknown' });
  });

  it('is unknown for a directory or a FIFO at the path (a read would block or mean nothing)', async () => {
    mkdirSync(path.join(layers.upper, 'tmp', 'containerizer-result.json'), { recursive: true });
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'unknown' });
    rmSync(path.join(layers.upper, 'tmp'), { recursive: true });
    mkdirSync(path.join(layers.upper, 'tmp'));
    execFileSync('mkfifo', [path.join(layers.upper, 'tmp', 'containerizer-result.json')]);
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'unknown' });
  });

  it.runIf(isRoot)("says none for overlayfs's whiteout (the job deleted its file), unknown for a whited-out folder", async () => {
    mkdirSync(path.join(layers.upper, 'tmp'));
    execFileSync('mknod', [path.join(layers.upper, 'tmp', 'containerizer-result.json'), 'c', '0', '0']);
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'none' });
    rmSync(path.join(layers.upper, 'tmp'), { recursive: true });
    execFileSync('mknod', [path.join(layers.upper, 'tmp'), 'c', '0', '0']);
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'unknown' });
  });

  it("is unknown when the image's layers have anything at the path or a link on the way (Docker decides what shows)", async () => {
    put(layers.lower[1]!, 'tmp/containerizer-result.json', '{"baked": true}');
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'unknown' });
    put(layers.upper, 'tmp/containerizer-result.json', '{"mine": true}');
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'unknown' });
    rmSync(path.join(layers.lower[1]!, 'tmp'), { recursive: true });
    symlinkSync('/var/tmp', path.join(layers.lower[1]!, 'tmp'));
    expect(await readLayerFile(layers, FILE, 1024)).toEqual({ kind: 'unknown' });
  });

  it('is unknown when the writable layer is not on this host (a remote daemon), never an error', async () => {
    expect(await readLayerFile({ upper: path.join(root, 'elsewhere'), lower: [] }, FILE, 1024)).toEqual({ kind: 'unknown' });
    expect(await readLayerFile(layers, '/', 1024)).toEqual({ kind: 'unknown' });
  });
});

describe('containerLayers', () => {
  const inspected = (overrides: Record<string, unknown> = {}) =>
    ({
      GraphDriver: {
        Name: 'overlay2',
        Data: { UpperDir: '/var/lib/docker/overlay2/a/diff', LowerDir: '/var/lib/docker/overlay2/a-init/diff:/var/lib/docker/overlay2/b/diff' },
      },
      Mounts: [],
      HostConfig: {},
      ...overrides,
    }) as unknown as Docker.ContainerInspectInfo;

  it("takes overlay2's upper and lower directories, top first", () => {
    expect(containerLayers(inspected(), FILE)).toEqual({
      upper: '/var/lib/docker/overlay2/a/diff',
      lower: ['/var/lib/docker/overlay2/a-init/diff', '/var/lib/docker/overlay2/b/diff'],
    });
    expect(containerLayers(inspected({ Mounts: [{ Destination: '/data' }, { Destination: '/tmpfiles' }] }), FILE)).toBeDefined();
  });

  it('has no answer for another storage driver, nor when a volume, bind or tmpfs is mounted at or above the file', () => {
    expect(containerLayers(inspected({ GraphDriver: { Name: 'overlayfs', Data: null } }), FILE)).toBeUndefined();
    expect(containerLayers(inspected({ GraphDriver: { Name: 'vfs', Data: {} } }), FILE)).toBeUndefined();
    for (const Destination of ['/tmp', '/tmp/', '/', FILE]) expect(containerLayers(inspected({ Mounts: [{ Destination }] }), FILE)).toBeUndefined();
    expect(containerLayers(inspected({ HostConfig: { Tmpfs: { '/tmp': 'rw' } } }), FILE)).toBeUndefined();
  });
});
