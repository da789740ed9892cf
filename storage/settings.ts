import path from 'node:path';
import { z } from 'zod';
import { zodProblem } from '../common/validation';
import { CouncilUserError } from '../common/userError';

/** SDK default: payloads of 256 KiB and more leave the history. */
export const DEFAULT_BLOB_THRESHOLD_BYTES = 256 * 1024;

const threshold = z.coerce
  .number()
  .int('must be a whole number of bytes')
  .min(1024, 'must be at least 1024 bytes (smaller payloads are cheaper inline)')
  .max(2_000_000, 'must stay under the 2 MB payload limit, or large payloads would still fail')
  .default(DEFAULT_BLOB_THRESHOLD_BYTES);

/** Where large payloads go: nowhere (kept inline), a directory, or an S3 bucket. */
export const blobStoreSettingsSchema = z.discriminatedUnion('store', [
  z.object({ store: z.literal('none') }),
  z.object({
    store: z.literal('dir'),
    dir: z
      .string({ error: 'set the directory (COUNCIL_BLOB_DIR)' })
      .trim()
      .min(1, 'the blob directory is empty'),
    thresholdBytes: threshold,
  }),
  z
    .object({
      store: z.literal('s3'),
      bucket: z
        .string({ error: 'set the bucket name (COUNCIL_S3_BUCKET)' })
        .trim()
        .min(3, 'a bucket name has 3 characters or more'),
      region: z.string().trim().min(1).default('us-east-1'),
      endpoint: z
        .string()
        .regex(/^https?:\/\/[^/\s]+/, 'must be an http(s) URL such as http://minio:9000')
        .optional(),
      accessKeyId: z.string().min(1).optional(),
      secretAccessKey: z.string().min(1).optional(),
      thresholdBytes: threshold,
    })
    .refine((settings) => !settings.accessKeyId === !settings.secretAccessKey, {
      message: 'set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (the AWS default chain)',
      path: ['accessKeyId'],
    }),
]);
export type BlobStoreSettings = z.infer<typeof blobStoreSettingsSchema>;
export type BlobStoreSettingsInput = z.input<typeof blobStoreSettingsSchema>;

/** Every variable {@link blobStoreSettingsFromEnv} reads (docker-compose's test checks against it). */
export const BLOB_STORE_ENV_VARS = [
  'COUNCIL_BLOB_STORE',
  'COUNCIL_BLOB_DIR',
  'COUNCIL_BLOB_THRESHOLD_BYTES',
  'COUNCIL_S3_BUCKET',
  'COUNCIL_S3_ENDPOINT',
  'COUNCIL_S3_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
] as const;

/**
 * The blob store configured by COUNCIL_BLOB_STORE (dir, s3 or none) and its variables. Unset, it is
 * the directory `<dataDir>/blobs` when a data directory is given (the embedded server: nothing to set
 * up), else none. COUNCIL_BLOB_DIR defaults to `<dataDir>/blobs`; S3 reads COUNCIL_S3_BUCKET,
 * COUNCIL_S3_ENDPOINT, COUNCIL_S3_REGION and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
 * (else the AWS SDK's default credential chain). A bad value is one error naming the variable.
 */
export function blobStoreSettingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  defaults: { dataDir?: string } = {},
): BlobStoreSettings {
  const store = env.COUNCIL_BLOB_STORE?.trim() || (defaults.dataDir ? 'dir' : 'none');
  const input: Record<string, unknown> = { store };
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '') input[key] = value;
  };
  set('thresholdBytes', env.COUNCIL_BLOB_THRESHOLD_BYTES);
  if (store === 'dir') {
    set('dir', env.COUNCIL_BLOB_DIR ?? (defaults.dataDir ? path.join(defaults.dataDir, 'blobs') : undefined));
  } else if (store === 's3') {
    set('bucket', env.COUNCIL_S3_BUCKET);
    set('endpoint', env.COUNCIL_S3_ENDPOINT);
    set('region', env.COUNCIL_S3_REGION);
    set('accessKeyId', env.AWS_ACCESS_KEY_ID);
    set('secretAccessKey', env.AWS_SECRET_ACCESS_KEY);
  }
  const parsed = blobStoreSettingsSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const names: Record<string, string> = {
    store: 'COUNCIL_BLOB_STORE (dir, s3 or none)',
    dir: 'COUNCIL_BLOB_DIR',
    thresholdBytes: 'COUNCIL_BLOB_THRESHOLD_BYTES',
    bucket: 'COUNCIL_S3_BUCKET',
    endpoint: 'COUNCIL_S3_ENDPOINT',
    region: 'COUNCIL_S3_REGION',
    accessKeyId: 'AWS_ACCESS_KEY_ID',
  };
  const problem = parsed.error.issues
    .map((issue) => `${names[String(issue.path[0])] ?? String(issue.path[0])}: ${issue.message}`)
    .join('; ');
  throw new CouncilUserError(
    `invalid blob store settings: ${problem || zodProblem(parsed.error)}`,
    'COUNCIL_BLOB_STORE=dir uses <data dir>/blobs; =s3 needs COUNCIL_S3_BUCKET (and COUNCIL_S3_ENDPOINT for MinIO)',
  );
}
