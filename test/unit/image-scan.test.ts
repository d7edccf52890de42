import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FINDINGS, SEVERITIES, atOrAbove, blockingFindings, describeBlocking, scanResult, toSeverity, type ScanFinding } from '../../shared/image-scan.js';

const finding = (severity: ScanFinding['severity'], id = `X-${severity}`): ScanFinding => ({ id, severity, title: id, where: 'test' });

describe('image scan results and the run policy', () => {
  it('counts every finding, keeps the most severe first and caps the list', () => {
    const findings = [finding('LOW', 'a'), finding('CRITICAL', 'b'), ...Array.from({ length: MAX_FINDINGS + 5 }, (_, i) => finding('MEDIUM', `m${i}`))];
    const result = scanResult(findings, 'test', new Date('2024-01-02T03:04:05Z'));
    expect(result.counts).toEqual({ CRITICAL: 1, HIGH: 0, MEDIUM: MAX_FINDINGS + 5, LOW: 1, INFORMATIONAL: 0 });
    expect(result.findings).toHaveLength(MAX_FINDINGS);
    expect(result.findings[0]!.id).toBe('b');
    expect(result.findings[1]!.id).toBe('m0');
    expect(result.findings.some((f) => f.id === 'a')).toBe(false);
    expect(result.truncated).toBe(true);
    expect(result.scannedAt).toBe('2024-01-02T03:04:05.000Z');
    expect(scanResult([finding('LOW')], 'test').truncated).toBe(false);
  });

  it('blocks on findings at or above the threshold only', () => {
    const result = scanResult([finding('CRITICAL'), finding('HIGH'), finding('HIGH'), finding('LOW')], 'test');
    expect(blockingFindings(result, 'HIGH')).toEqual([
      { severity: 'CRITICAL', count: 1 },
      { severity: 'HIGH', count: 2 },
    ]);
    expect(blockingFindings(result, 'CRITICAL')).toEqual([{ severity: 'CRITICAL', count: 1 }]);
    expect(blockingFindings(scanResult([finding('MEDIUM')], 'test'), 'HIGH')).toEqual([]);
    expect(blockingFindings(result, undefined)).toEqual([]);
    expect(describeBlocking(blockingFindings(result, 'HIGH'), 'HIGH')).toBe('image has 1 CRITICAL, 2 HIGH findings (policy refuses HIGH and above)');
  });

  it('orders severities totally: a finding blocks exactly when it is at or above the threshold', () => {
    const severity = fc.constantFrom(...SEVERITIES);
    fc.assert(
      fc.property(severity, severity, (s, threshold) => {
        const blocked = blockingFindings(scanResult([finding(s)], 'test'), threshold).length > 0;
        expect(blocked).toBe(SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(threshold));
        expect(atOrAbove(s, threshold)).toBe(blocked);
      }),
    );
  });

  it("maps scanners' severity words, unknown ones to INFORMATIONAL", () => {
    expect(toSeverity('high')).toBe('HIGH');
    expect(toSeverity('CRITICAL')).toBe('CRITICAL');
    expect(toSeverity('UNKNOWN')).toBe('INFORMATIONAL');
    expect(toSeverity('UNDEFINED')).toBe('INFORMATIONAL');
    expect(toSeverity(undefined)).toBe('INFORMATIONAL');
  });
});
