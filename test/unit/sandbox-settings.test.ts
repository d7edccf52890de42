import { describe, expect, it } from 'vitest';
import { DEFAULT_BUILD_LIMITS, PIDS_LIMIT, buildLimitsFrom } from '../../local/docker/sandbox-settings.js';

const MIB = 1024 * 1024;

describe('buildLimitsFrom', () => {
  it('defaults to 2 GiB without swap, 1 vCPU, the runs’ process bound, 15 minutes and 4 GiB of layers', () => {
    expect(buildLimitsFrom({})).toEqual(DEFAULT_BUILD_LIMITS);
    expect(DEFAULT_BUILD_LIMITS).toEqual({
      memoryBytes: 2048 * MIB,
      cpu: 1,
      pidsLimit: PIDS_LIMIT,
      timeoutMs: 900_000,
      diskMaxBytes: 4096 * MIB,
      diskCheckMs: 5_000,
    });
  });

  it('reads each variable, the disk check interval being the runs’', () => {
    expect(
      buildLimitsFrom({ BUILD_MEMORY_MIB: '512', BUILD_CPU: '0.5', BUILD_TIMEOUT_SECONDS: '60', BUILD_DISK_MAX_MIB: '100', RUN_DISK_CHECK_SECONDS: '1' }),
    ).toEqual({ memoryBytes: 512 * MIB, cpu: 0.5, pidsLimit: PIDS_LIMIT, timeoutMs: 60_000, diskMaxBytes: 100 * MIB, diskCheckMs: 1_000 });
  });

  it.each(['BUILD_MEMORY_MIB', 'BUILD_CPU', 'BUILD_TIMEOUT_SECONDS', 'BUILD_DISK_MAX_MIB'])('refuses a %s that is not a positive number, naming it', (name) => {
    expect(() => buildLimitsFrom({ [name]: '-1' })).toThrow(expect.objectContaining({ name: 'ConfigurationError', variables: [name] }));
  });
});
