/**
 * Image scans: the one shape every scanner's report is turned into (ECR scan findings,
 * Trivy, the platform's own configuration checks), and the run policy that refuses images
 * with findings at or above a severity. Pure.
 */

/** Severities, most severe first: ECR's scan-finding severities (AWS ECR API, ImageScanFinding.severity). */
export const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Findings kept on a result (100); `counts` always counts them all. */
export const MAX_FINDINGS = 100;

/** One finding: a CVE or check id, its severity, a one-line title, and where it was found (a package, a file, a config field). */
export interface ScanFinding {
  id: string;
  severity: Severity;
  title: string;
  where: string;
}

/** A scan of one built image. `findings` holds the MAX_FINDINGS most severe; `truncated` says more exist. */
export interface ScanResult {
  counts: Record<Severity, number>;
  findings: ScanFinding[];
  truncated: boolean;
  /** Which scanner produced it, e.g. "trivy", "ecr", "containerizer-config-checks". */
  scanner: string;
  /** ISO 8601. */
  scannedAt: string;
}

const RANK: Record<Severity, number> = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;

/**
 * A scanner's severity word in ours. Trivy's UNKNOWN, ECR's UNDEFINED and UNTRIAGED, and
 * anything unrecognized become INFORMATIONAL: nothing a policy can block on by mistake.
 */
export function toSeverity(word: string | undefined): Severity {
  const upper = (word ?? '').toUpperCase();
  return (SEVERITIES as readonly string[]).includes(upper) ? (upper as Severity) : 'INFORMATIONAL';
}

/** Builds a result from all findings: counts per severity, the most severe MAX_FINDINGS kept (stable within a severity). */
export function scanResult(findings: readonly ScanFinding[], scanner: string, scannedAt: Date = new Date()): ScanResult {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) counts[finding.severity]++;
  const sorted = [...findings].sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  return { counts, findings: sorted.slice(0, MAX_FINDINGS), truncated: sorted.length > MAX_FINDINGS, scanner, scannedAt: scannedAt.toISOString() };
}

/** True when `severity` is `threshold` or more severe. */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] <= RANK[threshold];
}

/**
 * The run policy: the counts of findings at or above `threshold`, most severe first, only
 * those above zero. Empty means the image may run; no threshold blocks nothing.
 */
export function blockingFindings(result: Pick<ScanResult, 'counts'>, threshold: Severity | undefined): { severity: Severity; count: number }[] {
  if (!threshold) return [];
  return SEVERITIES.filter((s) => atOrAbove(s, threshold) && result.counts[s] > 0).map((severity) => ({ severity, count: result.counts[severity] }));
}

/** Why a run is refused, for its stoppedReason or a 409 detail, e.g. "image has 2 CRITICAL, 1 HIGH findings (policy refuses HIGH and above)". */
export function describeBlocking(blocking: readonly { severity: Severity; count: number }[], threshold: Severity): string {
  return `image has ${blocking.map((b) => `${b.count} ${b.severity}`).join(', ')} findings (policy refuses ${threshold} and above)`;
}
