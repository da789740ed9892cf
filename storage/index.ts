/**
 * council's blob store for large payloads (Node only: client, worker and CLI; never workflow code).
 * Payloads over a threshold leave the Temporal history through the SDK's external storage; see
 * {@link blobStoreSettingsFromEnv} for the settings and {@link councilDataConverter} for the wiring.
 */
import type { DataConverter } from '@temporalio/common';
import { closeBlobStore, councilDataConverter, openBlobStore, type BlobStore } from './converter';
import { blobStoreSettingsFromEnv } from './settings';

export * from './converter';
export * from './errors';
export * from './fsDriver';
export * from './references';
export * from './settings';

/** A store opened from the environment, and the converter that uses it. */
export interface OpenedBlobStore {
  store: BlobStore | undefined;
  dataConverter: DataConverter;
  close(): void;
}

/**
 * The blob store the environment configures; with `dataDir` (council's embedded server) the default
 * is the directory `<dataDir>/blobs`, next to temporal.sqlite.
 */
export function blobStoreFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  defaults: { dataDir?: string } = {},
): OpenedBlobStore {
  const store = openBlobStore(blobStoreSettingsFromEnv(env, defaults));
  return { store, dataConverter: councilDataConverter(store), close: () => closeBlobStore(store) };
}
