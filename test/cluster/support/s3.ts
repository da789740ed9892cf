import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { freePort } from '../../../client/runtime/freePort';
import { AwsS3StorageClient, type S3Location } from '../../../storage/s3Client';
import { waitFor } from '../../helpers/wait';
import { ROOT } from './binaries';
import { spawnClusterProcess, type ClusterProcess } from './processes';

/** Installed by scripts/install-s3.sh, as for test/storage (test/helpers/moto.ts). */
const MOTO_SERVER = path.join(ROOT, '.tools/moto/bin/moto_server');

/**
 * moto's S3 server with one bucket, started like the cluster's other processes (test/helpers/moto.ts
 * starts it without a parent-death signal: a killed test would leave it running).
 */
export async function startClusterS3(
  bucket: string,
): Promise<{ location: S3Location; process: ClusterProcess }> {
  if (!existsSync(MOTO_SERVER)) throw new Error(`${MOTO_SERVER} is missing: run bash scripts/install-s3.sh`);
  const port = await freePort();
  const moto = spawnClusterProcess('moto_server', MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    cwd: ROOT,
  });
  const location: S3Location = {
    bucket,
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    accessKeyId: 'test',
    secretAccessKey: 'test',
  };
  const client = new AwsS3StorageClient(location);
  try {
    await waitFor(
      `moto_server on port ${port}`,
      () => {
        if (!moto.running()) throw new Error(`moto_server exited:\n${moto.output()}`);
        return canConnect(port);
      },
      60_000,
      100,
    );
    await client.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    await moto.kill();
    throw error;
  } finally {
    client.close();
  }
  return { location, process: moto };
}

/** True once something accepts TCP connections on 127.0.0.1:`port`. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
