/**
 * Dev mode's ImageScanner: Trivy when it is installed, else the platform's own
 * configuration checks on the image (its user, environment, labels and filesystem).
 * Both report in shared/image-scan.ts's shape.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { z } from 'zod';
import { SECRET_KEY } from '../../shared/domain.js';
import { scanResult, toSeverity, type ScanFinding, type ScanResult } from '../../shared/image-scan.js';
import { logger } from '../../shared/logger.js';
import type { ImageScanner } from '../../shared/ports.js';
import { LABELS } from '../docker/docker-events.js';

/** The `scanner` of results from the platform's own checks. */
export const CONFIG_CHECKS = 'containerizer-config-checks';

/** A Trivy scan that takes longer is abandoned (10 min); the config checks run instead. */
const TRIVY_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * Values that are credentials whatever their name: AWS access key ids (AWS IAM docs, unique
 * id prefixes AKIA/ASIA), PEM private keys (RFC 7468), GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_).
 */
const SECRET_VALUE = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----|\bgh[pousr]_[A-Za-z0-9]{36,}\b/;

/** OCI's pre-defined annotation keys are metadata (authors, licenses…), never credentials (OCI image spec, annotations.md). */
const OCI_ANNOTATION = 'org.opencontainers.image.';

/** The part of `trivy image --format json` read here (Trivy's JSON report: Results[].Vulnerabilities/Misconfigurations/Secrets). */
const TrivyReport = z.object({
  Results: z
    .array(
      z.object({
        Target: z.string().optional(),
        Vulnerabilities: z
          .array(
            z.object({
              VulnerabilityID: z.string(),
              PkgName: z.string().optional(),
              InstalledVersion: z.string().optional(),
              Severity: z.string().optional(),
              Title: z.string().optional(),
            }),
          )
          .nullish(),
        Misconfigurations: z.array(z.object({ ID: z.string(), Severity: z.string().optional(), Title: z.string().optional() })).nullish(),
        Secrets: z
          .array(z.object({ RuleID: z.string(), Severity: z.string().optional(), Title: z.string().optional(), StartLine: z.number().optional() }))
          .nullish(),
      }),
    )
    .nullish(),
});

/** Trivy's JSON report as findings: `where` is the target, plus the package and version or the line. Throws a ZodError on another shape. */
export function parseTrivyReport(report: unknown): ScanFinding[] {
  const findings: ScanFinding[] = [];
  for (const result of TrivyReport.parse(report).Results ?? []) {
    const target = result.Target ?? 'image';
    for (const v of result.Vulnerabilities ?? []) {
      const where = v.PkgName ? `${target}: ${v.PkgName}${v.InstalledVersion ? ` ${v.InstalledVersion}` : ''}` : target;
      findings.push({ id: v.VulnerabilityID, severity: toSeverity(v.Severity), title: v.Title ?? v.VulnerabilityID, where });
    }
    for (const m of result.Misconfigurations ?? []) findings.push({ id: m.ID, severity: toSeverity(m.Severity), title: m.Title ?? m.ID, where: target });
    for (const s of result.Secrets ?? []) {
      findings.push({ id: s.RuleID, severity: toSeverity(s.Severity), title: s.Title ?? s.RuleID, where: s.StartLine ? `${target}:${s.StartLine}` : target });
    }
  }
  return findings;
}

/** The `trivy` executable on `PATH`, if any. */
export async function findTrivy(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'trivy');
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

export interface LocalImageScannerOptions {
  /** Labelled on the scratch container the filesystem checks create, so garbage collection knows it. */
  instanceId: string;
  /** The Trivy executable; default: `trivy` on PATH. `null` forces the configuration checks. */
  trivy?: string | null;
}

/** Scans local images: Trivy when available (falls back to the configuration checks if it fails), else the checks. */
export class LocalImageScanner implements ImageScanner {
  constructor(
    private readonly docker: Docker,
    private readonly options: LocalImageScannerOptions,
  ) {}

  /** Throws an Error (dockerode's, statusCode 404) when the image does not exist locally. */
  async scan(imageRef: string): Promise<ScanResult> {
    const trivy = this.options.trivy === undefined ? await findTrivy() : this.options.trivy;
    if (trivy) {
      try {
        const { stdout } = await promisify(execFile)(trivy, ['image', '--format', 'json', '--quiet', imageRef], {
          maxBuffer: 256 * 1024 * 1024,
          timeout: TRIVY_TIMEOUT_MS,
        });
        return scanResult(parseTrivyReport(JSON.parse(stdout)), 'trivy');
      } catch (err) {
        logger.warn('trivy failed; running the configuration checks instead', { imageRef, error: err as Error });
      }
    }
    return scanResult([...(await this.configFindings(imageRef)), ...(await this.filesystemFindings(imageRef))], CONFIG_CHECKS);
  }

  /**
   * Root user (CIS Docker Benchmark 4.1; Trivy's DS002 rates it HIGH), and env variables or
   * labels whose name looks secret (HIGH) or whose value is a known credential format (CRITICAL).
   * Values are never copied into a finding.
   */
  private async configFindings(imageRef: string): Promise<ScanFinding[]> {
    const { Config: config } = await this.docker.getImage(imageRef).inspect();
    const findings: ScanFinding[] = [];
    const user = (config.User ?? '').trim();
    if (user === '' || /^(?:root|0)(?::.*)?$/.test(user)) {
      const title = user === '' ? 'Image runs as root: the Dockerfile sets no USER' : `Image runs as root (USER ${user})`;
      findings.push({ id: 'CZ-ROOT-USER', severity: 'HIGH', title, where: 'Config.User' });
    }
    const named: [string, string, string][] = [
      ...(config.Env ?? []).map((pair): [string, string, string] => {
        const equals = pair.indexOf('=');
        return ['Config.Env', equals < 0 ? pair : pair.slice(0, equals), equals < 0 ? '' : pair.slice(equals + 1)];
      }),
      ...Object.entries(config.Labels ?? {})
        .filter(([name]) => !name.startsWith(OCI_ANNOTATION))
        .map(([name, value]): [string, string, string] => ['Config.Labels', name, value]),
    ];
    for (const [field, name, value] of named) {
      const where = `${field} ${name}`;
      if (SECRET_VALUE.test(value)) findings.push({ id: 'CZ-SECRET-VALUE', severity: 'CRITICAL', title: `${name} holds what looks like a credential`, where });
      else if (SECRET_KEY.test(name) && value !== '')
        findings.push({ id: 'CZ-SECRET-NAME', severity: 'HIGH', title: `${name} looks like a secret baked into the image`, where });
    }
    return findings;
  }

  /**
   * Walks the image's filesystem (a created, never started container's export): setuid and
   * setgid files (CIS Docker Benchmark 4.8; MEDIUM) and world-writable directories without
   * the sticky bit (LOW). `where` is the path in the image.
   */
  private async filesystemFindings(imageRef: string): Promise<ScanFinding[]> {
    const container = await this.docker.createContainer({
      Image: imageRef,
      // Never started: a command is only needed because images without CMD cannot be created.
      Entrypoint: ['/nonexistent'],
      Cmd: [],
      NetworkDisabled: true,
      Labels: { [LABELS.instanceId]: this.options.instanceId, [LABELS.purpose]: 'scan' },
    });
    const findings: ScanFinding[] = [];
    try {
      const extract = tar.extract();
      const exported = (await container.export()) as Readable;
      exported.once('error', (err) => extract.destroy(err));
      exported.pipe(extract);
      for await (const entry of extract) {
        const { name, mode = 0, type } = entry.header;
        const where = '/' + name.replace(/^\.?\/+/, '').replace(/\/$/, '');
        if (type === 'file' && mode & 0o4000) findings.push({ id: 'CZ-SETUID', severity: 'MEDIUM', title: 'setuid file', where });
        if (type === 'file' && mode & 0o2000) findings.push({ id: 'CZ-SETGID', severity: 'MEDIUM', title: 'setgid file', where });
        if (type === 'directory' && mode & 0o002 && !(mode & 0o1000)) {
          findings.push({ id: 'CZ-WORLD-WRITABLE-DIR', severity: 'LOW', title: 'world-writable directory without the sticky bit', where });
        }
        entry.resume();
      }
    } finally {
      await container.remove({ force: true });
    }
    return findings;
  }
}
