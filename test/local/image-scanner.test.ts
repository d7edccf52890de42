/**
 * LocalImageScanner against the real Docker engine: the configuration checks on images
 * built here from containerizer/busybox, and the Trivy path through a stand-in executable.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { chmod, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextFromFiles } from '../../shared/build-context.js';
import type { ScanFinding } from '../../shared/image-scan.js';
import { LABELS } from '../../local/docker/docker-events.js';
import { DockerImageBuilder } from '../../local/images/docker-image-builder.js';
import { CONFIG_CHECKS, LocalImageScanner, findTrivy, parseTrivyReport } from '../../local/images/image-scanner.js';

const docker = new Docker();
const dataDir = mkdtempSync(path.join(tmpdir(), 'containerizer-scans-'));
const instanceId = `test-${randomUUID()}`;
const builder = new DockerImageBuilder(docker, { dataDir, instanceId, onChange: async () => {} });
const scanner = new LocalImageScanner(docker, { instanceId, trivy: null });

async function build(dockerfile: string): Promise<string> {
  const imageId = `SCAN${randomUUID().replace(/-/g, '').toUpperCase().slice(0, 20)}`;
  const outcome = await builder.run({ imageId, ownerId: 'USER1', buildNumber: 1, contextVersion: 1, context: contextFromFiles({}, dockerfile) });
  if (outcome.lastStatus !== 'BUILT') throw new Error(`test image did not build: ${outcome.reason}`);
  return outcome.imageRef!;
}

const summary = (findings: ScanFinding[]) => findings.map((f) => `${f.id} ${f.severity} ${f.where}`).sort();

const TRIVY_REPORT = {
  SchemaVersion: 2,
  Results: [
    {
      Target: 'app (alpine 3.19)',
      Vulnerabilities: [{ VulnerabilityID: 'CVE-2024-0001', PkgName: 'openssl', InstalledVersion: '3.1.0', Severity: 'CRITICAL', Title: 'openssl: bad' }],
    },
    { Target: 'Dockerfile', Misconfigurations: [{ ID: 'DS002', Severity: 'HIGH', Title: 'Image user should not be root' }] },
    { Target: '/app/.env', Secrets: [{ RuleID: 'aws-access-key-id', Severity: 'CRITICAL', Title: 'AWS Access Key ID', StartLine: 3 }] },
    { Target: 'node-pkg', Vulnerabilities: null },
  ],
};

let risky: string;
let clean: string;

beforeAll(async () => {
  risky = await build(
    [
      'FROM containerizer/busybox:latest',
      'RUN mkdir -p /usr/local/bin /shared && touch /usr/local/bin/helper /usr/local/bin/group-helper && chmod 4755 /usr/local/bin/helper && chmod 2755 /usr/local/bin/group-helper && chmod 777 /shared',
      'ENV API_TOKEN=hunter2 PLAIN=value DEPLOY=AKIAABCDEFGHIJKLMNOP',
      'LABEL org.opencontainers.image.authors=someone db.password=hunter3',
    ].join('\n'),
  );
  clean = await build('FROM containerizer/busybox:latest\nRUN mkdir /data && chmod 1777 /data\nUSER 1000:1000\n');
});

afterAll(async () => {
  const images = await docker.listImages({ filters: { label: [`${LABELS.instanceId}=${instanceId}`] } });
  for (const image of images) await docker.getImage(image.Id).remove({ force: true });
  await rm(dataDir, { recursive: true, force: true });
});

describe('LocalImageScanner (real Docker)', () => {
  it('flags root, setuid/setgid files, a world-writable directory and secret-looking env and labels, saying where', async () => {
    const result = await scanner.scan(risky);
    expect(result.scanner).toBe(CONFIG_CHECKS);
    expect(summary(result.findings)).toEqual(
      [
        'CZ-ROOT-USER HIGH Config.User',
        'CZ-SETUID MEDIUM /usr/local/bin/helper',
        'CZ-SETGID MEDIUM /usr/local/bin/group-helper',
        'CZ-WORLD-WRITABLE-DIR LOW /shared',
        'CZ-SECRET-NAME HIGH Config.Env API_TOKEN',
        'CZ-SECRET-VALUE CRITICAL Config.Env DEPLOY',
        'CZ-SECRET-NAME HIGH Config.Labels db.password',
      ].sort(),
    );
    expect(result.counts).toEqual({ CRITICAL: 1, HIGH: 3, MEDIUM: 2, LOW: 1, INFORMATIONAL: 0 });
    // A finding names the secret, never its value.
    expect(JSON.stringify(result)).not.toMatch(/hunter|AKIAABCD/);
  });

  it('finds nothing on a non-root image without risky files, and leaves no scratch container', async () => {
    const result = await scanner.scan(clean);
    expect(result.findings).toEqual([]);
    const leftovers = await docker.listContainers({ all: true, filters: { label: [`${LABELS.instanceId}=${instanceId}`] } });
    expect(leftovers).toEqual([]);
  });

  it('fails on an image that does not exist', async () => {
    await expect(scanner.scan(`containerizer-test/not-here-${randomUUID()}:1`)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('uses Trivy when given and reads its JSON report; falls back to the checks when Trivy fails', async () => {
    const bin = mkdtempSync(path.join(tmpdir(), 'containerizer-trivy-'));
    const trivy = path.join(bin, 'trivy');
    await writeFile(
      trivy,
      `#!/bin/sh\n[ "$1 $2 $3 $4 $5" = "image --format json --quiet ${clean}" ] || exit 9\ncat <<'EOF'\n${JSON.stringify(TRIVY_REPORT)}\nEOF\n`,
    );
    await chmod(trivy, 0o755);
    expect(await findTrivy({ PATH: `/nonexistent${path.delimiter}${bin}` })).toBe(trivy);
    expect(await findTrivy({ PATH: '/nonexistent' })).toBeUndefined();

    const result = await new LocalImageScanner(docker, { instanceId, trivy }).scan(clean);
    expect(result.scanner).toBe('trivy');
    expect(parseTrivyReport(TRIVY_REPORT)).toHaveLength(3);
    expect(result.counts).toEqual({ CRITICAL: 2, HIGH: 1, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0 });
    expect(summary(result.findings)).toEqual(
      ['CVE-2024-0001 CRITICAL app (alpine 3.19): openssl 3.1.0', 'DS002 HIGH Dockerfile', 'aws-access-key-id CRITICAL /app/.env:3'].sort(),
    );

    // The stand-in exits 9 for any other image: the configuration checks answer instead.
    const fallback = await new LocalImageScanner(docker, { instanceId, trivy }).scan(risky);
    expect(fallback.scanner).toBe(CONFIG_CHECKS);
    await rm(bin, { recursive: true, force: true });
  });
});
