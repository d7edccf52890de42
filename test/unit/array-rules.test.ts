import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import {
  arrayEnv,
  arrayParallelism,
  childIdRange,
  childrenDue,
  childRunId,
  emptySummary,
  isArrayParent,
  isRunId,
  parentOutcome,
} from '../../shared/rules/array-rules.js';
import type { RunArrayProperties } from '../../shared/array-schemas.js';

const parentId = ulid();
const array = (over: Partial<RunArrayProperties> = {}): RunArrayProperties => ({
  size: 10,
  parallelism: 3,
  nextIndex: 0,
  statusSummary: emptySummary(),
  ...over,
});

describe('array rules', () => {
  it('names children <parent>-<index 4 digits>[-<attempt>], sorted by index then attempt, inside the parent range', () => {
    expect(childRunId(parentId, 7)).toBe(`${parentId}-0007`);
    expect(childRunId(parentId, 9999, 3)).toBe(`${parentId}-9999-3`);
    const ids = [childRunId(parentId, 10), childRunId(parentId, 2, 2), childRunId(parentId, 2), childRunId(parentId, 1)];
    expect([...ids].sort()).toEqual([childRunId(parentId, 1), childRunId(parentId, 2), childRunId(parentId, 2, 2), childRunId(parentId, 10)]);
    const { low, high } = childIdRange(parentId);
    expect(ids.every((id) => id > low && id < high)).toBe(true);
    expect(parentId < low).toBe(true);
  });

  it('accepts run ids and child ids, nothing else', () => {
    expect(isRunId(parentId)).toBe(true);
    expect(isRunId(childRunId(parentId, 42, 2))).toBe(true);
    for (const bad of [`${parentId}-42`, `${parentId}:0042`, `${parentId}-0042-`, `x${parentId.slice(1)}-0001`, `${parentId}-0042-123`, '../etc']) {
      expect(isRunId(bad)).toBe(false);
    }
  });

  it('defaults parallelism to the size, capped by the size and the run quota', () => {
    expect(arrayParallelism(100, undefined, 20)).toBe(20);
    expect(arrayParallelism(5, undefined, 20)).toBe(5);
    expect(arrayParallelism(100, 50, 20)).toBe(20);
    expect(arrayParallelism(5, 50, 20)).toBe(5);
    expect(arrayParallelism(100, 3, 20)).toBe(3);
  });

  it('creates children while fewer than parallelism are active, none once stopped or ended', () => {
    const run = { status: 'PENDING' as const, stopRequest: undefined };
    expect(childrenDue({ ...run, arrayProperties: array() })).toBe(3);
    expect(childrenDue({ ...run, arrayProperties: array({ nextIndex: 3 }) })).toBe(0);
    expect(childrenDue({ ...run, arrayProperties: array({ nextIndex: 3, statusSummary: { ...emptySummary(), FAILED: 2 } }) })).toBe(2);
    expect(childrenDue({ ...run, arrayProperties: array({ nextIndex: 9, statusSummary: { ...emptySummary(), SUCCEEDED: 9 } }) })).toBe(1);
    expect(childrenDue({ ...run, stopRequest: { status: 'STOPPED', reason: 'x', at: '' }, arrayProperties: array() })).toBe(0);
    expect(childrenDue({ status: 'FAILED', arrayProperties: array() })).toBe(0);
  });

  it('ends the parent when every index ended: SUCCEEDED only when all did, else FAILED with the counts; stopped, once the created ones ended', () => {
    expect(parentOutcome({ arrayProperties: array({ nextIndex: 10, statusSummary: { ...emptySummary(), SUCCEEDED: 9 } }) })).toBeUndefined();
    expect(parentOutcome({ arrayProperties: array({ nextIndex: 10, statusSummary: { ...emptySummary(), SUCCEEDED: 10 } }) })).toEqual({
      status: 'SUCCEEDED',
      reason: '10 of 10 children ended: 10 SUCCEEDED',
    });
    expect(parentOutcome({ arrayProperties: array({ nextIndex: 10, statusSummary: { ...emptySummary(), SUCCEEDED: 8, FAILED: 1, TIMED_OUT: 1 } }) })).toEqual({
      status: 'FAILED',
      reason: '10 of 10 children ended: 8 SUCCEEDED, 1 FAILED, 1 TIMED_OUT',
    });
    const stopRequest = { status: 'STOPPED' as const, reason: 'stopped by a', at: '' };
    expect(parentOutcome({ stopRequest, arrayProperties: array({ nextIndex: 3, statusSummary: { ...emptySummary(), STOPPED: 2 } }) })).toBeUndefined();
    expect(parentOutcome({ stopRequest, arrayProperties: array({ nextIndex: 3, statusSummary: { ...emptySummary(), STOPPED: 3 } }) })).toEqual({
      status: 'STOPPED',
      reason: 'stopped by a; 3 of 10 children ended: 3 STOPPED',
    });
  });

  it('gives a child its index, the size and its attempt; a parent or a plain run nothing', () => {
    expect(arrayEnv({ parentRunId: parentId, arrayProperties: { size: 10, index: 4 }, attempt: 2 })).toEqual({
      CONTAINERIZER_ARRAY_INDEX: '4',
      CONTAINERIZER_ARRAY_SIZE: '10',
      CONTAINERIZER_ATTEMPT: '2',
    });
    expect(arrayEnv({ arrayProperties: array(), attempt: 1 })).toEqual({});
    expect(arrayEnv({ attempt: 1 })).toEqual({});
    expect(isArrayParent({ arrayProperties: array() })).toBe(true);
    expect(isArrayParent({ parentRunId: parentId, arrayProperties: { size: 10, index: 1 } })).toBe(false);
    expect(isArrayParent({})).toBe(false);
  });
});
