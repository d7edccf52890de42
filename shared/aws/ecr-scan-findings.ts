/**
 * The findings of an ECR scan. ECR's "Image Scan" event carries only counts per severity
 * (build-events.ts toBuildScan); the findings themselves are read with DescribeImageScanFindings,
 * page by page, keeping the MAX_FINDINGS most severe as every scanner's result does (image-scan.ts).
 * Both of ECR's scan types are read: basic scanning's `findings` and enhanced (Inspector) scanning's `enhancedFindings`.
 */
import { DescribeImageScanFindingsCommand, type ECRClient, type EnhancedImageScanFinding, type ImageScanFinding } from '@aws-sdk/client-ecr';
import { scanResult, SEVERITIES, toSeverity, type ScanFinding, type ScanResult } from '../image-scan.js';
import type { BuildScan } from './build-events.js';
import { unlessThrottled } from './errors.js';

/** Findings per DescribeImageScanFindings page (1000, the API's largest maxResults; ECR API Reference). */
export const FINDINGS_PAGE_SIZE = 1000;

/** Pages read at most (10, so 10,000 findings): beyond them the counts still count everything, `truncated` says more exist. */
export const MAX_FINDING_PAGES = 10;

/** Fills the findings of ECR scans. */
export class EcrScanFindings {
  constructor(private readonly options: { ecr: ECRClient }) {}

  /**
   * `found.scan` with its findings: the most severe MAX_FINDINGS of the first MAX_FINDING_PAGES
   * pages. The counts stay the event's (they count every finding); `truncated` says whether
   * findings exist beyond those kept. A scan without findings is returned as it is, without a call.
   * @throws ServiceUnavailableError when ECR throttles; ECR's other errors (e.g. ScanNotFoundException).
   */
  async complete(repositoryName: string, found: BuildScan): Promise<ScanResult> {
    const total = SEVERITIES.reduce((sum, s) => sum + found.scan.counts[s], 0);
    if (total === 0) return found.scan;
    const imageId = found.digest ? { imageDigest: found.digest } : undefined;
    if (!imageId) return found.scan;
    let kept: ScanFinding[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_FINDING_PAGES; page++) {
      const out = await unlessThrottled(
        'ECR',
        this.options.ecr.send(new DescribeImageScanFindingsCommand({ repositoryName, imageId, maxResults: FINDINGS_PAGE_SIZE, nextToken })),
      );
      const findings = out.imageScanFindings;
      // Trimmed page by page: memory stays at one page plus what is kept.
      kept = scanResult([...kept, ...(findings?.findings ?? []).map(basic), ...(findings?.enhancedFindings ?? []).map(enhanced)], 'ecr').findings;
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    return { ...found.scan, findings: kept, truncated: total > kept.length };
  }
}

function basic(finding: ImageScanFinding): ScanFinding {
  const attribute = (key: string) => finding.attributes?.find((a) => a.key === key)?.value;
  const pkg = attribute('package_name');
  const version = attribute('package_version');
  return {
    id: finding.name ?? 'unknown',
    severity: toSeverity(finding.severity),
    title: oneLine(finding.description ?? finding.name ?? ''),
    where: pkg ? `${pkg}${version ? `@${version}` : ''}` : (finding.uri ?? ''),
  };
}

function enhanced(finding: EnhancedImageScanFinding): ScanFinding {
  const details = finding.packageVulnerabilityDetails;
  const pkg = details?.vulnerablePackages?.[0];
  return {
    id: details?.vulnerabilityId ?? finding.findingArn ?? 'unknown',
    severity: toSeverity(finding.severity),
    title: oneLine(finding.title ?? finding.description ?? ''),
    where: pkg?.name ? `${pkg.name}${pkg.version ? `@${pkg.version}` : ''}` : '',
  };
}

/** The first line, at most 200 characters: a title, not a report. */
function oneLine(text: string): string {
  const line = text.split('\n', 1)[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}
