import { blobStoreSettingsFromEnv, DEFAULT_BLOB_THRESHOLD_BYTES } from '../../storage/settings';

describe('blob store settings from the environment', () => {
  it('defaults to <dataDir>/blobs on the embedded server and to none on a cluster', () => {
    expect(blobStoreSettingsFromEnv({}, { dataDir: '/data' })).toEqual({
      store: 'dir',
      dir: '/data/blobs',
      thresholdBytes: DEFAULT_BLOB_THRESHOLD_BYTES,
    });
    expect(blobStoreSettingsFromEnv({})).toEqual({ store: 'none' });
  });

  it('reads the S3 variables, with path-style endpoint and credentials', () => {
    const env = {
      COUNCIL_BLOB_STORE: 's3',
      COUNCIL_S3_BUCKET: 'blobs',
      COUNCIL_S3_ENDPOINT: 'http://minio:9000',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'secret',
      COUNCIL_BLOB_THRESHOLD_BYTES: '100000',
    };
    expect(blobStoreSettingsFromEnv(env, { dataDir: '/data' })).toEqual({
      store: 's3',
      bucket: 'blobs',
      endpoint: 'http://minio:9000',
      region: 'us-east-1',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
      thresholdBytes: 100_000,
    });
  });

  it.each([
    [{ COUNCIL_BLOB_STORE: 'ftp' }, 'COUNCIL_BLOB_STORE (dir, s3 or none)'],
    [{ COUNCIL_BLOB_STORE: 's3' }, 'COUNCIL_S3_BUCKET: set the bucket name (COUNCIL_S3_BUCKET)'],
    [
      { COUNCIL_BLOB_STORE: 's3', COUNCIL_S3_BUCKET: 'b12', COUNCIL_S3_ENDPOINT: 'minio:9000' },
      'COUNCIL_S3_ENDPOINT: must be an http(s) URL',
    ],
    [{ COUNCIL_BLOB_STORE: 'dir', COUNCIL_BLOB_DIR: '  ' }, 'COUNCIL_BLOB_DIR: the blob directory is empty'],
    [
      { COUNCIL_BLOB_THRESHOLD_BYTES: '3000000' },
      'COUNCIL_BLOB_THRESHOLD_BYTES: must stay under the 2 MB payload limit',
    ],
    [
      { COUNCIL_BLOB_STORE: 's3', COUNCIL_S3_BUCKET: 'b12', AWS_ACCESS_KEY_ID: 'id' },
      'AWS_ACCESS_KEY_ID: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither',
    ],
  ])('names the variable of a bad value: %j', (env, message) => {
    expect(() => blobStoreSettingsFromEnv(env, { dataDir: '/data' })).toThrow(message);
  });
});
