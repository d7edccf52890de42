/**
 * The hand-over of a run's result file (RESULT_FILE_PATH in its main container) once the run
 * stopped and before its terminal status is written (issue 15: a finished run is a complete
 * run). The file is read from the container's writable layer on the host when the layers can
 * tell (layer-files.ts: well under a millisecond), else through Docker's archive call
 * (result-file.ts), which right after `die` waits out the daemon's teardown of the container.
 * Where the layers are is asked of Docker once the container is created, while it starts.
 */
import type Docker from 'dockerode';
import { RESULT_FILE_PATH } from '../../shared/job-env.js';
import { MAX_RESULT_BYTES } from '../../shared/rules/result-rules.js';
import type { TaskRef } from '../../shared/ports.js';
import { containerLayers, readLayerFile, type ContainerLayers } from './layer-files.js';
import { readResultFile } from './result-file.js';

/** Receives the text a job left in its result file. Throwing fails the hand-over, which the next STOPPED change tries again. */
export type ResultFileHook = (runId: string, text: string) => Promise<void>;

/** Hands each stopped run's result file over once (by run id, until `forget`). */
export class ResultHandOver {
  /** The hand-over of each stopped run under way or done: a repeated STOPPED change reads the file once. */
  private readonly handedOver = new Map<string, Promise<void>>();
  /** Where each run's main container keeps its files on the host, asked when it was created (undefined: ask Docker for the file). */
  private readonly layers = new Map<string, { ref: TaskRef; layers: Promise<ContainerLayers | undefined> }>();

  constructor(
    private readonly docker: Docker,
    private readonly onResultFile: ResultFileHook | undefined,
  ) {}

  /** Asks Docker, in the background, where the run's created main container `ref` keeps its files; never throws (an unanswered question only means the slower read). */
  locate(runId: string, ref: TaskRef): void {
    if (!this.onResultFile) return;
    const layers = this.docker
      .getContainer(ref)
      .inspect()
      .then(
        (info) => containerLayers(info, RESULT_FILE_PATH),
        () => undefined,
      );
    this.layers.set(runId, { ref, layers });
  }

  /**
   * Gives what the job left in its result file (if anything) to the hook, once per run:
   * concurrent and repeated calls share the first that did not fail. @throws the hook's error,
   * or Docker's when the file cannot be read.
   */
  handOver(runId: string, ref: TaskRef): Promise<void> {
    const onResultFile = this.onResultFile;
    if (!onResultFile) return Promise.resolve();
    let handing = this.handedOver.get(runId);
    if (!handing) {
      handing = (async () => {
        const text = await this.read(runId, ref);
        if (text !== undefined) await onResultFile(runId, text);
      })();
      this.handedOver.set(runId, handing);
      // A failed hand-over is tried again with the next STOPPED change.
      handing.catch(() => {
        if (this.handedOver.get(runId) === handing) this.handedOver.delete(runId);
      });
    }
    return handing;
  }

  /** Drops what is kept about a released run. */
  forget(runId: string): void {
    this.handedOver.delete(runId);
    this.layers.delete(runId);
  }

  /**
   * The result file's text, or undefined when the job wrote none: from the layers when they can
   * tell, else from Docker. At most MAX_RESULT_BYTES + 1 bytes, so the result check refuses a
   * bigger file without it all in memory.
   */
  private async read(runId: string, ref: TaskRef): Promise<string | undefined> {
    const located = this.layers.get(runId);
    const layers = located?.ref === ref ? await located.layers : undefined;
    if (layers) {
      const file = await readLayerFile(layers, RESULT_FILE_PATH, MAX_RESULT_BYTES + 1);
      if (file.kind === 'none') return undefined;
      if (file.kind === 'file') return file.content.toString('utf8');
    }
    return readResultFile(this.docker, ref);
  }
}
