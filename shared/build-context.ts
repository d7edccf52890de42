/**
 * Build contexts: the files an image is built from, validated and normalized the same way
 * whether they arrive as a JSON `files` map or as an uploaded tar / tar.gz, then packed
 * back into a tar for Docker (dev mode) or S3 (cloud). Pure: no Docker, no AWS.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { ClientError, badRequest, payloadTooLarge, type FieldError } from './errors.js';

/**
 * Total bytes of file contents, after base64 decoding or decompression (4 MiB). The API runs
 * on Lambda behind API Gateway HTTP API: API Gateway accepts 10 MB, but a Lambda invocation
 * payload is capped at 6 MB and a binary body reaches it base64-encoded (4/3 larger), as
 * do base64 values in a JSON body; 4 MiB × 4/3 ≈ 5.3 MiB leaves room for the rest.
 */
export const MAX_CONTEXT_BYTES = 4 * 1024 * 1024;

/** Bytes of an uploaded archive as received, compressed or not (same reasoning as MAX_CONTEXT_BYTES). */
export const MAX_ARCHIVE_BYTES = 4 * 1024 * 1024;

/** Entries of a context (files and links; in an archive, directories too). */
export const MAX_FILES = 1000;

/**
 * Bytes of the tar stream an upload may inflate to: MAX_CONTEXT_BYTES of contents plus, per
 * entry, its 512-byte header, a PAX header for a long name (1 KiB) and padding to 512 bytes,
 * plus the end-of-archive blocks. Counted on the gunzip output as it streams, so a small gzip of
 * gigabytes of zeros is refused after reading this much, not after inflating all of it.
 */
export const MAX_INFLATED_BYTES = MAX_CONTEXT_BYTES + MAX_FILES * 2 * 1024 + 10 * 1024;

/**
 * Bytes of one path, UTF-8 (255): one segment can be no longer on Linux (NAME_MAX), and
 * 1000 such paths (≈ 255 KB) keep a context's file list inside one 400 KB DynamoDB item.
 */
export const MAX_PATH_BYTES = 255;

/** Linux follows at most 40 symbolic links resolving one path (MAXSYMLINKS, path_resolution(7)). */
const MAX_LINK_HOPS = 40;

/** The Dockerfile's path in every context. */
export const DOCKERFILE = 'Dockerfile';

/**
 * One entry of a normalized context. Paths are relative, `/`-separated, without `.`, `..` or
 * empty segments. Modes are normalized to 0644 / 0755 (executable or not): owners, times and
 * setuid bits of an upload are not kept. A hard link becomes a copy of its target file.
 */
export type ContextEntry = { type: 'file'; path: string; mode: 0o644 | 0o755; content: Buffer } | { type: 'symlink'; path: string; target: string };

/** A value of the `files` map: the text of the file, or its bytes in base64 (RFC 4648 §4), optionally executable. */
export type FileInput = string | { base64: string; executable?: boolean };

// Checked as a flat character run plus the length: a grouped pattern overflows V8's regex stack on megabytes.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const isBase64 = (text: string) => text.length % 4 === 0 && BASE64.test(text);

const fieldOf = (p: string) => `files.${p}`;
const refused = (p: string, message: string) => badRequest(`the build context is not valid: ${p}: ${message}`, [{ field: fieldOf(p), message }]);

/**
 * Validates a `files` map (relative path → content) and an optional `dockerfile` text,
 * written as `Dockerfile`. With `base` (the current context), the map is merged over it as
 * RFC 7396 merges: a path set to null is removed, the others are added or replaced. Returns the
 * entries sorted by path. Throws ClientError 400 listing every bad file as `files.<path>` (or
 * `dockerfile`), or naming the limit exceeded.
 */
export function contextFromFiles(files: Record<string, FileInput | null>, dockerfile?: string, base: readonly ContextEntry[] = []): ContextEntry[] {
  const errors: FieldError[] = [];
  const entries = new Map<string, ContextEntry>(base.map((e) => [e.path, e]));
  const seen = new Set<string>();
  const all: [string, FileInput | null][] = Object.entries(files);
  if (dockerfile !== undefined) {
    if (DOCKERFILE in files) errors.push({ field: 'dockerfile', message: `give the Dockerfile either as "dockerfile" or as files.${DOCKERFILE}, not both` });
    else all.push([DOCKERFILE, dockerfile]);
  }
  if (all.length > MAX_FILES)
    throw badRequest(`a build context holds at most ${MAX_FILES} files (got ${all.length})`, [{ field: 'files', message: 'too many files' }]);
  for (const [name, value] of all) {
    const problem = pathProblem(name);
    if (problem) {
      errors.push({ field: fieldOf(name), message: problem });
      continue;
    }
    const normalized = stripDotSlash(name);
    if (seen.has(normalized)) {
      errors.push({ field: fieldOf(name), message: `names the same file as another entry (${normalized})` });
      continue;
    }
    seen.add(normalized);
    if (value === null) {
      entries.delete(normalized);
      continue;
    }
    if (typeof value !== 'string' && !isBase64(value.base64)) {
      errors.push({ field: fieldOf(name), message: 'base64 is not valid (RFC 4648 standard alphabet, padded)' });
      continue;
    }
    const content = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.base64, 'base64');
    const executable = typeof value !== 'string' && value.executable === true;
    entries.set(normalized, { type: 'file', path: normalized, mode: executable ? 0o755 : 0o644, content });
  }
  if (entries.size > MAX_FILES)
    throw badRequest(`a build context holds at most ${MAX_FILES} files (got ${entries.size})`, [{ field: 'files', message: 'too many files' }]);
  const bytes = [...entries.values()].reduce((sum, e) => sum + (e.type === 'file' ? e.content.length : 0), 0);
  if (bytes > MAX_CONTEXT_BYTES)
    throw badRequest(`a build context holds at most ${MAX_CONTEXT_BYTES} bytes of file contents (got ${bytes})`, [{ field: 'files', message: 'too large' }]);
  if (errors.length > 0) throw badRequest(`the build context is not valid: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`, errors);
  return finish([...entries.values()]);
}

/**
 * Reads an uploaded tar or tar.gz (gzip recognized by its magic bytes, RFC 1952) as it
 * streams: bytes are counted as read, never taken from headers, and reading stops at the
 * first problem. Returns the entries sorted by path; nothing is kept on failure. Throws
 * ClientError 400 naming the entry (`files.<path>`) or the limit exceeded: absolute paths,
 * `..` or empty segments, links leaving the context, device files and fifos are refused;
 * 413 when a gzip inflates past MAX_INFLATED_BYTES (reading stops there).
 */
export async function contextFromArchive(archive: AsyncIterable<Uint8Array>): Promise<ContextEntry[]> {
  const raw = Readable.from(limitBytes(archive, MAX_ARCHIVE_BYTES, () => badRequest(`an uploaded build context is at most ${MAX_ARCHIVE_BYTES} bytes`)));
  const [head, source] = await peek(raw, 2);
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const inflated = () => payloadTooLarge(`an uploaded build context inflates to at most ${MAX_INFLATED_BYTES} bytes of tar`);
  const input = gzip ? forward(source, Readable.from(limitBytes(forward(source, source.pipe(createGunzip())), MAX_INFLATED_BYTES, inflated))) : source;
  const extract = tar.extract();
  forward(input, input.pipe(extract));

  const entries = new Map<string, ContextEntry>();
  const hardLinks: { path: string; target: string }[] = [];
  let count = 0;
  let bytes = 0;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      const name = header.type === 'directory' ? header.name.replace(/\/+$/, '') : header.name;
      if (++count > MAX_FILES) throw badRequest(`a build context holds at most ${MAX_FILES} entries`, [{ field: 'files', message: 'too many entries' }]);
      const problem = name === '.' || name === './' ? undefined : pathProblem(name);
      if (problem) throw refused(name, problem);
      const normalized = stripDotSlash(name);
      if (entries.has(normalized)) throw refused(name, `appears twice in the archive`);
      switch (header.type) {
        case 'file':
        case 'contiguous-file': {
          const chunks: Buffer[] = [];
          for await (const chunk of entry as AsyncIterable<Buffer>) {
            bytes += chunk.length;
            if (bytes > MAX_CONTEXT_BYTES) throw refused(name, `the context's contents exceed ${MAX_CONTEXT_BYTES} bytes`);
            chunks.push(chunk);
          }
          const mode = ((header.mode ?? 0o644) & 0o111) !== 0 ? 0o755 : 0o644;
          entries.set(normalized, { type: 'file', path: normalized, mode, content: Buffer.concat(chunks) });
          break;
        }
        case 'symlink':
          entries.set(normalized, { type: 'symlink', path: normalized, target: header.linkname ?? '' });
          break;
        case 'link':
          hardLinks.push({ path: normalized, target: stripDotSlash(header.linkname ?? '') });
          break;
        case 'directory':
          // Implied by the files under it; an empty directory is not kept.
          break;
        default:
          throw refused(name, `${header.type ?? 'unknown'} entries are not allowed (only files, directories and links)`);
      }
      // An entry with data left unread would stall the archive: skip whatever remains.
      entry.resume();
    }
  } catch (err) {
    if (err instanceof ClientError) throw err;
    throw badRequest(`the upload is not a valid tar or tar.gz archive: ${err instanceof Error ? err.message : String(err)}`, undefined, err);
  } finally {
    for (const stream of [raw, source, input]) stream.destroy();
  }
  for (const link of hardLinks) {
    const target = entries.get(link.target);
    if (target?.type !== 'file') throw refused(link.path, `hard link to "${link.target}", which is not a file of the archive`);
    if (entries.has(link.path)) throw refused(link.path, 'appears twice in the archive');
    entries.set(link.path, { ...target, path: link.path });
  }
  return finish([...entries.values()]);
}

/**
 * Packs entries into a tar stream (POSIX ustar, PAX headers where names need them), with
 * a fixed mtime and owner so the same context gives the same bytes.
 */
export function contextTar(entries: readonly ContextEntry[]): Readable {
  const pack = tar.pack();
  const common = { mtime: new Date(0), uid: 0, gid: 0 };
  for (const entry of entries) {
    if (entry.type === 'file') pack.entry({ ...common, name: entry.path, mode: entry.mode, type: 'file', size: entry.content.length }, entry.content);
    else pack.entry({ ...common, name: entry.path, mode: 0o777, type: 'symlink', linkname: entry.target });
  }
  pack.finalize();
  // A Node stream (tar-stream packs are streamx streams), for dockerode and the AWS SDK alike.
  return Readable.from(pack as AsyncIterable<Buffer>);
}

/** Path → a SHA-256 (hex) of the entry's type, mode and content or link target: enough to tell versions apart. */
export type ContextManifest = Record<string, string>;

/** The manifest of a context (see ContextManifest). */
export function manifestOf(entries: readonly ContextEntry[]): ContextManifest {
  const manifest: ContextManifest = {};
  for (const entry of entries) {
    const hash = createHash('sha256');
    if (entry.type === 'file') hash.update(`file ${entry.mode.toString(8)}\0`).update(entry.content);
    else hash.update(`symlink\0${entry.target}`);
    manifest[entry.path] = hash.digest('hex');
  }
  return manifest;
}

/** Which paths one version of a context added, removed and modified compared with the previous one; each list sorted. */
export function changedFiles(before: ContextManifest, after: ContextManifest): { added: string[]; removed: string[]; modified: string[] } {
  const added = Object.keys(after).filter((p) => !Object.hasOwn(before, p));
  const removed = Object.keys(before).filter((p) => !Object.hasOwn(after, p));
  const modified = Object.keys(after).filter((p) => Object.hasOwn(before, p) && before[p] !== after[p]);
  return { added: added.sort(), removed: removed.sort(), modified: modified.sort() };
}

/** What is wrong with a path of the context, if anything. A leading `./` (as `tar -C dir .` writes) is allowed. */
function pathProblem(name: string): string | undefined {
  if (name === '') return 'the path is empty';
  if (Buffer.byteLength(name, 'utf8') > MAX_PATH_BYTES) return `the path is longer than ${MAX_PATH_BYTES} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the path contains a control character';
  if (name.startsWith('/')) return 'absolute paths are not allowed';
  const segments = stripDotSlash(name).split('/');
  if (segments.includes('..')) return '".." segments are not allowed';
  if (segments.includes('.')) return '"." segments are not allowed';
  if (segments.includes('')) return 'empty path segments are not allowed';
  return undefined;
}

function stripDotSlash(name: string): string {
  return name.replace(/^(?:\.\/)+/, '');
}

/**
 * The checks that need the whole context: a Dockerfile exists, no path goes through a
 * symbolic link (writing it out would follow the link), and every link resolves inside the
 * context (following the context's own links, as the kernel would).
 */
function finish(entries: ContextEntry[]): ContextEntry[] {
  const links = new Map(entries.flatMap((e) => (e.type === 'symlink' ? [[e.path, e.target] as const] : [])));
  for (const entry of entries) {
    const segments = entry.path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      if (links.has(parent)) throw refused(entry.path, `goes through the symbolic link "${parent}"`);
    }
    if (entry.type === 'symlink' && !resolvesInside(entry.path, entry.target, links))
      throw refused(entry.path, `links to "${entry.target}", outside the context`);
  }
  if (!entries.some((e) => e.path === DOCKERFILE && e.type === 'file')) throw refused(DOCKERFILE, 'a build context needs a Dockerfile at its root');
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Resolves a link's target segment by segment, following the context's links; false when it climbs above the root or loops. */
function resolvesInside(linkPath: string, target: string, links: ReadonlyMap<string, string>): boolean {
  if (target === '' || target.startsWith('/')) return false;
  const resolved = path.posix.dirname(linkPath) === '.' ? [] : path.posix.dirname(linkPath).split('/');
  const pending = target.split('/');
  let hops = 0;
  while (pending.length > 0) {
    const segment = pending.shift()!;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (resolved.length === 0) return false;
      resolved.pop();
      continue;
    }
    resolved.push(segment);
    const next = links.get(resolved.join('/'));
    if (next === undefined) continue;
    if (++hops > MAX_LINK_HOPS || next === '' || next.startsWith('/')) return false;
    resolved.pop();
    pending.unshift(...next.split('/'));
  }
  return true;
}

/** Passes chunks through, throwing `tooMany()` once more than `limit` bytes went by. */
async function* limitBytes(source: AsyncIterable<Uint8Array>, limit: number, tooMany: () => Error): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > limit) throw tooMany();
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  }
}

/** At least the first `bytes` bytes of a stream (fewer if it is shorter), and a stream that still yields them. */
async function peek(stream: Readable, bytes: number): Promise<[Buffer, Readable]> {
  const iterator = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let ended = false;
  while (!ended && Buffer.concat(head).length < bytes) {
    const next = await iterator.next();
    if (next.done) ended = true;
    else head.push(next.value as Buffer);
  }
  async function* rest(): AsyncGenerator<Buffer> {
    yield* head;
    for (let next = ended ? undefined : await iterator.next(); next && !next.done; next = await iterator.next()) yield next.value as Buffer;
  }
  return [Buffer.concat(head), Readable.from(rest())];
}

/** `pipe` does not pass errors on: destroy `to` with `from`'s error, so the reader sees it. */
function forward<T extends { destroy(err?: Error): unknown }>(from: Readable, to: T): T {
  from.once('error', (err) => to.destroy(err));
  return to;
}
