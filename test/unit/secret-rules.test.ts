/** The pure rules of secrets (names, values, app references, masking) and dev mode's sealing and key file. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  appSecretErrors,
  maskJson,
  maskLogEvents,
  maskSecrets,
  MAX_SECRET_VALUE_BYTES,
  secretMasker,
  secretValueErrors,
  SECRET_NAME,
  SPLIT_PIECE_MIN_BYTES,
} from '../../shared/rules/secret-rules.js';
import type { LogEvent } from '../../shared/ports.js';
import { KEY_FILE, loadSecretsKey } from '../../local/secrets/key-file.js';
import { open, seal } from '../../local/secrets/secret-cipher.js';

describe('secret rules', () => {
  it('takes names of letters, digits, -, _ and . up to 128, starting with a letter or digit', () => {
    for (const name of ['db-pass', 'a', 'A.b_c-1', 'x'.repeat(128)]) expect(SECRET_NAME.test(name), name).toBe(true);
    for (const name of ['', '-a', '../x', 'a/b', 'a b', 'x'.repeat(129), 'ü']) expect(SECRET_NAME.test(name), name).toBe(false);
  });

  it('takes values of 1 to 65,536 UTF-8 bytes', () => {
    expect(secretValueErrors('x'.repeat(MAX_SECRET_VALUE_BYTES))).toEqual([]);
    expect(secretValueErrors('')).toEqual([{ field: 'value', message: 'must not be empty' }]);
    // 2 bytes each in UTF-8: half as many characters are over.
    expect(secretValueErrors('é'.repeat(MAX_SECRET_VALUE_BYTES / 2 + 1))[0]!.message).toContain('65538 bytes');
  });

  it("refuses an app's secrets whose env names are invalid, the platform's or env keys, naming each", () => {
    expect(appSecretErrors({ DB_PASSWORD: 'db-pass' }, { OTHER: '1' })).toEqual([]);
    expect(appSecretErrors({ '1X': 'a', CONTAINERIZER_RUN_TOKEN: 'b', TOKEN: 'c', OK: 'bad/name' }, { TOKEN: 'plain' }).map((e) => e.field)).toEqual([
      'secrets.1X',
      'secrets.CONTAINERIZER_RUN_TOKEN',
      'secrets.TOKEN',
      'secrets.OK',
    ]);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`S${i}`, 'x']));
    expect(appSecretErrors(many)[0]).toEqual({ field: 'secrets', message: 'at most 50 secrets per app' });
  });

  it('masks every occurrence, the longest value first, each line of a multi-line value, and not values under 4 characters', () => {
    expect(maskSecrets('pw=hunter22 again hunter22', ['hunter22'])).toBe('pw=*** again ***');
    expect(maskSecrets('abcdef', ['abcd', 'abcdef'])).toBe('***');
    expect(maskSecrets('line two-of-key', ['line one-of-key\nline two-of-key'])).toBe('***');
    expect(maskSecrets('a 1 abc', ['a', '1', 'abc'])).toBe('a 1 abc');
  });

  it('masks a result: string values, keys (a clash gets a suffix, nothing is lost), numbers that hold a value; other values stay', () => {
    const mask = secretMasker(['hunter22', '12345678']);
    const result = { note: 'pw=hunter22', hunter22: 1, '***': 2, nested: [{ deep: ['x hunter22 y', true, null] }], pin: 12345678, perf: 0.93 };
    expect(maskJson(result, mask)).toEqual({ note: 'pw=***', '***': 1, '*** (2)': 2, nested: [{ deep: ['x *** y', true, null] }], pin: '***', perf: 0.93 });
    expect(JSON.stringify(maskJson(result, mask))).not.toMatch(/hunter22|12345678/);
    // Nothing to mask: the same values.
    expect(maskJson(result, secretMasker([]))).toEqual(result);
  });

  const piece = (body: string, fill = 'a') => fill.repeat(SPLIT_PIECE_MIN_BYTES + 3 - body.length) + body;
  const event = (message: string, stream: 'stdout' | 'stderr' = 'stdout'): LogEvent => ({ timestamp: 1, stream, message });

  it('masks a value that a split line (a piece of 16 KiB, then the rest) carries across two events; each piece stays its event', () => {
    const mask = secretMasker(['hunter22-secret']);
    const first = piece('pw=hunter2');
    const masked = maskLogEvents([event(first), event('2-secret and more'), event('next line hunter22-secret')], mask);
    expect(masked.map((e) => e.message)).toEqual([first.slice(0, -'hunter2'.length) + '***', ' and more', 'next line ***']);
    // A short line is no piece: the value across two lines of their own is not joined.
    expect(maskLogEvents([event('pw=hunter2'), event('2-secret')], mask).map((e) => e.message)).toEqual(['pw=hunter2', '2-secret']);
    // Another stream in between does not join, nor break, the pieces of the first.
    const interleaved = maskLogEvents([event(first), event('err line', 'stderr'), event('2-secret!')], mask).map((e) => e.message);
    expect(interleaved).toEqual([first.slice(0, -'hunter2'.length) + '***', 'err line', '!']);
  });

  it("masks at a page's edges what may be a value cut there: the tail of an open piece, the head of a page read from a cursor", () => {
    const mask = secretMasker(['hunter22-secret']);
    const open = piece('pw=hunter2');
    expect(maskLogEvents([event(open)], mask)[0]!.message).toBe(open.slice(0, -'hunter2'.length) + '***');
    expect(maskLogEvents([event('2-secret and more')], mask, true)[0]!.message).toBe('*** and more');
    // Only from a cursor (the first page has no line before it), and only fragments of at least 4 characters.
    expect(maskLogEvents([event('2-secret and more')], mask, false)[0]!.message).toBe('2-secret and more');
    expect(maskLogEvents([event('ret and more')], mask, true)[0]!.message).toBe('ret and more');
    // A short last line is complete: its end is not taken for the start of a value.
    expect(maskLogEvents([event('pw=hunter2')], mask)[0]!.message).toBe('pw=hunter2');
  });
});

describe('dev mode sealing', () => {
  const key = Buffer.alloc(32, 7);

  it('seals with a fresh IV each time and opens only with the same key and identity', () => {
    const one = seal(key, 'hunter22', 'owner\nname\n1');
    const two = seal(key, 'hunter22', 'owner\nname\n1');
    expect(one).not.toBe(two);
    expect(one).not.toContain('hunter22');
    expect(open(key, one, 'owner\nname\n1')).toBe('hunter22');
    expect(() => open(key, one, 'owner\nname\n2')).toThrow();
    expect(() => open(Buffer.alloc(32, 8), one, 'owner\nname\n1')).toThrow();
    const [format, iv, tag, body] = one.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => open(key, [format, iv, tag, flipped.toString('base64url')].join('.'), 'owner\nname\n1')).toThrow();
  });

  it('makes the key file once, 0600, and takes SECRETS_KEY instead when set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'secrets-key-'));
    const made = await loadSecretsKey(dir);
    expect(made).toHaveLength(32);
    expect(statSync(join(dir, KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(await loadSecretsKey(dir)).toEqual(made);
    expect(readFileSync(join(dir, KEY_FILE), 'utf8')).toBe(made.toString('base64'));
    expect(await loadSecretsKey(dir, key.toString('base64'))).toEqual(key);
    await expect(loadSecretsKey(dir, 'c2hvcnQ=')).rejects.toThrow('32 bytes');
  });
});
