/**
 * What a Dockerfile may do on this platform (pure; issue 14):
 * - fetch nothing remote: an ADD source that is a URL (`http://`, `https://`, `git://`, `git@…`, any
 *   `scheme://`) would be fetched by the Docker daemon on the host's network, loopback included;
 *   a RUN step can download inside the build sandbox instead. ADD sources with variables are refused
 *   too (they could expand to a URL); `# syntax=` is refused (a BuildKit frontend is an image the
 *   builder fetches and runs, and it decides what every instruction means);
 * - name the platform's own images only as builds its owner may use: every FROM (variables expanded
 *   from ARG defaults and the image's buildArgs), `COPY|ADD --from=<image>`, `RUN --mount=…from=<image>`,
 *   ONBUILD instructions included. References to builds are returned for the caller to authorize
 *   (owner, BUILT, scan policy); other references into the namespace, and image ids, are refused.
 * The text is read both as the classic builder (dev mode) and as BuildKit (the cloud) read it, with
 * either escape character, and what any reading finds counts.
 */
import { expandWord, parseDockerfile, parseInstruction, splitWords, type Instruction } from '../dockerfile.js';
import { platformImageOf, PLATFORM_REPOSITORY } from '../image-reference.js';

/** A build of a platform image that the Dockerfile names, to authorize. */
export interface NamedBuild {
  imageId: string;
  build: number;
  /** The reference as written after expansion, and where. */
  reference: string;
  line: number;
}

/** What reviewDockerfile found: problems (one sentence each, starting with the line), and the builds named. */
export interface DockerfileReview {
  problems: string[];
  builds: NamedBuild[];
}

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)|:\/\//i;

/**
 * Reviews a Dockerfile with the build args it is built with.
 * @param repositories the cloud's image repositories (see platformImageOf).
 */
export function reviewDockerfile(text: string, buildArgs: Readonly<Record<string, string>>, repositories: readonly string[] = []): DockerfileReview {
  const problems = new Set<string>();
  const builds = new Map<string, NamedBuild>();
  for (const heredocs of [false, true]) {
    for (const escape of [undefined, '\\', '`']) {
      const parsed = parseDockerfile(text, { heredocs, escape });
      if (parsed.directives.syntax !== undefined)
        problems.add(`line 1: the "syntax" parser directive is not allowed (a BuildKit frontend is an image the builder would fetch and run)`);
      new Reviewer(buildArgs, repositories, escape ?? (parsed.directives.escape === '`' ? '`' : '\\'), problems, builds).review(parsed.instructions);
    }
  }
  return { problems: [...problems], builds: [...builds.values()] };
}

/** Walks one reading of a Dockerfile, stage by stage, with the variables in scope. */
class Reviewer {
  private readonly globals = new Map<string, string>();
  private scope = new Map<string, string>();
  private readonly stages = new Set<string>();
  private inStage = false;

  constructor(
    private readonly buildArgs: Readonly<Record<string, string>>,
    private readonly repositories: readonly string[],
    private readonly escape: string,
    private readonly problems: Set<string>,
    private readonly builds: Map<string, NamedBuild>,
  ) {}

  review(instructions: readonly Instruction[]): void {
    for (const ins of instructions) this.instruction(ins, false);
  }

  private instruction(ins: Instruction, onBuild: boolean): void {
    switch (ins.keyword) {
      case 'ARG':
        for (const word of splitWords(ins.rest, this.escape)) this.arg(word);
        return;
      case 'ENV':
        if (this.inStage) this.env(splitWords(ins.rest, this.escape));
        return;
      case 'FROM': {
        const image = ins.args[0];
        if (image !== undefined) {
          const reference = this.expand(image, this.globals, ins, 'FROM');
          if (reference !== undefined && !this.stages.has(reference.toLowerCase())) this.image(reference, ins, 'FROM');
        }
        const as = ins.args.findIndex((word) => word.toLowerCase() === 'as');
        if (as > 0 && ins.args[as + 1]) this.stages.add(ins.args[as + 1]!.toLowerCase());
        this.scope = new Map();
        this.inStage = true;
        return;
      }
      case 'COPY':
      case 'ADD':
        for (const flag of ins.flags.filter((f) => f.name === 'from')) this.stageOrImage(flag.value, ins, `${ins.keyword} --from`);
        if (ins.keyword === 'ADD') this.addSources(ins);
        return;
      case 'RUN':
        for (const flag of ins.flags.filter((f) => f.name === 'mount')) {
          for (const field of flag.value.split(',')) {
            const [key, ...value] = field.replace(/^["']|["']$/g, '').split('=');
            if (key?.trim().toLowerCase() === 'from') this.stageOrImage(value.join('='), ins, 'RUN --mount from');
          }
        }
        return;
      case 'ONBUILD': {
        // Runs in the builds of every image FROM this one, where this Dockerfile is not read again.
        const inner = parseInstruction(ins.rest, ins.line, this.escape);
        if (inner && !onBuild) this.instruction(inner, true);
        return;
      }
    }
  }

  private arg(word: string): void {
    const eq = word.indexOf('=');
    const name = eq < 0 ? word : word.slice(0, eq);
    const fallback =
      eq < 0
        ? this.inStage
          ? this.globals.get(name)
          : undefined
        : (expandWord(word.slice(eq + 1), this.inStage ? this.scope : this.globals, this.escape) ?? '');
    const value = Object.hasOwn(this.buildArgs, name) ? this.buildArgs[name] : fallback;
    if (value === undefined) return;
    (this.inStage ? this.scope : this.globals).set(name, value);
  }

  private env(args: readonly string[]): void {
    if (args.length >= 2 && !args[0]!.includes('=')) {
      this.scope.set(args[0]!, args.slice(1).join(' '));
      return;
    }
    for (const word of args) {
      const eq = word.indexOf('=');
      if (eq > 0) this.scope.set(word.slice(0, eq), expandWord(word.slice(eq + 1), this.scope, this.escape) ?? '');
    }
  }

  private stageOrImage(value: string, ins: Instruction, where: string): void {
    const reference = this.expand(value, this.scope, ins, where);
    if (reference === undefined || /^\d+$/.test(reference) || this.stages.has(reference.toLowerCase())) return;
    this.image(reference, ins, where);
  }

  private image(reference: string, ins: Instruction, where: string): void {
    const platform = platformImageOf(reference, this.repositories);
    if (!platform) return;
    if (platform.kind === 'build') {
      this.builds.set(`${platform.imageId}:${platform.build}`, { imageId: platform.imageId, build: platform.build, reference, line: ins.line });
    } else if (platform.kind === 'id') {
      this.problems.add(
        `line ${ins.line}: ${where} "${reference}" is an image id (or could be read as one): name images by repository and tag, or a build of yours by its tag`,
      );
    } else {
      this.problems.add(
        `line ${ins.line}: ${where} "${reference}" is in the platform's own image namespace (${PLATFORM_REPOSITORY}/…) but names no build: name a build of yours by its tag`,
      );
    }
  }

  /** Every argument is looked at, the destination too: a misread split must not hide a URL (a URL is no destination anyway). */
  private addSources(ins: Instruction): void {
    const words = ins.args.filter((word) => !word.startsWith('<<'));
    for (const [i, word] of words.entries()) {
      const plain = word.replace(/["']/g, '');
      if (REMOTE.test(plain) || REMOTE.test(expandWord(word, new Map(), this.escape) ?? plain)) {
        this.problems.add(
          `line ${ins.line}: ADD "${word}" would fetch from the network: builds fetch nothing remote with ADD; download in a RUN step (inside the build sandbox) instead`,
        );
      } else if (i < words.length - 1 && word.includes('$')) {
        this.problems.add(`line ${ins.line}: ADD source "${word}" uses a variable: ADD sources must be files of the context, written out (use COPY)`);
      }
    }
  }

  /** A word expanded with `vars`; a form that cannot be expanded is a problem (undefined). */
  private expand(word: string, vars: ReadonlyMap<string, string>, ins: Instruction, where: string): string | undefined {
    const value = expandWord(word, vars, this.escape);
    if (value === undefined)
      this.problems.add(`line ${ins.line}: ${where} "${word}" uses a variable substitution that cannot be checked: use $NAME, \${NAME} or \${NAME:-default}`);
    return value;
  }
}
