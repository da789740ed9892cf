/**
 * council's blob store for large payloads (Node only: client, worker and CLI; never workflow code).
 * Payloads over a threshold leave the Temporal history through the SDK's external storage; see
 * {@link blobStoreSettingsFromEnv} for the settings and {@link councilDataConverter} for the wiring.
 */
import type { DataConverter } from '@temporalio/common';
import { closeBlobStore, councilDataConverter, openBlobStore, type BlobStore } from './converter';
import { encryptionCodecFromEnv, type AesGcmPayloadCodec } from './encryption';
import { blobStoreSettingsFromEnv } from './settings';

export * from './converter';
export * from './errors';
export * from './fsDriver';
export * from './references';
export * from './settings';

/** A store opened from the environment, the payload codec it configures, and the converter using both. */
export interface OpenedBlobStore {
  store: BlobStore | undefined;
  /** Set when COUNCIL_ENCRYPTION_KEYS / COUNCIL_ENCRYPTION_KEY_FILE list keys (storage/keys.ts). */
  codec: AesGcmPayloadCodec | undefined;
  dataConverter: DataConverter;
  close(): void;
}

/**
 * The blob store the environment configures; with `dataDir` (council's embedded server) the default
 * is the directory `<dataDir>/blobs`, next to temporal.sqlite. The converter encrypts payloads (and
 * failure messages) when the environment lists encryption keys, so every client and worker built from
 * the same environment reads what the others wrote.
 */
export function blobStoreFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  defaults: { dataDir?: string } = {},
): OpenedBlobStore {
  // Keys first: a bad key fails before any store is opened.
  const codec = encryptionCodecFromEnv(env);
  const store = openBlobStore(blobStoreSettingsFromEnv(env, defaults));
  return {
    store,
    codec,
    dataConverter: councilDataConverter(store, codec),
    close: () => closeBlobStore(store),
  };
}
