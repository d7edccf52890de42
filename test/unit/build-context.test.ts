import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import tar, { type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import {
  MAX_ARCHIVE_BYTES,
  MAX_CONTEXT_BYTES,
  MAX_FILES,
  MAX_INFLATED_BYTES,
  MAX_PATH_BYTES,
  changedFiles,
  contextFromArchive,
  contextFromFiles,
  contextTar,
  manifestOf,
  type ContextEntry,
} from '../../shared/build-context.js';
import { ClientError } from '../../shared/errors.js';

const DOCKERFILE = 'FROM containerizer/busybox:latest\n';

/** A tar archive of raw headers (contents as strings), for entries contextTar would never write. */
async function archive(entries: { header: Partial<Header> & { name: string }; content?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { header, content } of entries) pack.entry(header, content ?? '');
  pack.finalize();
  return collect(pack as AsyncIterable<Uint8Array>);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Feeds a buffer in small chunks, as a request body arrives. */
async function* chunked(buffer: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let i = 0; i < buffer.length; i += size) yield buffer.subarray(i, i + size);
}

const file = (name: string, content = 'x', mode = 0o644) => ({ header: { name, type: 'file' as const, mode }, content });
const dockerfile = file('Dockerfile', DOCKERFILE);

async function refusal(promise: Promise<unknown> | (() => unknown)): Promise<ClientError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (err) {
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).status).toBe(400);
    return err as ClientError;
  }
  throw new Error('expected a 400');
}

describe('contextFromFiles', () => {
  it('normalizes a files map and the dockerfile field into sorted entries', () => {
    const entries = contextFromFiles(
      { 'src/run.sh': { base64: Buffer.from('echo hi\n').toString('base64'), executable: true }, './a.txt': 'text' },
      DOCKERFILE,
    );
    expect(entries).toEqual([
      { type: 'file', path: 'Dockerfile', mode: 0o644, content: Buffer.from(DOCKERFILE) },
      { type: 'file', path: 'a.txt', mode: 0o644, content: Buffer.from('text') },
      { type: 'file', path: 'src/run.sh', mode: 0o755, content: Buffer.from('echo hi\n') },
    ]);
  });

  it('names every bad file in the field errors', async () => {
    const err = await refusal(() =>
      contextFromFiles({
        Dockerfile: DOCKERFILE,
        '/etc/passwd': 'x',
        'a/../../b': 'x',
        'a//b': 'x',
        'a/./b': 'x',
        'bad.bin': { base64: 'not base64!' },
        'a\nb': 'x',
      }),
    );
    const expected = ['files./etc/passwd', 'files.a\nb', 'files.a//b', 'files.a/../../b', 'files.a/./b', 'files.bad.bin'];
    expect(err.errors?.map((e) => e.field).sort()).toEqual(expected.sort());
  });

  it('refuses a Dockerfile given twice, a missing Dockerfile and two names of one file', async () => {
    expect((await refusal(() => contextFromFiles({ Dockerfile: DOCKERFILE }, DOCKERFILE))).errors?.[0]?.field).toBe('dockerfile');
    expect((await refusal(() => contextFromFiles({ 'a.txt': 'x' }))).errors?.[0]?.field).toBe('files.Dockerfile');
    expect((await refusal(() => contextFromFiles({ Dockerfile: DOCKERFILE, a: 'x', './a': 'y' }))).errors?.[0]?.field).toBe('files../a');
  });

  it('enforces the limits on paths, file count and total size', async () => {
    const long = 'd/'.repeat(128) + 'f';
    expect((await refusal(() => contextFromFiles({ Dockerfile: DOCKERFILE, [long]: 'x' }))).errors?.[0]?.field).toBe(`files.${long}`);
    const ok = 'é'.repeat((MAX_PATH_BYTES - 1) / 2);
    expect(contextFromFiles({ Dockerfile: DOCKERFILE, [ok]: 'x' })).toHaveLength(2);
    const many = Object.fromEntries(Array.from({ length: MAX_FILES }, (_, i) => [`f${i}`, 'x']));
    await refusal(() => contextFromFiles(many, DOCKERFILE));
    delete many.f0;
    expect(contextFromFiles(many, DOCKERFILE)).toHaveLength(MAX_FILES);
    const big = { base64: Buffer.alloc(MAX_CONTEXT_BYTES).toString('base64') };
    await refusal(() => contextFromFiles({ big }, DOCKERFILE));
  });
});

describe('contextFromArchive', () => {
  it('reads a tar and a tar.gz the same way, with a leading ./ and directories', async () => {
    const tarBuffer = await archive([
      { header: { name: './', type: 'directory' } },
      { header: { name: './src/', type: 'directory' } },
      file('./Dockerfile', DOCKERFILE),
      file('./src/run.sh', 'echo hi\n', 0o4755),
    ]);
    const expected: ContextEntry[] = [
      { type: 'file', path: 'Dockerfile', mode: 0o644, content: Buffer.from(DOCKERFILE) },
      { type: 'file', path: 'src/run.sh', mode: 0o755, content: Buffer.from('echo hi\n') },
    ];
    expect(await contextFromArchive(chunked(tarBuffer))).toEqual(expected);
    expect(await contextFromArchive(chunked(gzipSync(tarBuffer), 1))).toEqual(expected);
  });

  it('keeps links that stay inside and copies hard-linked files', async () => {
    const entries = await contextFromArchive(
      chunked(
        await archive([
          dockerfile,
          file('lib/a.txt', 'A'),
          { header: { name: 'lib/up', type: 'symlink', linkname: '..' } },
          { header: { name: 'b.txt', type: 'symlink', linkname: 'lib/a.txt' } },
          { header: { name: 'c.txt', type: 'link', linkname: 'lib/a.txt' } },
        ]),
      ),
    );
    expect(entries.map((e) => (e.type === 'file' ? `${e.path}=${e.content}` : `${e.path}->${e.target}`))).toEqual([
      'Dockerfile=' + DOCKERFILE,
      'b.txt->lib/a.txt',
      'c.txt=A',
      'lib/a.txt=A',
      'lib/up->..',
    ]);
  });

  it.each([
    ['an absolute path', [file('/etc/passwd')], 'files./etc/passwd'],
    ['a .. segment', [file('a/../../x')], 'files.a/../../x'],
    ['a character device', [{ header: { name: 'tty', type: 'character-device' as const, devmajor: 5, devminor: 0 } }], 'files.tty'],
    ['a block device', [{ header: { name: 'sda', type: 'block-device' as const, devmajor: 8, devminor: 0 } }], 'files.sda'],
    ['a fifo', [{ header: { name: 'pipe', type: 'fifo' as const } }], 'files.pipe'],
    ['an absolute symlink', [{ header: { name: 'passwd', type: 'symlink' as const, linkname: '/etc/passwd' } }], 'files.passwd'],
    ['a symlink climbing out', [{ header: { name: 'a/out', type: 'symlink' as const, linkname: '../../x' } }], 'files.a/out'],
    [
      'a symlink climbing out through another link',
      [{ header: { name: 'sub/up', type: 'symlink' as const, linkname: '..' } }, { header: { name: 'y', type: 'symlink' as const, linkname: 'sub/up/../..' } }],
      'files.y',
    ],
    [
      'a symlink loop',
      [{ header: { name: 'p', type: 'symlink' as const, linkname: 'q/x' } }, { header: { name: 'q', type: 'symlink' as const, linkname: 'p' } }],
      'files.p',
    ],
    ['a file written through a symlink', [{ header: { name: 'dir', type: 'symlink' as const, linkname: 'real' } }, file('dir/x')], 'files.dir/x'],
    ['a hard link to a file outside', [{ header: { name: 'h', type: 'link' as const, linkname: '../etc/shadow' } }], 'files.h'],
    ['a duplicate entry', [file('a'), file('./a')], 'files../a'],
  ])('refuses %s, naming the entry', async (_, bad, field) => {
    const err = await refusal(contextFromArchive(chunked(await archive([dockerfile, ...bad]))));
    expect(err.errors?.[0]?.field).toBe(field);
  });

  it('counts bytes as they are read: a gzip bomb and an oversized archive are refused', async () => {
    const bomb = gzipSync(await archive([dockerfile, file('zeros', '\0'.repeat(MAX_CONTEXT_BYTES + 1))]));
    expect(bomb.length).toBeLessThan(MAX_ARCHIVE_BYTES / 100);
    expect((await refusal(contextFromArchive(chunked(bomb, 64 * 1024)))).errors?.[0]?.field).toBe('files.zeros');
    const huge = Buffer.alloc(MAX_ARCHIVE_BYTES + 1);
    expect((await refusal(contextFromArchive(chunked(huge, 64 * 1024)))).message).toMatch(`at most ${MAX_ARCHIVE_BYTES} bytes`);
  });

  it('stops inflating a gzip at MAX_INFLATED_BYTES: gigabytes of zeros after a valid archive are a 413 after a few KB read', async () => {
    // Zeros past the end-of-archive blocks count as no entry's contents: only the inflated stream's own count stops them.
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    const bomb = gzipSync(Buffer.concat([await archive([dockerfile]), zeros, zeros, zeros, zeros]));
    let pulled = 0;
    async function* counted(): AsyncGenerator<Buffer> {
      for await (const chunk of chunked(bomb, 1024)) {
        pulled += chunk.length;
        yield chunk;
      }
    }
    const err = await contextFromArchive(counted()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).status).toBe(413);
    expect((err as ClientError).message).toMatch(`at most ${MAX_INFLATED_BYTES} bytes`);
    // 256 MiB of zeros deflate to about 1/1000: reading stopped near the cap's share (plus the streams' read-ahead, 64 KiB
    // since Node 22), far from the end.
    expect(pulled).toBeLessThan(bomb.length / 3);
  });

  it('refuses too many entries and input that is not an archive', async () => {
    const many = Array.from({ length: MAX_FILES }, (_, i) => file(`f${i}`));
    await refusal(contextFromArchive(chunked(await archive([dockerfile, ...many]))));
    const err = await refusal(contextFromArchive(chunked(Buffer.from('this is not a tar archive'.repeat(40)))));
    expect(err.message).toMatch(/not a valid tar/);
    await refusal(contextFromArchive(chunked(Buffer.from([0x1f, 0x8b, 1, 2, 3]))));
  });

  it('reads back exactly what contextTar packs (any valid files map)', async () => {
    const segment = fc.stringMatching(/^[a-zA-Z0-9_é-][a-zA-Z0-9._é -]{0,12}$/).filter((s) => s !== '.' && s !== '..');
    const filePath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
    const content = fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 2000 }).map((b) => ({ base64: Buffer.from(b).toString('base64'), executable: b.length % 2 === 0 })),
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(filePath, content, { maxKeys: 20 }), async (files) => {
        delete files.Dockerfile;
        // A path that is also a directory of another path cannot exist in one tree.
        const paths = Object.keys(files);
        if (paths.some((p) => paths.some((q) => q.startsWith(p + '/')))) return;
        const entries = contextFromFiles(files, DOCKERFILE);
        expect(await contextFromArchive(contextTar(entries))).toEqual(entries);
      }),
      { numRuns: 50 },
    );
  });
});

describe('changedFiles', () => {
  it('lists added, removed and modified paths, a mode change included', () => {
    const before = manifestOf(contextFromFiles({ 'keep.txt': 'same', 'edit.txt': 'old', 'gone.txt': 'x', 'run.sh': 'echo' }, DOCKERFILE));
    const after = manifestOf(
      contextFromFiles(
        { 'keep.txt': 'same', 'edit.txt': 'new', 'new.txt': 'x', 'run.sh': { base64: Buffer.from('echo').toString('base64'), executable: true } },
        DOCKERFILE,
      ),
    );
    expect(changedFiles(before, after)).toEqual({ added: ['new.txt'], removed: ['gone.txt'], modified: ['edit.txt', 'run.sh'] });
    expect(changedFiles(after, after)).toEqual({ added: [], removed: [], modified: [] });
  });
});
