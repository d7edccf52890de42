/** CodeBuild and ECR scan events → the platform's build changes and scans. */
import { describe, expect, it } from 'vitest';
import { buildOfTag, codeBuildLogStream, ecrImageTag, toBuildScan, toBuildStateChange } from '../../shared/aws/build-events.js';
import { codeBuildEvent, codeBuildId, ecrScanEvent, inspectorScanEvent, REPOSITORY_URI } from './build-event-fixtures.js';

const IMAGE = '01J0000000000000000000IMG1';

describe('toBuildStateChange', () => {
  it('maps IN_PROGRESS to BUILDING and SUCCEEDED to BUILT with the pushed reference and exported digest', () => {
    expect(toBuildStateChange(codeBuildEvent(IMAGE, 3, 'IN_PROGRESS', { time: '2030-01-01T00:00:01Z' }))).toEqual({
      imageId: IMAGE,
      buildNumber: 3,
      buildRef: codeBuildId('8745a7a9-c340-456a-9166-edf953571bex'),
      lastStatus: 'BUILDING',
      at: new Date('2030-01-01T00:00:01Z'),
    });
    expect(toBuildStateChange(codeBuildEvent(IMAGE, 3, 'SUCCEEDED', { digest: 'sha256:abc' }))).toMatchObject({
      lastStatus: 'BUILT',
      imageRef: `${REPOSITORY_URI}:${IMAGE.toLowerCase()}-3`,
      digest: 'sha256:abc',
    });
  });

  it("maps FAILED, FAULT, STOPPED and TIMED_OUT to FAILED with the failed phase's context", () => {
    const phases = [
      { 'phase-type': 'PRE_BUILD', 'phase-status': 'SUCCEEDED', 'phase-context': [': '] },
      {
        'phase-type': 'BUILD',
        'phase-status': 'FAILED',
        'phase-context': ['COMMAND_EXECUTION_ERROR: Error while executing command: docker build. Reason: exit status 1'],
      },
    ];
    expect(toBuildStateChange(codeBuildEvent(IMAGE, 1, 'FAILED', { phases }))).toMatchObject({
      lastStatus: 'FAILED',
      reason: 'BUILD FAILED: COMMAND_EXECUTION_ERROR: Error while executing command: docker build. Reason: exit status 1',
    });
    for (const status of ['FAULT', 'STOPPED', 'TIMED_OUT']) {
      expect(toBuildStateChange(codeBuildEvent(IMAGE, 1, status))).toMatchObject({ lastStatus: 'FAILED', reason: `the build ended ${status}` });
    }
  });

  it('ignores builds the platform did not start', () => {
    expect(toBuildStateChange(codeBuildEvent(IMAGE, 1, 'SUCCEEDED', { vars: false }))).toBeUndefined();
  });
});

describe('toBuildScan', () => {
  it('reads the counts of a COMPLETE scan and the build from its tag; unknown severities count as INFORMATIONAL', () => {
    const found = toBuildScan(ecrScanEvent(IMAGE, 2, { CRITICAL: 1, MEDIUM: 9, UNDEFINED: 2 }, { digest: 'sha256:def' }));
    expect(found).toEqual({
      imageId: IMAGE,
      buildNumber: 2,
      digest: 'sha256:def',
      scan: {
        counts: { CRITICAL: 1, HIGH: 0, MEDIUM: 9, LOW: 0, INFORMATIONAL: 2 },
        findings: [],
        truncated: true,
        scanner: 'ecr',
        scannedAt: '2030-01-01T00:00:20.000Z',
      },
    });
    expect(toBuildScan(ecrScanEvent(IMAGE, 2, {}))!.scan.truncated).toBe(false);
  });

  it('ignores failed scans and images it did not tag', () => {
    expect(toBuildScan(ecrScanEvent(IMAGE, 2, {}, { status: 'FAILED' }))).toBeUndefined();
    expect(toBuildScan(ecrScanEvent(IMAGE, 2, {}, { tags: ['latest'] }))).toBeUndefined();
  });
});

describe('tags and log streams', () => {
  it('round-trips the per-build tag and takes the log stream from the build id', () => {
    expect(buildOfTag(ecrImageTag(IMAGE, 12))).toEqual({ imageId: IMAGE, buildNumber: 12 });
    expect(buildOfTag('latest')).toBeUndefined();
    expect(codeBuildLogStream(codeBuildId('abc-123'))).toBe('abc-123');
  });
});

describe('toBuildScan of enhanced scanning (Inspector2 Scan)', () => {
  it("reads Inspector's initial scan of a build's image: its counts without TOTAL, its digest", () => {
    const found = toBuildScan(inspectorScanEvent(IMAGE, 2, { CRITICAL: 1, HIGH: 3 }, { digest: 'sha256:def' }));
    expect(found).toMatchObject({ imageId: IMAGE, buildNumber: 2, digest: 'sha256:def', scan: { scanner: 'ecr', truncated: true } });
    expect(found!.scan.counts).toEqual({ CRITICAL: 1, HIGH: 3, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0 });
    expect(toBuildScan(inspectorScanEvent(IMAGE, 2, {}))!.scan).toMatchObject({ truncated: false, counts: { INFORMATIONAL: 0 } });
    expect(
      toBuildScan({ ...inspectorScanEvent(IMAGE, 2, {}), detail: { ...inspectorScanEvent(IMAGE, 2, {}).detail, 'scan-status': 'SCAN_FAILED' } }),
    ).toBeUndefined();
  });
});
