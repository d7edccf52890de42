import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientError } from '../../shared/errors.js';
import { isExpired, MAX_METRICS, MAX_RESULT_BYTES, metricsOf, parseResult, resultExpiresAt } from '../../shared/rules/result-rules.js';

describe('metricsOf', () => {
  it('takes the finite numeric top-level fields, in order', () => {
    expect(metricsOf({ perf: 0.93, rows: 1200, model: 'b' })).toEqual([
      ['perf', 0.93],
      ['rows', 1200],
    ]);
    expect(metricsOf({ ok: true, n: null, s: '3', nested: { x: 1 }, list: [1], zero: 0, neg: -2.5 })).toEqual([
      ['zero', 0],
      ['neg', -2.5],
    ]);
  });

  it('keeps exactly the numeric fields of any object', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.jsonValue(), { maxKeys: 20 }), (result) => {
        const expected = Object.entries(result).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
        expect(metricsOf(result as Record<string, unknown>)).toEqual(expected);
      }),
    );
  });

  it(`refuses more than ${MAX_METRICS} metrics`, () => {
    const many = Object.fromEntries(Array.from({ length: MAX_METRICS + 1 }, (_, i) => [`m${i}`, i]));
    expect(() => metricsOf(many)).toThrow(ClientError);
  });
});

describe('parseResult', () => {
  it('takes a JSON object', () => expect(parseResult('{"perf": 1}')).toEqual({ perf: 1 }));

  it('answers 413 over 64 KiB (UTF-8 bytes), 400 for anything but a JSON object', () => {
    const status = (body: string) => {
      try {
        parseResult(body);
        return 200;
      } catch (err) {
        return (err as ClientError).status;
      }
    };
    expect(status(JSON.stringify({ s: 'x'.repeat(MAX_RESULT_BYTES - 8) }))).toBe(200);
    expect(status(JSON.stringify({ s: 'x'.repeat(MAX_RESULT_BYTES - 7) }))).toBe(413);
    expect(status(JSON.stringify({ s: 'é'.repeat(MAX_RESULT_BYTES / 2) }))).toBe(413);
    for (const body of ['[1]', 'null', '3', '"s"', '{', '']) expect([body, status(body)]).toEqual([body, 400]);
  });
});

describe('retention of results', () => {
  it('outlives its run: timeout plus the retention days after the post; kept forever with 0 days', () => {
    const at = new Date('2030-01-01T00:00:00Z');
    expect(resultExpiresAt({ retentionDays: 2, timeoutSeconds: 60 }, at)).toBe(at.getTime() / 1000 + 60 + 2 * 86_400);
    expect(resultExpiresAt({ retentionDays: 0, timeoutSeconds: 60 }, at)).toBeUndefined();
    expect(isExpired(100, new Date(100_000))).toBe(true);
    expect(isExpired(101, new Date(100_000))).toBe(false);
    expect(isExpired(undefined, new Date(8e15))).toBe(false);
  });
});
