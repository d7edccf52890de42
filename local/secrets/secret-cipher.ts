/**
 * Dev mode's sealing of secret values: AES-256-GCM (node:crypto) with a random 96-bit IV per value
 * (NIST SP 800-38D recommends 96-bit IVs; a random one per message keeps the key far below GCM's
 * 2^32-messages bound here) and a 128-bit tag. The secret's identity (owner, name, version) is the
 * additional authenticated data, so a sealed value copied onto another secret's item does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
/** Bytes of the key (256 bits). */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The sealed form's version, so that a later scheme can be told apart. */
const FORMAT = 'v1';

/** `v1.<iv>.<tag>.<ciphertext>`, each part base64url. */
export function seal(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** @throws Error when `sealed` is not sealed by `seal` with this key and `aad` (tampered, another key, another secret). */
export function open(key: Buffer, sealed: string, aad: string): string {
  const [format, iv, tag, ciphertext] = sealed.split('.');
  if (format !== FORMAT || iv === undefined || tag === undefined || ciphertext === undefined) throw new Error('not a sealed secret value');
  const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
