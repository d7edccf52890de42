/**
 * A stopped container's file read straight from its overlay2 layers on the host, without the
 * Docker API. `GET /containers/{id}/archive` right after a container's `die` waits for the
 * daemon's teardown of it (50–85 ms, against 13–20 ms on a settled container); the layers are
 * plain directories (GraphDriver.Data in `GET /containers/{id}/json`: UpperDir, the container's
 * writable layer, over LowerDir, the image's layers), readable at once by a process that may
 * read the daemon's data root (root on the same host).
 *
 * What the job wrote is untrusted: it may have made any part of the path a symbolic link
 * pointing anywhere on the host. So the writable layer is walked one directory at a time with
 * O_NOFOLLOW through `/proc/self/fd/<fd>/<name>` (openat(2)'s guarantee: no component is
 * resolved twice), and only a regular file is read. Whenever the layers cannot say for certain
 * what the container would show at that path — another storage driver, a daemon on another
 * host, a mount over the path, an entry in the image's layers, anything but a directory on the
 * way or a regular file at the end, a permission refused — the answer is "unknown" and the
 * caller asks Docker.
 */
import { constants } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';

/** Where a container's files are on the host: its overlay2 layer directories. */
export interface ContainerLayers {
  /** The container's writable layer (GraphDriver.Data.UpperDir). */
  upper: string;
  /** The read-only layers under it, its init layer and the image's (GraphDriver.Data.LowerDir), top first. */
  lower: string[];
}

/** What the layers say is at a path: a regular file's first bytes, nothing (never written, or deleted), or unknown (ask Docker). */
export type LayerFile = { kind: 'file'; content: Buffer } | { kind: 'none' } | { kind: 'unknown' };

const UNKNOWN: LayerFile = { kind: 'unknown' };
const NONE: LayerFile = { kind: 'none' };

/** GraphDriver in `GET /containers/{id}/json` (Docker Engine API, DriverData), the fields used here. */
interface GraphDriver {
  Name?: string;
  Data?: { UpperDir?: string; LowerDir?: string } | null;
}

/**
 * The layers holding `filePath` (absolute, in the container) of an inspected container, or
 * undefined when they are not the whole story: a driver other than overlay2 (e.g. the containerd
 * image store), a platform other than Linux, or a mount (volume, bind, tmpfs) at or above the path.
 */
export function containerLayers(info: Docker.ContainerInspectInfo, filePath: string): ContainerLayers | undefined {
  if (process.platform !== 'linux') return undefined;
  const driver = info.GraphDriver as GraphDriver | undefined;
  const upper = driver?.Data?.UpperDir;
  if (driver?.Name !== 'overlay2' || !upper || !path.isAbsolute(upper)) return undefined;
  const tmpfs = Object.keys((info.HostConfig as { Tmpfs?: Record<string, string> } | undefined)?.Tmpfs ?? {});
  const mounts = [...(info.Mounts ?? []).map((m) => m.Destination), ...tmpfs];
  if (mounts.some((destination) => covers(destination, filePath))) return undefined;
  const lower = (driver.Data?.LowerDir ?? '').split(':').filter(Boolean);
  return lower.every((dir) => path.isAbsolute(dir)) ? { upper, lower } : undefined;
}

/** Whether a mount at `destination` holds `filePath` (the same path or a folder above it). */
function covers(destination: string, filePath: string): boolean {
  const mount = path.posix.normalize(destination).replace(/\/+$/, '');
  return mount === '' || filePath === mount || filePath.startsWith(`${mount}/`);
}

/**
 * What the container shows at `filePath` (absolute), read from its layers: at most `maxBytes`
 * of a regular file. Never throws: what it cannot tell for certain is `unknown`.
 */
export async function readLayerFile(layers: ContainerLayers, filePath: string, maxBytes: number): Promise<LayerFile> {
  const parts = filePath.split('/').filter(Boolean);
  const name = parts.pop();
  if (name === undefined) return UNKNOWN;
  try {
    // An entry in a read-only layer may show through, or be copied up only in part: Docker knows.
    for (const dir of layers.lower) if (await hasEntry(dir, parts, name)) return UNKNOWN;
    return await readUpper(layers.upper, parts, name, maxBytes);
  } catch {
    return UNKNOWN;
  }
}

/** Whether an image layer (immutable, so lstat step by step is enough) has anything at the path, or something other than a directory on the way. */
async function hasEntry(root: string, parts: readonly string[], name: string): Promise<boolean> {
  let at = root;
  for (const part of parts) {
    at = path.join(at, part);
    const stats = await lstatOrUndefined(at);
    if (stats === undefined) return false;
    if (!stats.isDirectory()) return true;
  }
  return (await lstatOrUndefined(path.join(at, name))) !== undefined;
}

/** The writable layer's answer, walked one directory at a time without following links. */
async function readUpper(root: string, parts: readonly string[], name: string, maxBytes: number): Promise<LayerFile> {
  // The layer's own directory is the daemon's; a missing one (a daemon on another host) is unknown.
  let dir: FileHandle = await open(root, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    for (const part of parts) {
      let next: FileHandle;
      try {
        next = await open(`/proc/self/fd/${dir.fd}/${part}`, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      } catch (err) {
        // Not in the writable layer: never written (the image's layers have nothing there either).
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return NONE;
        throw err;
      }
      await dir.close();
      dir = next;
    }
    const at = `/proc/self/fd/${dir.fd}/${name}`;
    const stats = await lstatOrUndefined(at);
    if (stats === undefined) return NONE;
    // overlayfs's whiteout: the job deleted what it had written.
    if (stats.isCharacterDevice() && stats.rdev === 0) return NONE;
    if (!stats.isFile()) return UNKNOWN;
    const file = await open(at, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!(await file.stat()).isFile()) return UNKNOWN;
      const content = Buffer.alloc(maxBytes);
      let length = 0;
      while (length < maxBytes) {
        const { bytesRead } = await file.read(content, length, maxBytes - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
      }
      return { kind: 'file', content: content.subarray(0, length) };
    } finally {
      await file.close();
    }
  } finally {
    await dir.close();
  }
}

async function lstatOrUndefined(at: string) {
  try {
    return await lstat(at);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
