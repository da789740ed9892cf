import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CouncilUserError } from '../common/userError';
import { encryptionSettingsFromEnv, type EncryptionKeyring } from './keys';

const PayloadProto = temporal.api.common.v1.Payload;

/** The `encoding` of a payload this codec encrypted; anything else passes through decode untouched. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key that encrypted a payload, so a reader can pick it among rotated keys. */
export const KEY_ID_METADATA = 'encryption-key-id';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null | undefined) =>
  bytes ? Buffer.from(bytes).toString('utf8') : undefined;

/** A payload names a key this process was not given: it was encrypted before a key was removed. */
export class UnknownEncryptionKeyError extends Error {
  override readonly name = 'UnknownEncryptionKeyError';
  constructor(
    readonly keyId: string,
    known: readonly string[],
  ) {
    super(
      `a payload was encrypted with key "${keyId}", which is not among the configured keys ` +
        `(${known.join(', ')}): list "${keyId}" again in COUNCIL_ENCRYPTION_KEYS or ` +
        `COUNCIL_ENCRYPTION_KEY_FILE (a retired key must stay listed while histories or blobs ` +
        `encrypted with it are kept; only COUNCIL_ENCRYPTION_KEY_ID moves to the new key)`,
    );
  }
}

/** An encrypted payload whose authentication tag does not verify: altered, truncated or a wrong key. */
export class PayloadAuthenticationError extends Error {
  override readonly name = 'PayloadAuthenticationError';
  constructor(
    readonly keyId: string,
    reason: string,
  ) {
    super(
      `an encrypted payload (key "${keyId}") failed authentication: ${reason}. It was altered or ` +
        `truncated in storage, or key "${keyId}" is not the key it was encrypted with (check that ` +
        `every process lists the same key under that id)`,
    );
  }
}

/**
 * AES-256-GCM over whole payloads. Each encoded payload holds, in `data`, a random 96-bit IV, the
 * ciphertext of the original payload (metadata and data, serialized as a protobuf Payload) and the
 * 128-bit tag; its metadata says only `binary/encrypted` and the key id, which is also bound as
 * additional authenticated data so it cannot be swapped. Payloads without that encoding decode as
 * they are, so histories written before encryption was turned on stay readable.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyring: EncryptionKeyring) {
    if (!keyring.keys.has(keyring.currentKeyId)) {
      throw new Error(`the current key "${keyring.currentKeyId}" is not in the keyring`);
    }
  }

  /** The id of the key that encrypts. */
  get currentKeyId(): string {
    return this.keyring.currentKeyId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decrypt(payload));
  }

  private encrypt(payload: Payload): Payload {
    const keyId = this.keyring.currentKeyId;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.keyring.keys.get(keyId)!, iv);
    cipher.setAAD(utf8(keyId));
    const plain = PayloadProto.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId) },
      data: sealed,
    };
  }

  private decrypt(payload: Payload): Payload {
    if (text(payload.metadata?.encoding) !== ENCRYPTED_ENCODING) return payload;
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId) throw new PayloadAuthenticationError('(none)', `its metadata has no ${KEY_ID_METADATA}`);
    const key = this.keyring.keys.get(keyId);
    if (!key) throw new UnknownEncryptionKeyError(keyId, [...this.keyring.keys.keys()]);
    const sealed = Buffer.from(payload.data ?? new Uint8Array());
    if (sealed.length < IV_BYTES + TAG_BYTES) {
      throw new PayloadAuthenticationError(
        keyId,
        `it is ${sealed.length} bytes, shorter than an IV and a tag`,
      );
    }
    const decipher = createDecipheriv(ALGORITHM, key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(utf8(keyId));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch (error) {
      throw new PayloadAuthenticationError(keyId, `the tag does not verify (${(error as Error).message})`);
    }
    return PayloadProto.decode(plain);
  }
}

/** The codec COUNCIL_ENCRYPTION_KEYS / _KEY_FILE / _KEY_ID configure, or undefined when no key is listed. */
export function encryptionCodecFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): AesGcmPayloadCodec | undefined {
  const keyring = encryptionSettingsFromEnv(env);
  return keyring ? new AesGcmPayloadCodec(keyring) : undefined;
}

/**
 * The error to show for a payload read without the keys it was encrypted with: the SDK's own says
 * only "Unknown encoding: binary/encrypted". Other errors are returned as they are.
 */
export function explainEncrypted(error: unknown): unknown {
  if (!(error instanceof Error) || !error.message.includes(`Unknown encoding: ${ENCRYPTED_ENCODING}`)) {
    return error;
  }
  return new CouncilUserError(
    'a run in this namespace is encrypted, and this client has no encryption keys',
    'set COUNCIL_ENCRYPTION_KEYS (or COUNCIL_ENCRYPTION_KEY_FILE) to the keys the workers use',
    { cause: error },
  );
}
