import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import {
  AesGcmPayloadCodec,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  PayloadAuthenticationError,
  UnknownEncryptionKeyError,
  encryptionCodecFromEnv,
} from '../../storage/encryption';
import { encryptionSettingsFromEnv } from '../../storage/keys';
import { keyringOf, newKey } from './support';

const SECRET = 'the launch code is 0000-unit-test';
const plainPayload = (): Payload => defaultPayloadConverter.toPayload({ answer: SECRET })!;
const meta = (payload: Payload, key: string) => Buffer.from(payload.metadata![key]!).toString('utf8');

describe('AES-256-GCM payload codec (no server)', () => {
  const k1 = newKey();
  const k2 = newKey();

  it('round-trips a payload; the encoded one holds neither the text nor the original metadata', async () => {
    const codec = new AesGcmPayloadCodec(keyringOf('k1', { k1 }));
    const [encoded] = await codec.encode([plainPayload()]);
    expect(meta(encoded!, 'encoding')).toBe(ENCRYPTED_ENCODING);
    expect(meta(encoded!, KEY_ID_METADATA)).toBe('k1');
    expect(Object.keys(encoded!.metadata!).sort()).toEqual([KEY_ID_METADATA, 'encoding'].sort());
    expect(Buffer.from(encoded!.data!).includes(SECRET)).toBe(false);
    expect(Buffer.from(encoded!.data!).includes('json/plain')).toBe(false);
    const [decoded] = await codec.decode([encoded!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual({ answer: SECRET });
  });

  it('draws a fresh IV per payload: the same payload encrypts differently each time', async () => {
    const codec = new AesGcmPayloadCodec(keyringOf('k1', { k1 }));
    const [a, b] = await codec.encode([plainPayload(), plainPayload()]);
    expect(Buffer.from(a!.data!).subarray(0, 12).equals(Buffer.from(b!.data!).subarray(0, 12))).toBe(false);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes payloads it did not encrypt through decode untouched (histories from before encryption)', async () => {
    const codec = new AesGcmPayloadCodec(keyringOf('k1', { k1 }));
    const plain = plainPayload();
    const [decoded] = await codec.decode([plain]);
    expect(decoded).toBe(plain);
  });

  it('rotation: a codec encrypting with k2 still decrypts k1 payloads while k1 is listed', async () => {
    const [old] = await new AesGcmPayloadCodec(keyringOf('k1', { k1 })).encode([plainPayload()]);
    const rotated = new AesGcmPayloadCodec(keyringOf('k2', { k1, k2 }));
    const [fresh] = await rotated.encode([plainPayload()]);
    expect(meta(fresh!, KEY_ID_METADATA)).toBe('k2');
    const decoded = await rotated.decode([old!, fresh!]);
    expect(decoded.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([
      { answer: SECRET },
      { answer: SECRET },
    ]);
  });

  it('a payload of a removed key fails with an error naming the key and how to fix it', async () => {
    const [old] = await new AesGcmPayloadCodec(keyringOf('k1', { k1 })).encode([plainPayload()]);
    const decode = new AesGcmPayloadCodec(keyringOf('k2', { k2 })).decode([old!]);
    await expect(decode).rejects.toThrow(UnknownEncryptionKeyError);
    await expect(decode).rejects.toThrow(
      /key "k1", which is not among the configured keys \(k2\).*list "k1" again/,
    );
  });

  describe('tampering fails authentication', () => {
    const codec = new AesGcmPayloadCodec(keyringOf('k1', { k1, k2 }));
    const tamper = async (edit: (encoded: Payload) => Payload) => {
      const [encoded] = await codec.encode([plainPayload()]);
      return codec.decode([edit(encoded!)]);
    };
    const flip = (at: (length: number) => number) => (encoded: Payload) => {
      const data = Buffer.from(encoded.data!);
      data[at(data.length)]! ^= 1;
      return { ...encoded, data };
    };

    it.each([
      ['a ciphertext byte', flip((n) => n - 20)],
      ['an IV byte', flip(() => 0)],
      ['a tag byte', flip((n) => n - 1)],
      [
        'the key id (swapped for another listed key)',
        (e: Payload) => ({
          ...e,
          metadata: { ...e.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('k2') },
        }),
      ],
    ])('%s', async (_what, edit) => {
      await expect(tamper(edit)).rejects.toThrow(PayloadAuthenticationError);
      await expect(tamper(edit)).rejects.toThrow(/failed authentication: the tag does not verify/);
    });

    it('truncation', async () => {
      await expect(tamper((e) => ({ ...e, data: e.data!.subarray(0, 20) }))).rejects.toThrow(
        /failed authentication: it is 20 bytes, shorter than an IV and a tag/,
      );
    });
  });
});

describe('encryption keys from the environment', () => {
  const b64 = (bytes: Buffer) => bytes.toString('base64');
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('is off when no key is listed', () => {
    expect(encryptionSettingsFromEnv({})).toBeUndefined();
    expect(encryptionCodecFromEnv({ COUNCIL_ENCRYPTION_KEYS: ' ' })).toBeUndefined();
  });

  it('reads an id:key list and a JSON object; one key needs no COUNCIL_ENCRYPTION_KEY_ID', () => {
    const list = encryptionSettingsFromEnv({ COUNCIL_ENCRYPTION_KEYS: `k1:${b64(k1)}` })!;
    expect(list.currentKeyId).toBe('k1');
    expect(list.keys.get('k1')!.equals(k1)).toBe(true);
    const json = encryptionSettingsFromEnv({
      COUNCIL_ENCRYPTION_KEYS: JSON.stringify({ k1: b64(k1), k2: b64(k2) }),
      COUNCIL_ENCRYPTION_KEY_ID: 'k2',
    })!;
    expect(json.currentKeyId).toBe('k2');
    expect([...json.keys.keys()]).toEqual(['k1', 'k2']);
  });

  it('reads a JSON key file, merged with the variable', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'council-keys-'));
    try {
      const file = path.join(dir, 'keys.json');
      await writeFile(file, JSON.stringify({ k2: b64(k2) }));
      const ring = encryptionSettingsFromEnv({
        COUNCIL_ENCRYPTION_KEYS: `k1:${b64(k1)}`,
        COUNCIL_ENCRYPTION_KEY_FILE: file,
        COUNCIL_ENCRYPTION_KEY_ID: 'k2',
      })!;
      expect([...ring.keys.keys()].sort()).toEqual(['k1', 'k2']);
      expect(() =>
        encryptionSettingsFromEnv({ COUNCIL_ENCRYPTION_KEY_FILE: path.join(dir, 'missing.json') }),
      ).toThrow(/cannot read COUNCIL_ENCRYPTION_KEY_FILE \(.*missing\.json\)/);
      // A device that never ends (stat says 0 bytes) was read whole: the process died out of memory.
      expect(() => encryptionSettingsFromEnv({ COUNCIL_ENCRYPTION_KEY_FILE: '/dev/zero' })).toThrow(
        'COUNCIL_ENCRYPTION_KEY_FILE (/dev/zero) holds over 65536 bytes: not a key file',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [
      'a 31-byte key',
      { COUNCIL_ENCRYPTION_KEYS: `k1:${b64(randomBytes(31))}` },
      /k1: must decode to 32 bytes for AES-256/,
    ],
    ['a key that is not base64', { COUNCIL_ENCRYPTION_KEYS: 'k1:not base64!' }, /k1: must be base64/],
    ['an entry without an id', { COUNCIL_ENCRYPTION_KEYS: b64(k1) }, /entry 1 is not id:base64key/],
    ['bad JSON', { COUNCIL_ENCRYPTION_KEYS: '{"k1":' }, /COUNCIL_ENCRYPTION_KEYS is not valid JSON/],
    // JSON.parse's own message quoted the start of a key written without its quotes.
    [
      'JSON with a key not quoted',
      { COUNCIL_ENCRYPTION_KEYS: `{"k1": ${b64(k1)}}` },
      /COUNCIL_ENCRYPTION_KEYS is not valid JSON: write it as \{"id": "<base64 key>", ...\}, each key in quotes/,
    ],
    ['a bad key id', { COUNCIL_ENCRYPTION_KEYS: `bad id:${b64(k1)}` }, /a key id is 1-64 letters/],
    [
      'two keys and no current one',
      { COUNCIL_ENCRYPTION_KEYS: `k1:${b64(k1)},k2:${b64(k2)}` },
      /2 keys are listed \(k1, k2\): set COUNCIL_ENCRYPTION_KEY_ID/,
    ],
    [
      'a current id not listed',
      { COUNCIL_ENCRYPTION_KEYS: `k1:${b64(k1)}`, COUNCIL_ENCRYPTION_KEY_ID: 'k9' },
      /COUNCIL_ENCRYPTION_KEY_ID names "k9", which is not among the listed keys \(k1\)/,
    ],
    [
      'an id and no key',
      { COUNCIL_ENCRYPTION_KEY_ID: 'k1' },
      /COUNCIL_ENCRYPTION_KEY_ID is set but no key is listed/,
    ],
  ])('refuses %s with a clear error that never prints the key', (_what, env, message) => {
    expect(() => encryptionSettingsFromEnv(env)).toThrow(message);
    try {
      encryptionSettingsFromEnv(env);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(b64(k1).slice(0, 6));
    }
  });
});
