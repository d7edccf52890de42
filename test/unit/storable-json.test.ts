/**
 * The store's rules for any JSON document (shared/item-limits.ts): nesting within DynamoDB's 32
 * levels, numbers DynamoDB and the SDK's marshaller take, no prototype keys; and the item shares
 * of a task spec's variable-size fields.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../../shared/errors.js';
import {
  checkStorable,
  isStorableNumber,
  MAX_COMMAND_BYTES,
  MAX_ENV_BYTES,
  MAX_JSON_DEPTH,
  specSizeErrors,
  storableProblems,
} from '../../shared/item-limits.js';
import { parseResult } from '../../shared/rules/result-rules.js';

/** `levels` objects nested in one another around a number. */
const nested = (levels: number, leaf: unknown = 1): unknown => {
  let value: unknown = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

describe('storableProblems', () => {
  it(`takes ${MAX_JSON_DEPTH} levels of objects and arrays and refuses one more, naming where`, () => {
    expect(storableProblems(nested(MAX_JSON_DEPTH))).toEqual([]);
    const [problem, ...rest] = storableProblems(nested(MAX_JSON_DEPTH + 1));
    expect(rest).toEqual([]);
    expect(problem!.field).toBe(Array(MAX_JSON_DEPTH).fill('a').join('.'));
    expect(problem!.message).toMatch(/deeper than 31 levels.*DynamoDB stores 32 levels/);
    expect(storableProblems([[[[1]]]])).toEqual([]);
    expect(storableProblems(JSON.parse('['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1)))[0]!.field).toMatch(/^(0\.){30}0$/);
  });

  it('checks a document 100,000 levels deep without recursion', () => {
    const deep = JSON.parse('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000));
    expect(storableProblems(deep)).toHaveLength(1);
  });

  it.each([
    ['1e400 (parsed as Infinity)', '{"v": 1e400}', 'v'],
    ['-1e400', '{"v": -1e400}', 'v'],
    ['1e-200, below 1E-130', '{"v": {"w": [1, 1e-200]}}', 'v.w.1'],
    ['2^60, past Number.MAX_SAFE_INTEGER', '{"v": 1152921504606846976}', 'v'],
    ['1e20', '{"v": 1e20}', 'v'],
    ['44 digits', '{"v": 12345678901234567890123456789012345678901234}', 'v'],
  ])('refuses the number %s, naming the field', (_, body, field) => {
    expect(storableProblems(JSON.parse(body)).map((p) => p.field)).toEqual([field]);
  });

  it('takes every number the SDK marshals and refuses every one it does not (and DynamoDB’s range)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e-130, 1e-131, Number.MAX_SAFE_INTEGER, 2 ** 53)), (n) => {
        let marshals = true;
        try {
          marshall({ n });
        } catch {
          marshals = false;
        }
        const inDynamoRange = n === 0 || Math.abs(n) >= 1e-130;
        expect(isStorableNumber(n)).toBe(marshals && inDynamoRange);
      }),
    );
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses the key %s at any depth, naming it', (key) => {
    expect(storableProblems(JSON.parse(`{"${key}": {"x": 1}}`)).map((p) => p.field)).toEqual([key]);
    expect(storableProblems(JSON.parse(`{"env": {"A": "1", "${key}": "x"}}`)).map((p) => p.field)).toEqual([`env.${key}`]);
    expect(storableProblems(JSON.parse(`[{"a": {"${key}": 1}}]`)).map((p) => p.field)).toEqual([`0.a.${key}`]);
    expect(storableProblems({ [`x${key}`]: 1, a: [key] })).toEqual([]);
  });

  it('reports at most 10 problems, in document order, under a root', () => {
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`m${i}`, Infinity]));
    const problems = storableProblems(many, 'result');
    expect(problems.map((p) => p.field)).toEqual(Array.from({ length: 10 }, (_, i) => `result.m${i}`));
  });

  it('checkStorable throws a 400 listing them; parseResult applies it to results and result files', () => {
    expect(() => checkStorable({ ok: 1 }, 'the result')).not.toThrow();
    for (const body of ['{"v": 1e400}', '{"__proto__": {"x": 1}}', JSON.stringify(nested(1500))]) {
      const err = (() => {
        try {
          parseResult(body);
        } catch (e) {
          return e;
        }
      })() as ClientError;
      expect(err).toBeInstanceOf(ClientError);
      expect(err.status).toBe(400);
      expect(err.errors?.length).toBeGreaterThan(0);
    }
  });
});

describe('specSizeErrors', () => {
  const big = (bytes: number) => 'x'.repeat(bytes);
  it('counts health check commands and script arguments with the commands, naming the field that crosses the share', () => {
    expect(specSizeErrors({ command: ['a'], env: { A: 'b' } })).toEqual([]);
    expect(specSizeErrors({ healthCheck: { command: ['CMD', ...Array(220).fill(big(4096))] } }).map((e) => e.field)).toEqual(['healthCheck.command']);
    expect(specSizeErrors({ sidecars: [{}, { healthCheck: { command: ['CMD', ...Array(20).fill(big(4096))] } }] }).map((e) => e.field)).toEqual([
      'sidecars.1.healthCheck.command',
    ]);
    expect(specSizeErrors({ command: [big(MAX_COMMAND_BYTES / 2)], script: { args: Array(64).fill(big(4096)) } }).map((e) => e.field)).toEqual(['script.args']);
    expect(specSizeErrors({ env: { A: big(MAX_ENV_BYTES - 1) }, sidecars: [{ env: { B: 'x' } }] }).map((e) => e.field)).toEqual(['sidecars.0.env']);
  });
});
