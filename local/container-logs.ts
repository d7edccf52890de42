/**
 * Dev mode's LogSource: a run's logs come from its container while it exists, and from a
 * file per run once they are saved (the container is removed afterwards).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type Docker from 'dockerode';
import { MAIN_CONTAINER, type Run } from '../shared/domain.js';
import { badRequest } from '../shared/errors.js';
import type { LogEvent, LogPage, LogSource, TaskRef } from '../shared/ports.js';
import { dockerStatusCode } from './docker-events.js';
import { taskMembers, type TaskMember } from './task-group.js';

const STREAMS: Record<number, LogEvent['stream'] | undefined> = { 1: 'stdout', 2: 'stderr' };

/**
 * Parses `GET /containers/{id}/logs?timestamps=true` output of a container without a TTY
 * (Docker Engine API, "Stream format"): frames of an 8-byte header — stream type (1 stdout,
 * 2 stderr), three zero bytes, payload size as a big-endian uint32 — then the payload,
 * "<RFC 3339 nano timestamp> <message>\n". Each frame is one event; Docker itself splits
 * lines longer than 16 KiB into several messages. A truncated last frame is ignored.
 */
export function parseDockerLogs(buffer: Buffer): LogEvent[] {
  const events: LogEvent[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    const end = offset + 8 + size;
    if (end > buffer.length) break;
    const stream = STREAMS[buffer[offset]];
    const payload = buffer.toString('utf8', offset + 8, end).replace(/\n$/, '');
    offset = end;
    if (!stream) continue;
    const space = payload.indexOf(' ');
    const timestamp = Date.parse(space < 0 ? payload : payload.slice(0, space));
    events.push({ timestamp, stream, message: space < 0 ? '' : payload.slice(space + 1) });
  }
  return events;
}

/**
 * Dev mode's logs: `read` serves a run's saved file `<logDir>/<runId>.jsonl` (one LogEvent
 * as JSON per line), else its live containers' logs, else nothing. Both hold the same
 * events in the same order (a run's containers merged by timestamp, each event naming its
 * container), so a cursor (the index of the next event, as a decimal string; with
 * `container`, among that container's events) stays valid when the containers give way to the file.
 */
export class ContainerLogs implements LogSource {
  constructor(
    private readonly docker: Docker,
    private readonly logDir: string,
  ) {}

  /**
   * Copies the container's whole log (stdout and stderr) to the run's file. Written to a
   * temporary file and renamed, so a crash never leaves half a file. Throws when the
   * container cannot be read (e.g. 404: already removed).
   */
  async save(runId: string, containerRef: TaskRef): Promise<void> {
    await this.saveTask(runId, [{ container: MAIN_CONTAINER, ref: containerRef }]);
  }

  /** `save` for every container of a run's task, merged by timestamp. Throws when one cannot be read. */
  async saveTask(runId: string, members: readonly TaskMember[]): Promise<void> {
    const events = await this.taskEvents(members);
    const file = this.fileOf(runId);
    const temporary = `${file}.${process.pid}.tmp`;
    await mkdir(this.logDir, { recursive: true });
    await writeFile(temporary, events.map((event) => JSON.stringify(event) + '\n').join(''));
    await rename(temporary, file);
  }

  /**
   * Up to `limit` events from `cursor` on; without a cursor, from the first event at or after
   * `startTime` (ms). Throws an Error on a cursor this class did not produce.
   */
  async read(run: Run, options: { cursor?: string; limit: number; startTime?: number; container?: string }): Promise<LogPage> {
    const all = await this.eventsOf(run);
    const events = options.container === undefined ? all : all.filter((event) => event.container === options.container);
    let from: number;
    if (options.cursor !== undefined) {
      if (!/^\d+$/.test(options.cursor)) throw badRequest('cursor is not valid', [{ field: 'cursor', message: 'not a cursor returned by this API' }]);
      from = Number(options.cursor);
    } else {
      const startTime = options.startTime ?? -Infinity;
      const first = events.findIndex((event) => event.timestamp >= startTime);
      // Nothing at or after startTime yet: later events will be, so continue after the current ones.
      from = first < 0 ? events.length : first;
    }
    const page = events.slice(from, from + Math.max(0, options.limit));
    return { events: page, nextCursor: String(from + page.length) };
  }

  private async eventsOf(run: Run): Promise<LogEvent[]> {
    try {
      const text = await readFile(this.fileOf(run.runId), 'utf8');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogEvent);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (!run.taskRef) return [];
    const members = run.sidecars?.length ? await taskMembers(this.docker, run.runId) : [{ container: MAIN_CONTAINER, ref: run.taskRef }];
    try {
      return await this.taskEvents(members);
    } catch (err) {
      if (dockerStatusCode(err) === 404) return [];
      throw err;
    }
  }

  /** The containers' events merged by timestamp (a stable sort: each container's own order stays). Throws when a container cannot be read (404: removed). */
  private async taskEvents(members: readonly TaskMember[]): Promise<LogEvent[]> {
    const perContainer = await Promise.all(
      members.map(async ({ container, ref }) => (await this.containerEvents(ref)).map(({ timestamp, ...rest }) => ({ timestamp, container, ...rest }))),
    );
    return perContainer.flat().sort((a, b) => a.timestamp - b.timestamp);
  }

  private async containerEvents(containerRef: TaskRef): Promise<LogEvent[]> {
    const buffer = await this.docker.getContainer(containerRef).logs({ stdout: true, stderr: true, timestamps: true, follow: false });
    return parseDockerLogs(buffer);
  }

  private fileOf(runId: string): string {
    // The run id becomes a file name: refuse anything that could leave logDir.
    if (!/^[A-Za-z0-9_-]+$/.test(runId)) throw new Error(`invalid run id "${runId}"`);
    return path.join(this.logDir, `${runId}.jsonl`);
  }
}
