import { describe, expect, it } from 'vitest';
import type { AppVersion } from '../../shared/domain.js';
import { versionDiff } from '../../shared/services/version-diff.js';

function version(n: number, overrides: Partial<AppVersion> = {}): AppVersion {
  return {
    appId: 'app-1',
    ownerId: 'user-1',
    name: 'report',
    image: 'containerizer/python:latest',
    command: [],
    env: {},
    cpu: 0.25,
    memoryMiB: 512,
    timeoutSeconds: 60,
    retry: { maxAttempts: 1 },
    version: n,
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: `2030-01-0${n}T00:00:00.000Z`,
    updatedBy: `user-${n}`,
    changedFields: [],
    ...overrides,
  };
}

describe('versionDiff', () => {
  it('shows who changed the source, when, and which lines, as a unified diff', () => {
    const before = version(1, { script: { language: 'python', source: 'a = 1\nb = 2\nprint(a + b)\n' } });
    const after = version(2, { script: { language: 'python', source: 'a = 1\nb = 3\nprint(a + b)\n' } });
    const diff = versionDiff(after, before);
    expect(diff).toMatchObject({
      appId: 'app-1',
      version: 2,
      against: 1,
      changedBy: 'user-2',
      changedAt: '2030-01-02T00:00:00.000Z',
      changedFields: ['script'],
    });
    expect(diff.diff).toBe(
      [
        '===================================================================',
        '--- v1/script.py\t2030-01-01T00:00:00.000Z',
        '+++ v2/script.py\t2030-01-02T00:00:00.000Z by user-2',
        '@@ -1,3 +1,3 @@',
        ' a = 1',
        '-b = 2',
        '+b = 3',
        ' print(a + b)',
        '',
      ].join('\n'),
    );
  });

  it('diffs a script against no script, and leaves the diff empty when the source did not change', () => {
    const plain = version(1, { command: ['echo', 'hi'] });
    const scripted = version(2, { script: { language: 'sh', source: 'echo hi\n' } });
    expect(versionDiff(scripted, plain).diff).toContain('+echo hi');
    expect(versionDiff(scripted, plain).changedFields).toEqual(['command', 'script']);
    const retimed = version(3, { script: { language: 'sh', source: 'echo hi\n' }, timeoutSeconds: 5 });
    expect(versionDiff(retimed, scripted)).toMatchObject({ changedFields: ['timeoutSeconds'], diff: '' });
  });
});
