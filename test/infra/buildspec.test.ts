/**
 * The image project's buildspec run as CodeBuild runs it (test/support/codebuild.ts: each
 * command in a new shell that keeps only exported variables and the directory), with fake
 * `docker` and `aws` recording what they were asked: every build argument reaches `docker build`,
 * the built reference is pushed and its digest exported, and with a Docker Hub cache the base
 * images are pulled through it.
 */
import { buffer } from 'node:stream/consumers';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { dockerHubBaseImages } from '../../shared/aws/base-images.js';
import { BUILD_ENV } from '../../shared/aws/build-events.js';
import { CONTEXT_OBJECT } from '../../shared/aws/s3-context-store.js';
import { contextFromFiles, contextTar } from '../../shared/build-context.js';
import { runBuildspec, type Buildspec } from '../support/codebuild.js';
import { buildStack } from './build-stack.js';

const REPOSITORY_URI = '111122223333.dkr.ecr.us-east-1.amazonaws.com/containerizer-images';
const IMAGE_REF = `${REPOSITORY_URI}:01hzx3k4m5n6p7q8r9s0t1v2w3-1`;
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:ecr-pullthroughcache/docker-hub-AbCdEf';

/** The buildspec and the project's own environment variables, as synthesized with `context`. */
function projectOf(context: Record<string, unknown> = {}) {
  const template = Template.fromStack(buildStack({ 'aws:cdk:bundling-stacks': [], ...context }));
  const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));
  const variables = project!.Properties.Environment.EnvironmentVariables as { Name: string; Value: unknown }[];
  return {
    buildspec: JSON.parse(project!.Properties.Source.BuildSpec as string) as Buildspec,
    /** The project's variables: a token (the repository's URI) is only named here; the build passes its value. */
    names: variables.map((v) => v.Name),
  };
}

let context: Buffer;
const DOCKERFILE =
  'FROM --platform=linux/arm64 golang:1.22 AS build\nRUN go build\nFROM build AS test\nFROM grafana/grafana\nFROM public.ecr.aws/docker/library/busybox:1.36\nFROM scratch\n';

beforeAll(async () => {
  context = await buffer(contextTar(contextFromFiles({ 'main.go': 'package main' }, DOCKERFILE)));
});

/** One build of image 01HZX3K4M5N6P7Q8R9S0T1V2W3 with `buildArgs`, as CodeBuildImageBuilder starts it. */
function buildEnv(buildArgs: Record<string, string>) {
  return {
    [BUILD_ENV.imageId]: '01HZX3K4M5N6P7Q8R9S0T1V2W3',
    [BUILD_ENV.buildNumber]: '1',
    [BUILD_ENV.imageRef]: IMAGE_REF,
    [BUILD_ENV.buildArgs]: JSON.stringify(buildArgs),
    [BUILD_ENV.baseImages]: dockerHubBaseImages(DOCKERFILE).join(' '),
  };
}

describe('the image buildspec, run command by command as CodeBuild does', () => {
  it('passes every build argument to docker build, spaces and newlines kept, then pushes and exports the digest', () => {
    const { buildspec } = projectOf();
    const run = runBuildspec(
      buildspec,
      { [CONTEXT_OBJECT]: context },
      { REPOSITORY_URI, ...buildEnv({ VERSION: '1.2', GREETING: 'hello world', MULTI: 'a\nb' }) },
    );
    expect(run.succeeded, run.stderr).toBe(true);
    const build = run.calls.find((argv) => argv[0] === 'docker' && argv[1] === 'build');
    expect(build).toEqual([
      'docker',
      'build',
      '--build-arg',
      'VERSION=1.2',
      '--build-arg',
      'GREETING=hello world',
      '--build-arg',
      'MULTI=a\nb',
      '--label',
      'containerizer.imageId=01HZX3K4M5N6P7Q8R9S0T1V2W3',
      '--label',
      'containerizer.buildNumber=1',
      '-t',
      IMAGE_REF,
      'context',
    ]);
    expect(run.calls).toContainEqual(['docker', 'push', IMAGE_REF]);
    expect(run.exported[BUILD_ENV.digest]).toBe(`sha256:${'ab'.repeat(32)}`);
    // No cache configured: nothing is pulled ahead of the build.
    expect(run.calls.filter((argv) => argv[1] === 'pull')).toEqual([]);
  });

  it('builds without build arguments, and pushes nothing when the build fails', () => {
    const { buildspec } = projectOf();
    const env = { REPOSITORY_URI };
    const ok = runBuildspec(buildspec, { [CONTEXT_OBJECT]: context }, { ...env, ...buildEnv({}) });
    expect(ok.calls.find((argv) => argv[1] === 'build')?.slice(2, 4), ok.stderr).toEqual(['--label', 'containerizer.imageId=01HZX3K4M5N6P7Q8R9S0T1V2W3']);
    const failed = runBuildspec(buildspec, {}, { ...env, ...buildEnv({}) });
    expect(failed.succeeded).toBe(false);
    expect(failed.calls.filter((argv) => argv[1] === 'push' || argv[1] === 'build')).toEqual([]);
  });

  it("with a Docker Hub cache, pulls the Dockerfile's Docker Hub base images through it under their Docker Hub names before building", () => {
    expect(projectOf().names).not.toContain(BUILD_ENV.dockerHubMirror);
    const { buildspec, names } = projectOf({ dockerHubCacheSecretArn: SECRET_ARN });
    expect(names).toContain(BUILD_ENV.dockerHubMirror);
    const env = { REPOSITORY_URI, [BUILD_ENV.dockerHubMirror]: `${REPOSITORY_URI.split('/')[0]}/docker-hub` };
    const run = runBuildspec(buildspec, { [CONTEXT_OBJECT]: context }, { ...env, ...buildEnv({ A: '1' }) });
    expect(run.succeeded, run.stderr).toBe(true);
    const registry = REPOSITORY_URI.split('/')[0];
    expect(run.calls.filter((argv) => argv[1] === 'pull' || argv[1] === 'tag' || argv[1] === 'build').map((argv) => argv.slice(0, 4))).toEqual([
      ['docker', 'pull', `${registry}/docker-hub/library/golang:1.22`],
      ['docker', 'tag', `${registry}/docker-hub/library/golang:1.22`, 'docker.io/library/golang:1.22'],
      ['docker', 'pull', `${registry}/docker-hub/grafana/grafana:latest`],
      ['docker', 'tag', `${registry}/docker-hub/grafana/grafana:latest`, 'docker.io/grafana/grafana:latest'],
      ['docker', 'build', '--build-arg', 'A=1'],
    ]);
  });
});

describe('dockerHubBaseImages', () => {
  it('names the Docker Hub images of the FROM lines, not stages, scratch, variables or other registries', () => {
    expect(dockerHubBaseImages(DOCKERFILE)).toEqual(['library/golang:1.22', 'grafana/grafana:latest']);
    expect(
      dockerHubBaseImages(
        'ARG BASE=alpine\nFROM ${BASE}\nfrom docker.io/library/node@sha256:abc as deps\nFROM index.docker.io/nginx:1\nFROM localhost:5000/x\nFROM deps\nFROM node@sha256:abc',
      ),
    ).toEqual(['library/node@sha256:abc', 'library/nginx:1']);
  });
});
