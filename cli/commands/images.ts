/** images build DIR: upload a folder as a build context, build it, follow the build log. */
import type { Command } from 'commander';
import { problemError, unwrap } from '../client.js';
import { packContext, uploadStream } from '../context-archive.js';
import { examples, globals, sessionOf } from '../context.js';
import { followLog } from '../follow.js';
import { printData, status } from '../output.js';
import { writeLine } from '../run-follow.js';
import { basename, resolve } from 'node:path';
import { EXIT } from '../exit-codes.js';

const KIB = 1024;
const size = (bytes: number) => (bytes < KIB ? `${bytes} B` : bytes < 1024 * KIB ? `${(bytes / KIB).toFixed(0)} KiB` : `${(bytes / KIB / KIB).toFixed(1)} MiB`);

export function imageCommands(program: Command): void {
  const images = examples(program.command('images').description('Images built from source'), ['containerizer images build ./my-image --follow']);
  examples(
    images
      .command('build <dir>')
      .description('Upload a folder (with its Dockerfile) as a new image and build it')
      .option('--name <name>', 'the image name (default: the folder’s name)')
      .option('-f, --follow', 'stream the build log until the build ends; exit 1 when it FAILED')
      .action(async (dir: string, options: { name?: string; follow?: boolean }, command: Command) => {
        const session = await sessionOf(command);
        const archive = await packContext(dir);
        const name = options.name ?? basename(resolve(dir));
        const tty = process.stderr.isTTY;
        const body = uploadStream(archive, (sent, total) => {
          if (tty || sent === total)
            process.stderr.write(
              `${tty ? '\r' : ''}uploading ${name}: ${size(sent)} / ${size(total)} (${Math.round((sent / total) * 100)}%)${sent === total ? '\n' : ''}`,
            );
        });
        const res = await session.send(
          new Request(`${session.api}/images?${new URLSearchParams({ name })}`, {
            method: 'POST',
            headers: { 'content-type': 'application/gzip' },
            body,
            duplex: 'half',
          } as RequestInit),
        );
        if (!res.ok) throw problemError(res, await res.json().catch(() => undefined));
        const image = (await res.json()) as { imageId: string };
        const build = unwrap(await session.client.POST('/images/{imageId}/builds', { params: { path: { imageId: image.imageId } } }));
        process.stderr.write(`image ${image.imageId}: build ${build.number} ${build.status}\n`);
        if (!options.follow) {
          const { output } = globals(command);
          if (output === 'table') process.stdout.write(`${image.imageId}\n`);
          else printData(output, { imageId: image.imageId, build });
          return;
        }
        const end = await followLog(session, `/images/${image.imageId}/builds/${build.number}/logs`, writeLine);
        process.stderr.write(`build ${build.number}: ${status(String(end?.status))}${end?.reason ? ` (${end.reason})` : ''}\n`);
        process.stdout.write(`${image.imageId}\n`);
        if (end?.status !== 'BUILT') process.exitCode = EXIT.ERROR;
      }),
    ['containerizer images build ./my-image --follow', 'containerizer images build . --name greeter'],
  );
}
