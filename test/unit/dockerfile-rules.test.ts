/** What a Dockerfile may do (shared/rules/dockerfile-rules.ts) and the platform's image namespace (shared/image-reference.ts platformImageOf). */
import { describe, expect, it } from 'vitest';
import { ecrImageTag } from '../../shared/aws/build-events.js';
import { parseDockerfile } from '../../shared/dockerfile.js';
import { platformImageOf } from '../../shared/image-reference.js';
import { reviewDockerfile } from '../../shared/rules/dockerfile-rules.js';
import { ImageAccess } from '../../shared/services/image-access.js';
import type { ImageStore } from '../../shared/store/image-store.js';
import { imageTag } from '../../local/images/docker-image-builder.js';

const ID = '01JABCDEFGHJKMNPQRSTVWXYZ0';
const TAG = imageTag(ID, 3);
const IMAGE_OF_BUSYBOX = 'containerizer/busybox:latest';
const ECR = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/containerizer-images';

describe('platformImageOf', () => {
  it("knows dev mode's and the cloud's build tags, as the builders write them", () => {
    expect(platformImageOf(TAG)).toEqual({ kind: 'build', imageId: ID, build: 3 });
    expect(platformImageOf(`docker.io/${TAG}`)).toEqual({ kind: 'build', imageId: ID, build: 3 });
    expect(platformImageOf(`index.docker.io/${TAG}`)).toEqual({ kind: 'build', imageId: ID, build: 3 });
    expect(platformImageOf(`${ECR}:${ecrImageTag(ID, 3)}`)).toEqual({ kind: 'build', imageId: ID, build: 3 });
    // Another repository's tag of that shape still names the platform's build pattern on ECR.
    expect(platformImageOf(`123456789012.dkr.ecr.us-east-1.amazonaws.com/other:${ecrImageTag(ID, 1)}`)).toMatchObject({ kind: 'build' });
  });

  it("treats the rest of the namespace, the repository by digest, and image ids as the platform's", () => {
    expect(platformImageOf('containerizer-img/x')).toEqual({ kind: 'namespace' });
    expect(platformImageOf(`containerizer-img/${ID.toLowerCase()}:latest`)).toEqual({ kind: 'namespace' });
    expect(platformImageOf(`${TAG}@sha256:${'a'.repeat(64)}`)).toEqual({ kind: 'namespace' });
    expect(platformImageOf(`${ECR}@sha256:${'a'.repeat(64)}`, [ECR])).toEqual({ kind: 'namespace' });
    expect(platformImageOf(`${ECR}:anything`, [ECR])).toEqual({ kind: 'namespace' });
    expect(platformImageOf('a'.repeat(64))).toEqual({ kind: 'id' });
    expect(platformImageOf(`sha256:${'b'.repeat(64)}`)).toEqual({ kind: 'id' });
    // A short hexadecimal name: the daemon looks it up as an id prefix when no repository has it.
    expect(platformImageOf('cd0b82')).toEqual({ kind: 'id' });
  });

  it('leaves every other image alone', () => {
    for (const image of [
      'containerizer/busybox:latest',
      'busybox',
      'library/containerizer-img/x',
      'localhost:5000/containerizer-img/x:1',
      `${ECR}:latest`,
      'cafe:1',
    ])
      expect(platformImageOf(image), image).toBeUndefined();
  });
});

describe('parseDockerfile', () => {
  it('joins continuations, drops comments inside them, and reads keywords in any case', () => {
    const { instructions } = parseDockerfile('from busybox\nadd \\\n  # a comment\n\n  a /b\nRun echo hi', { heredocs: false });
    expect(instructions.map((i) => [i.keyword, i.line, i.args])).toEqual([
      ['FROM', 1, ['busybox']],
      ['ADD', 2, ['a', '/b']],
      ['RUN', 6, ['echo', 'hi']],
    ]);
  });

  it('honours the escape directive only where Docker does', () => {
    expect(parseDockerfile('# escape=`\nFROM a\nADD `\n x /y', { heredocs: false }).instructions[1]!.args).toEqual(['x', '/y']);
    // After an unknown directive (a comment), escape= is a comment too.
    expect(parseDockerfile('# foo=bar\n# escape=`\nFROM a', { heredocs: false }).directives).toEqual({});
  });

  it('skips heredoc bodies only for BuildKit', () => {
    const text = 'FROM a\nRUN <<EOF\nADD x /y\nEOF\nCOPY b /c';
    expect(parseDockerfile(text, { heredocs: true }).instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN', 'COPY']);
    expect(parseDockerfile(text, { heredocs: false }).instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN', 'ADD', 'EOF', 'COPY']);
  });
});

describe('reviewDockerfile', () => {
  const problems = (text: string, args: Record<string, string> = {}) => reviewDockerfile(text, args).problems;

  it('refuses ADD from the network in every spelling, naming the line', () => {
    for (const add of [
      'ADD http://127.0.0.1:3000/x /x',
      'add https://169.254.169.254/latest/meta-data/ /m',
      'ADD --chown=1 HTTP://example.com/x /x',
      'ADD ["http://127.0.0.1/x", "/x"]',
      'ADD git@github.com:o/r.git /r',
      'ADD git://example.com/r /r',
      'ADD "http://127.0.0.1/x" /x',
      'ADD \\\n  http://127.0.0.1/x /x',
      'ONBUILD ADD http://127.0.0.1/x /x',
      // Docker splits ADD's arguments on whitespace alone: a quote does not join words.
      "ADD it's http://127.0.0.1/x /x",
      'ADD "a http://127.0.0.1/x" /x',
      'ADD h\\ttp:\\/\\/127.0.0.1/x /x',
    ]) {
      const found = problems(`FROM busybox\n${add}`);
      expect(found, add).toHaveLength(1);
      expect(found[0], add).toMatch(/^line 2: ADD .* would fetch from the network/);
    }
    expect(problems('FROM busybox\nADD $URL /x')).toEqual([expect.stringContaining('uses a variable')]);
    expect(problems('FROM busybox\nADD a.tar /x\nCOPY http.txt /y')).toEqual([]);
  });

  it('finds an ADD the other builder would see: in a heredoc body, or with the other escape character', () => {
    // The classic builder (dev mode) knows no heredocs: it reads the body as instructions.
    expect(problems('FROM busybox\nRUN <<EOF\nADD http://127.0.0.1/x /x\nEOF')).toEqual([expect.stringContaining('line 3: ADD')]);
    // A heredoc terminator BuildKit would miss does not hide the lines after it from the check.
    expect(problems('FROM busybox\nCOPY <<EOF /f\nEOF \nADD http://127.0.0.1/x /x')).not.toEqual([]);
    expect(problems('# foo=1\n# escape=`\nFROM busybox\nADD \\\n http://127.0.0.1/x /x')).not.toEqual([]);
  });

  it('refuses the syntax directive (a frontend image the builder would fetch and run)', () => {
    expect(problems('# syntax=docker/dockerfile:1\nFROM busybox')).toEqual([expect.stringContaining('"syntax" parser directive')]);
  });

  it('returns the builds a Dockerfile names, wherever and however it names them', () => {
    const builds = (text: string, args: Record<string, string> = {}) => reviewDockerfile(text, args).builds.map((b) => [b.imageId, b.build, b.line]);
    expect(builds(`FROM ${TAG}`)).toEqual([[ID, 3, 1]]);
    expect(builds('ARG BASE=busybox\nFROM ${BASE}', { BASE: TAG })).toEqual([[ID, 3, 2]]);
    expect(builds('ARG REPO=containerizer-img\nARG N\nFROM ${REPO}/' + ID.toLowerCase() + ':${N:-3}')).toEqual([[ID, 3, 3]]);
    expect(builds(`FROM busybox AS base\nCOPY --from=${TAG} /etc/passwd /p\nCOPY --from=base /a /b\nCOPY --from=0 /a /b`)).toEqual([[ID, 3, 2]]);
    expect(builds(`FROM busybox\nRUN --mount=type=bind,from=${TAG},target=/m cat /m/x`)).toEqual([[ID, 3, 2]]);
    expect(builds(`FROM busybox\nONBUILD COPY --from=${TAG} /a /b`)).toEqual([[ID, 3, 2]]);
    // An ARG not declared is not substituted by a build arg (as Docker), so nothing is named.
    expect(builds('FROM busybox:${X}', { X: 'y' })).toEqual([]);
  });

  it('refuses other references into the namespace, image ids, and substitutions it cannot check', () => {
    expect(problems('FROM containerizer-img/whatever')).toEqual([expect.stringContaining("platform's own image namespace")]);
    expect(problems(`FROM sha256:${'c'.repeat(64)}`)).toEqual([expect.stringContaining('image id')]);
    expect(problems('FROM busybox\nCOPY --from=cd0b82 /a /b')).toEqual([expect.stringContaining('image id')]);
    expect(problems('ARG B=x\nFROM ${B#x}busybox')).toEqual([expect.stringContaining('cannot be checked')]);
  });
});

describe('image strings into the namespace (ImageAccess)', () => {
  // Strings never reach the store: none is needed.
  const access = new ImageAccess(undefined as unknown as ImageStore, { allowedImagePrefixes: [], platformRepositories: [ECR] });

  it('refuses them in an app with a 400 saying which {imageId, build} to write', () => {
    expect(() => access.checkString(TAG, 'sidecars.0.image')).toThrow(
      expect.objectContaining({ status: 400, errors: [expect.objectContaining({ field: 'sidecars.0.image' })] }),
    );
    expect(() => access.checkString(TAG, 'image')).toThrow(`{"imageId": "${ID}", "build": 3}`);
    expect(() => access.checkString(`${ECR}@sha256:${'a'.repeat(64)}`, 'image')).toThrow("platform's own image namespace");
    expect(() => access.checkString(IMAGE_OF_BUSYBOX, 'image')).not.toThrow();
  });

  it('refuses a run of an app version written before the rule, before anything starts', async () => {
    expect(await access.resolve(TAG)).toMatchObject({ image: TAG, refusal: expect.stringContaining('by its tag') });
    expect(await access.resolve(IMAGE_OF_BUSYBOX)).toEqual({ image: IMAGE_OF_BUSYBOX });
  });
});
