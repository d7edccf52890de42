/**
 * Dev mode's result file: what a job wrote to RESULT_FILE_PATH, read out of its stopped
 * container (`GET /containers/{id}/archive`, a tar stream) before the container is removed,
 * so a job without network can still report a result.
 */
import type Docker from 'dockerode';
import { extract } from 'tar-stream';
import { RESULT_FILE_PATH } from '../../shared/job-env.js';
import { MAX_RESULT_BYTES } from '../../shared/rules/result-rules.js';
import { logger } from '../../shared/logger.js';
import { dockerErrorMessage, dockerStatusCode } from './docker-events.js';

/**
 * The result file's text, or undefined when the job wrote none or left nothing Docker can read
 * there (a link loop: 500 "too many links"; logged), so a job's path never holds its run back.
 * A file over MAX_RESULT_BYTES (64 KiB) is read only that far plus one byte, so the result
 * check refuses it without the whole file in memory. @throws when Docker does not answer.
 */
export async function readResultFile(docker: Docker, containerRef: string): Promise<string | undefined> {
  let archive: NodeJS.ReadableStream;
  try {
    archive = await docker.getContainer(containerRef).getArchive({ path: RESULT_FILE_PATH });
  } catch (err) {
    const status = dockerStatusCode(err);
    if (status === undefined) throw err;
    if (status !== 404) logger.warn('result file unreadable', { container: containerRef, error: dockerErrorMessage(err) });
    return undefined;
  }
  return new Promise((resolve, reject) => {
    const tar = extract();
    let text: string | undefined;
    tar.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk) => {
        if (header.type === 'file' && text === undefined && size <= MAX_RESULT_BYTES) {
          chunks.push(chunk as Buffer);
          size += (chunk as Buffer).length;
        }
      });
      stream.on('end', () => {
        if (header.type === 'file' && text === undefined)
          text = Buffer.concat(chunks)
            .subarray(0, MAX_RESULT_BYTES + 1)
            .toString('utf8');
        next();
      });
      stream.resume();
    });
    tar.on('finish', () => resolve(text));
    tar.on('error', reject);
    archive.pipe(tar);
  });
}
