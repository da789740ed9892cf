import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { S3RequestOptions, S3StorageDriverClient } from '@temporalio/external-storage-s3';

/** The keys the SDK's S3 driver writes: `v0`, its context's percent-encoded segments, the content's SHA-256. */
const BLOB_KEY = /^v0(?:\/[A-Za-z0-9!*'()%._-]{1,1024}){0,8}\/d\/sha256\/[0-9a-f]{64}$/;

/** Where the S3 store lives. Credentials come from the AWS SDK's default chain (AWS_* variables, profiles). */
export interface S3Location {
  bucket: string;
  region: string;
  /** An S3-compatible server (MinIO, moto, Ceph); path-style addressing is used with it. */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
}

/** One object of a listing, for retention. */
export interface S3ObjectEntry {
  key: string;
  modifiedMs: number;
}

/**
 * The {@link S3StorageDriverClient} the SDK's `S3StorageDriver` calls, over @aws-sdk/client-s3, plus the
 * listing and deletion `council gc` needs.
 */
export class AwsS3StorageClient implements S3StorageDriverClient {
  readonly s3: S3Client;

  constructor(readonly location: S3Location) {
    this.s3 = new S3Client({
      region: location.region,
      ...(location.endpoint ? { endpoint: location.endpoint, forcePathStyle: true } : {}),
      ...(location.accessKeyId && location.secretAccessKey
        ? { credentials: { accessKeyId: location.accessKeyId, secretAccessKey: location.secretAccessKey } }
        : {}),
      // The SDK's retries would hide a down server for long; Temporal retries the task or activity.
      maxAttempts: 2,
    });
  }

  async putObject(bucket: string, key: string, data: Uint8Array, options?: S3RequestOptions): Promise<void> {
    await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data }), signal(options));
  }

  async objectExists(bucket: string, key: string, options?: S3RequestOptions): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }), signal(options));
      return true;
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return false;
      throw error;
    }
  }

  /**
   * A reference names its bucket and key, and whoever writes a workflow's input or calls the codec
   * server writes the reference: only this store's bucket is read, and only keys of blobs the SDK's
   * driver writes, never another bucket or object these credentials reach.
   */
  async getObject(bucket: string, key: string, options?: S3RequestOptions): Promise<Uint8Array> {
    if (bucket !== this.location.bucket || !BLOB_KEY.test(key)) {
      throw new Error(
        `refused: the reference names no blob of this store (the bucket ${this.location.bucket}, keys v0/…/d/sha256/<hash>)`,
      );
    }
    const reply = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), signal(options));
    if (!reply.Body) throw new Error('the object has no body');
    return reply.Body.transformToByteArray();
  }

  /** Named in the driver's error messages, after bucket and key. */
  describe(): Record<string, string> {
    return { endpoint: this.location.endpoint ?? 'aws', region: this.location.region };
  }

  /** One page of the bucket's objects under `prefix`, and the token of the next page if any. */
  async listPage(prefix: string, token?: string): Promise<{ objects: S3ObjectEntry[]; next?: string }> {
    const reply = await this.s3.send(
      new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    const objects = (reply.Contents ?? []).flatMap((entry) =>
      entry.Key ? [{ key: entry.Key, modifiedMs: entry.LastModified?.getTime() ?? 0 }] : [],
    );
    return { objects, next: reply.IsTruncated ? reply.NextContinuationToken : undefined };
  }

  async deleteObject(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: key }));
  }

  close(): void {
    this.s3.destroy();
  }
}

function signal(options?: S3RequestOptions): { abortSignal?: AbortSignal } {
  return options?.abortSignal ? { abortSignal: options.abortSignal } : {};
}
