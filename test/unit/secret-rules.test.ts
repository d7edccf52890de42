/** The pure rules of secrets (names, values, app references, masking) and dev mode's sealing and key file. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appSecretErrors, maskSecrets, MAX_SECRET_VALUE_BYTES, secretValueErrors, SECRET_NAME } from '../../shared/rules/secret-rules.js';
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
