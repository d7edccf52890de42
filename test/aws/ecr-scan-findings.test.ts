/** ECR scan findings: read page by page after a scan event, the most severe kept, counts from the event. */
import { DescribeImageScanFindingsCommand, ECRClient, type ImageScanFinding } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { toBuildScan } from '../../shared/aws/build-events.js';
import { EcrScanFindings, MAX_FINDING_PAGES } from '../../shared/aws/ecr-scan-findings.js';
import { MAX_FINDINGS } from '../../shared/image-scan.js';
import { REPOSITORY, ecrScanEvent } from './build-event-fixtures.js';
import { CLIENT_CONFIG } from './fixtures.js';

const IMAGE_ID = '01J0000000000000000000IMG1';
const DIGEST = 'sha256:' + 'a'.repeat(64);
const mock = mockClient(ECRClient);
const findings = new EcrScanFindings({ ecr: new ECRClient(CLIENT_CONFIG) });
afterEach(() => mock.reset());

const finding = (n: number, severity: string): ImageScanFinding => ({
  name: `CVE-2030-${n}`,
  severity: severity as ImageScanFinding['severity'],
  description: `issue ${n}\nmore text`,
  attributes: [
    { key: 'package_name', value: 'openssl' },
    { key: 'package_version', value: '3.0.1' },
  ],
});

/** As ECR refuses maxResults outside 1–1000 (ECR API Reference, DescribeImageScanFindings). */
function pages(all: ImageScanFinding[], size: number) {
  mock.on(DescribeImageScanFindingsCommand).callsFake((input: { maxResults?: number; nextToken?: string }) => {
    if (input.maxResults !== undefined && (input.maxResults < 1 || input.maxResults > 1000)) throw new Error('maxResults must be 1-1000');
    const start = Number(input.nextToken ?? 0);
    const next = start + size;
    return { imageScanFindings: { findings: all.slice(start, next) }, ...(next < all.length && { nextToken: String(next) }) };
  });
}

describe('EcrScanFindings', () => {
  it('reads every page and keeps the most severe MAX_FINDINGS, counts as the event says', async () => {
    const all = [...Array.from({ length: 150 }, (_, i) => finding(i, 'LOW')), ...Array.from({ length: 20 }, (_, i) => finding(1000 + i, 'CRITICAL'))];
    pages(all, 60);
    const found = toBuildScan(ecrScanEvent(IMAGE_ID, 1, { LOW: 150, CRITICAL: 20 }, { digest: DIGEST }))!;
    const scan = await findings.complete(REPOSITORY, found);
    expect(mock.commandCalls(DescribeImageScanFindingsCommand).map((c) => c.args[0].input)).toEqual([
      { repositoryName: REPOSITORY, imageId: { imageDigest: DIGEST }, maxResults: 1000 },
      { repositoryName: REPOSITORY, imageId: { imageDigest: DIGEST }, maxResults: 1000, nextToken: '60' },
      { repositoryName: REPOSITORY, imageId: { imageDigest: DIGEST }, maxResults: 1000, nextToken: '120' },
    ]);
    expect(scan.findings).toHaveLength(MAX_FINDINGS);
    expect(scan.findings.slice(0, 20).every((f) => f.severity === 'CRITICAL')).toBe(true);
    expect(scan.findings[0]).toEqual({ id: 'CVE-2030-1000', severity: 'CRITICAL', title: 'issue 1000', where: 'openssl@3.0.1' });
    expect(scan).toMatchObject({ counts: { CRITICAL: 20, LOW: 150 }, truncated: true, scanner: 'ecr' });
  });

  it(`stops after ${MAX_FINDING_PAGES} pages, and makes no call for a scan without findings`, async () => {
    pages(
      Array.from({ length: 50 }, (_, i) => finding(i, 'MEDIUM')),
      1,
    );
    const scan = await findings.complete(REPOSITORY, toBuildScan(ecrScanEvent(IMAGE_ID, 1, { MEDIUM: 50 }, { digest: DIGEST }))!);
    expect(mock.commandCalls(DescribeImageScanFindingsCommand)).toHaveLength(MAX_FINDING_PAGES);
    expect(scan).toMatchObject({ truncated: true, counts: { MEDIUM: 50 } });
    expect(scan.findings).toHaveLength(MAX_FINDING_PAGES);

    mock.resetHistory();
    const clean = toBuildScan(ecrScanEvent(IMAGE_ID, 2, {}, { digest: DIGEST }))!;
    expect(await findings.complete(REPOSITORY, clean)).toEqual(clean.scan);
    expect(mock.commandCalls(DescribeImageScanFindingsCommand)).toHaveLength(0);
  });
});
