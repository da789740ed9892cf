import { randomBytes } from 'node:crypto';
import type { EncryptionKeyring } from '../../storage/keys';

/** A fresh random AES-256 key. */
export function newKey(): Buffer {
  return randomBytes(32);
}

/** A keyring encrypting with `currentKeyId`, decrypting with every key given. */
export function keyringOf(currentKeyId: string, keys: Record<string, Buffer>): EncryptionKeyring {
  return { currentKeyId, keys: new Map(Object.entries(keys)) };
}
