/**
 * Dev mode's ContextStore: each version of an image's build context as a tar file under the
 * data dir, `<dataDir>/images/<imageId>/contexts/<version>.tar` (beside the builder's `src/`
 * and build logs), written aside and renamed so a version is never half written.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { contextFromArchive, contextTar, type ContextEntry } from '../../shared/build-context.js';
import type { ContextStore } from '../../shared/ports.js';

export class FileContextStore implements ContextStore {
  /** `dataDir`: the data dir; contexts live under `<dataDir>/images/`. */
  constructor(private readonly dataDir: string) {}

  async put(imageId: string, version: number, context: readonly ContextEntry[]): Promise<void> {
    const file = this.fileOf(imageId, version);
    await mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.${randomUUID()}.tmp`;
    await pipeline(contextTar(context), createWriteStream(partial));
    await rename(partial, file);
  }

  /** Reads the version back through the same validation as an upload. @throws Error (ENOENT) when it is not kept. */
  async get(imageId: string, version: number): Promise<ContextEntry[]> {
    return contextFromArchive(createReadStream(this.fileOf(imageId, version)));
  }

  async removeAll(imageId: string): Promise<void> {
    await rm(path.dirname(this.fileOf(imageId, 1)), { recursive: true, force: true });
  }

  private fileOf(imageId: string, version: number): string {
    // The image id becomes a folder name: refuse anything that could leave the data dir.
    if (!/^[A-Za-z0-9_-]+$/.test(imageId) || !Number.isSafeInteger(version) || version < 1) throw new Error(`invalid image ${imageId} version ${version}`);
    return path.join(this.dataDir, 'images', imageId, 'contexts', `${version}.tar`);
  }
}
