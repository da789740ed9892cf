import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { freePort } from '../../client/runtime/freePort';
import { AwsS3StorageClient, type S3Location } from '../../storage/s3Client';
import { waitFor } from './wait';

/** Installed by scripts/install-s3.sh (called by .ci/run). */
const MOTO_SERVER = path.resolve(__dirname, '../../.tools/moto/bin/moto_server');

/** A real S3-compatible server (moto) on 127.0.0.1 with one bucket, for one test file. */
export interface S3TestServer {
  location: S3Location;
  stop(): Promise<void>;
}

/** Starts moto_server on a free port, waits until it answers, creates the bucket. */
export async function startS3Server(bucket = 'council-test'): Promise<S3TestServer> {
  if (!existsSync(MOTO_SERVER)) {
    throw new Error(`${MOTO_SERVER} is missing: run bash scripts/install-s3.sh`);
  }
  const port = await freePort();
  const child = spawn(MOTO_SERVER, ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
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
      `moto_server on port ${port} (${stderr.join('').slice(-300)})`,
      async () => {
        if (child.exitCode !== null) throw new Error(`moto_server exited: ${stderr.join('')}`);
        return canConnect(port);
      },
      30_000,
      100,
    );
    await client.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    await stopGroup(child);
    throw error;
  } finally {
    client.close();
  }
  return { location, stop: () => stopGroup(child) };
}

async function stopGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && process.kill(-child.pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
