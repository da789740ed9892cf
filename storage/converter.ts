import {
  ExternalStorage,
  type DataConverter,
  type PayloadCodec,
  type StorageDriver,
} from '@temporalio/common';
import type * as S3Driver from '@temporalio/external-storage-s3';
import type { S3StorageDriver } from '@temporalio/external-storage-s3';
import { ENCRYPTED_FAILURE_CONVERTER_PATH } from './failureConverter';
import { DirStorageDriver } from './fsDriver';
import type * as S3Client from './s3Client';
import type { AwsS3StorageClient } from './s3Client';
import type { BlobStoreSettings } from './settings';

/** The wire name of council's S3 store in reference payloads (the SDK driver's default). */
export const S3_DRIVER_NAME = 'aws.s3driver';

/** An opened blob store: the driver the SDK calls, and what retention and errors need to know. */
export type BlobStore =
  | { kind: 'dir'; driver: DirStorageDriver; thresholdBytes: number; describe: string }
  | {
      kind: 's3';
      driver: S3StorageDriver;
      client: AwsS3StorageClient;
      bucket: string;
      thresholdBytes: number;
      describe: string;
    };

/** The store the settings name, or undefined for `none`. Opening connects nothing yet. */
export function openBlobStore(settings: BlobStoreSettings): BlobStore | undefined {
  if (settings.store === 'none') return undefined;
  if (settings.store === 'dir') {
    const driver = new DirStorageDriver(settings.dir);
    return { kind: 'dir', driver, thresholdBytes: settings.thresholdBytes, describe: driver.describe() };
  }
  // Loaded only for an S3 store: the AWS SDK would add a few hundred ms to every CLI start on the
  // embedded server, whose store is a directory (docs/performance.md, CLI start).
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, see above */
  const { AwsS3StorageClient: Client } = require('./s3Client') as typeof S3Client;
  const { S3StorageDriver: Driver } = require('@temporalio/external-storage-s3') as typeof S3Driver;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const client = new Client(settings);
  const driver = new Driver({ client, bucket: settings.bucket, driverName: S3_DRIVER_NAME });
  const where = settings.endpoint ? ` at ${settings.endpoint}` : '';
  return {
    kind: 's3',
    driver,
    client,
    bucket: settings.bucket,
    thresholdBytes: settings.thresholdBytes,
    describe: `the S3 bucket ${settings.bucket}${where}`,
  };
}

/**
 * council's DataConverter: JSON payloads, encrypted by `codec` when one is given (storage/encryption.ts;
 * failure messages then travel as encrypted payloads too: storage/failureConverter.ts, which workflow
 * bundles must get as `failureConverterPath`), and with a store, payloads of `thresholdBytes` and more
 * (after the codec, so blobs are encrypted too) replaced in the history by a small reference to a
 * blob. Client and worker must use the same store and keys, or one writes what the other cannot read.
 */
export function councilDataConverter(store: BlobStore | undefined, codec?: PayloadCodec): DataConverter {
  // With a codec, failure messages and stack traces become a payload too, so they are encrypted.
  const encoding = codec
    ? { payloadCodecs: [codec], failureConverterPath: ENCRYPTED_FAILURE_CONVERTER_PATH }
    : {};
  if (!store) return encoding;
  const drivers: StorageDriver[] = [store.driver];
  return {
    ...encoding,
    externalStorage: new ExternalStorage({ drivers, payloadSizeThreshold: store.thresholdBytes }),
  };
}

/** Releases the store's connections (the S3 client's sockets); a directory holds none. */
export function closeBlobStore(store: BlobStore | undefined): void {
  if (store?.kind === 's3') store.client.close();
}
