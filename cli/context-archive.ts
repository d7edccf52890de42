/**
 * `images build DIR`: a local folder as the build context POST /images takes (a tar.gz, packed
 * with the platform's own contextTar so modes and links are kept as the API normalizes them),
 * uploaded as a stream that reports its progress.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { createGzip } from 'node:zlib';
import { contextTar, type ContextEntry } from '../shared/build-context.js';

/** The folder's files and links (folders are implied by their paths), `/`-separated. */
export async function readContext(dir: string): Promise<ContextEntry[]> {
  const entries: ContextEntry[] = [];
  for (const name of await readdir(dir, { recursive: true })) {
    const full = join(dir, name);
    const path = relative(dir, full).split(sep).join('/');
    const info = await stat(full).catch(() => undefined);
    const link = await readlink(full).catch(() => undefined);
    if (link !== undefined) entries.push({ type: 'symlink', path, target: link });
    else if (info?.isFile()) entries.push({ type: 'file', path, mode: info.mode & 0o111 ? 0o755 : 0o644, content: await readFile(full) });
  }
  return entries.sort((a, b) => a.path.localeCompare(b.path));
}

/** The folder as a tar.gz. */
export async function packContext(dir: string): Promise<Buffer> {
  return buffer(contextTar(await readContext(dir)).pipe(createGzip()));
}

/** `data` as a stream of 64 KiB chunks, calling `onProgress(bytesSent, total)` as each is taken. */
export function uploadStream(data: Buffer, onProgress: (sent: number, total: number) => void): ReadableStream<Uint8Array> {
  const CHUNK = 64 * 1024;
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= data.length) return controller.close();
      const chunk = data.subarray(offset, offset + CHUNK);
      offset += chunk.length;
      controller.enqueue(new Uint8Array(chunk));
      onProgress(offset, data.length);
    },
  });
}
